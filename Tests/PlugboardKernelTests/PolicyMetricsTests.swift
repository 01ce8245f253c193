import PlugboardKernel
import Synchronization
import Testing

/// One sample line of the Prometheus text format, parsed back.
struct PromSample: Hashable {
    var name: String
    var labels: [String: String]
    var value: Double
}

/// A strict reader of the text exposition format for the tests: HELP and TYPE
/// comments, `name{label="value",...} number` samples, escapes `\\ \" \n`.
struct PromText {
    var types: [String: String] = [:]
    var samples: [PromSample] = []

    init(_ text: String) throws {
        #expect(text.hasSuffix("\n"))
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let l = String(line)
            if l.hasPrefix("# TYPE ") {
                let parts = l.dropFirst(7).split(separator: " ")
                guard parts.count == 2 else { throw PromParseError(line: l) }
                #expect(types[String(parts[0])] == nil, "family \(parts[0]) declared twice")
                types[String(parts[0])] = String(parts[1])
                continue
            }
            if l.hasPrefix("# HELP ") { continue }
            samples.append(try PromText.sample(l))
        }
    }

    static func sample(_ line: String) throws -> PromSample {
        var rest = Array(line.unicodeScalars)[...]
        func next() throws -> Unicode.Scalar {
            guard let c = rest.popFirst() else { throw PromParseError(line: line) }
            return c
        }
        var name = ""
        while let c = rest.first, c != "{" && c != " " { name.unicodeScalars.append(c); rest.removeFirst() }
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest.removeFirst()
            while rest.first != "}" {
                var key = ""
                while let c = rest.first, c != "=" { key.unicodeScalars.append(c); rest.removeFirst() }
                guard try next() == "=", try next() == "\"" else { throw PromParseError(line: line) }
                var value = ""
                while true {
                    let c = try next()
                    if c == "\"" { break }
                    if c == "\\" {
                        switch try next() {
                        case "\\": value += "\\"
                        case "\"": value += "\""
                        case "n": value += "\n"
                        default: throw PromParseError(line: line)
                        }
                    } else {
                        value.unicodeScalars.append(c)
                    }
                }
                #expect(labels[key] == nil)
                labels[key] = value
                if rest.first == "," { rest.removeFirst() }
            }
            rest.removeFirst()
        }
        guard try next() == " " else { throw PromParseError(line: line) }
        let text = String(String.UnicodeScalarView(rest))
        guard let value = text == "+Inf" ? Double.infinity : Double(text) else { throw PromParseError(line: line) }
        return PromSample(name: name, labels: labels, value: value)
    }

    func value(_ name: String, _ labels: [String: String]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }
}

struct PromParseError: Error {
    var line: String
}

@Suite("policy: metrics")
struct PolicyMetricsTests {
    /// Three good calls of 3 ms, one that fails twice with 503 and then succeeds, one non-retryable failure.
    func exercise(_ metrics: AdapterMetrics, adapter: String = "hubspot", operation: String = "createTicket") async throws {
        let clock = VirtualClock()
        let p = CallPolicy(port: .crm, adapter: adapter, metrics: metrics, clock: clock)
        for _ in 0..<3 {
            try await p.call(operation: operation) { try await clock.sleep(until: clock.now + .milliseconds(3)) }
        }
        let flaky = ScriptedOperation(clock: clock, failing: 2, with: .unavailable("HTTP 503"), then: ())
        try await p.call(operation: operation) { try await flaky.run() }
        await #expect(throws: PlugboardError.self) {
            try await p.call(operation: operation) { () async throws -> Void in throw PlugboardError.invalidInput("no subject") }
        }
    }

    @Test func countsByOutcomeRetriesAndLatency() async throws {
        let metrics = AdapterMetrics()
        try await exercise(metrics)
        let rows = metrics.snapshot()
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row.key == .init(port: "crm", adapter: "hubspot", operation: "createTicket"))
        #expect(row.outcomes == ["ok": 4, "unavailable": 2, "invalidInput": 1])
        #expect(row.calls == 7)
        #expect(row.errors == 3)
        #expect(row.retries == 2)
        #expect(row.rateLimitWaits == 0)
        // Virtual time: three calls of exactly 3 ms (bucket ≤ 5 ms), four of 0 s (bucket ≤ 1 ms).
        let fiveMs = try #require(AdapterMetrics.latencyBuckets.firstIndex(of: 0.005))
        #expect(row.latencyBucketCounts[0] == 4)
        #expect(row.latencyBucketCounts[fiveMs] == 3)
        #expect(row.latencyBucketCounts.reduce(0, +) == 7)
        #expect(abs(row.latencySum - 0.009) < 1e-9)
        #expect(row.latencyQuantileBound(0.5) == 0.001)
        #expect(row.latencyQuantileBound(0.99) == 0.005)
    }

    @Test func prometheusTextParsesBackToTheSameCounts() async throws {
        let metrics = AdapterMetrics()
        try await exercise(metrics)
        try await exercise(metrics, adapter: "local", operation: "addNote")
        let prom = try PromText(metrics.prometheusText())
        let hub = ["port": "crm", "adapter": "hubspot", "operation": "createTicket"]
        func with(_ l: [String: String], _ k: String, _ v: String) -> [String: String] { l.merging([k: v]) { _, b in b } }

        #expect(prom.types == [
            "plugboard_adapter_calls_total": "counter",
            "plugboard_adapter_call_duration_seconds": "histogram",
            "plugboard_adapter_retries_total": "counter",
            "plugboard_adapter_rate_limit_waits_total": "counter",
            "plugboard_adapter_rate_limit_wait_seconds_total": "counter",
        ])
        #expect(prom.value("plugboard_adapter_calls_total", with(hub, "status", "ok")) == 4)
        #expect(prom.value("plugboard_adapter_calls_total", with(hub, "status", "unavailable")) == 2)
        #expect(prom.value("plugboard_adapter_calls_total", with(hub, "status", "invalidInput")) == 1)
        #expect(prom.value("plugboard_adapter_retries_total", hub) == 2)
        #expect(prom.value("plugboard_adapter_rate_limit_waits_total", hub) == 0)
        #expect(prom.value("plugboard_adapter_rate_limit_wait_seconds_total", hub) == 0)
        #expect(prom.value("plugboard_adapter_call_duration_seconds_bucket", with(hub, "le", "0.001")) == 4)
        #expect(prom.value("plugboard_adapter_call_duration_seconds_bucket", with(hub, "le", "0.0025")) == 4)
        #expect(prom.value("plugboard_adapter_call_duration_seconds_bucket", with(hub, "le", "0.005")) == 7)
        #expect(prom.value("plugboard_adapter_call_duration_seconds_bucket", with(hub, "le", "+Inf")) == 7)
        #expect(prom.value("plugboard_adapter_call_duration_seconds_count", hub) == 7)
        let sum = try #require(prom.value("plugboard_adapter_call_duration_seconds_sum", hub))
        #expect(abs(sum - 0.009) < 1e-9)
        #expect(prom.value("plugboard_adapter_calls_total", ["port": "crm", "adapter": "local", "operation": "addNote", "status": "ok"]) == 4)

        // Buckets are cumulative and end at +Inf = count, for every series.
        let bucketSeries = Dictionary(grouping: prom.samples.filter { $0.name.hasSuffix("_bucket") }) {
            $0.labels.filter { $0.key != "le" }
        }
        #expect(bucketSeries.count == 2)
        for (labels, samples) in bucketSeries {
            let ordered = samples.map { ($0.labels["le"] == "+Inf" ? Double.infinity : Double($0.labels["le"]!)!, $0.value) }
            #expect(ordered.map(\.0) == AdapterMetrics.latencyBuckets + [.infinity], "buckets in order")
            #expect(ordered.map(\.1) == ordered.map(\.1).sorted())
            #expect(ordered.last?.1 == prom.value("plugboard_adapter_call_duration_seconds_count", labels))
        }
        // Every sample belongs to a declared family.
        for s in prom.samples {
            let family = ["_bucket", "_sum", "_count"].reduce(s.name) { n, suffix in
                n.hasPrefix("plugboard_adapter_call_duration_seconds") && n.hasSuffix(suffix) ? String(n.dropLast(suffix.count)) : n
            }
            #expect(prom.types[family] != nil, "\(s.name) has no TYPE")
        }
    }

    @Test func labelValuesAreEscaped() async throws {
        let metrics = AdapterMetrics()
        let odd = "say \"hi\"\\n\nnext"
        try await exercise(metrics, adapter: "weird\\\"", operation: odd)
        let text = metrics.prometheusText()
        #expect(text.contains(#"operation="say \"hi\"\\n\nnext""#))
        #expect(!text.contains("\nnext"), "a raw line feed would split the sample")
        let prom = try PromText(text)
        let labels = ["port": "crm", "adapter": "weird\\\"", "operation": odd, "status": "ok"]
        #expect(prom.value("plugboard_adapter_calls_total", labels) == 4)
    }

    @Test func rateLimitWaitsAreCounted() async throws {
        let metrics = AdapterMetrics()
        let clock = VirtualClock()
        let p = CallPolicy(port: .llm, adapter: "notion", budget: RateBudget(limit: .init(requests: 3, per: .seconds(1)), clock: clock),
                           metrics: metrics, clock: clock)
        for _ in 0..<7 { try await p.call(operation: "generate") {} }
        let row = try #require(metrics.operation(port: "llm", adapter: "notion", operation: "generate"))
        // Calls 1-3 start at 0 s, 4-6 at 1 s, 7 at 2 s: only calls 4 and 7 wait, 1 s each.
        #expect(row.rateLimitWaits == 2)
        #expect(abs(row.rateLimitWaitSeconds - 2) < 1e-9, "\(row.rateLimitWaitSeconds)")
        let prom = try PromText(metrics.prometheusText())
        let key = ["port": "llm", "adapter": "notion", "operation": "generate"]
        #expect(prom.value("plugboard_adapter_rate_limit_waits_total", key) == 2)
        #expect(prom.value("plugboard_adapter_rate_limit_wait_seconds_total", key) == 2)
    }

    @Test func anEmptyRegistryRendersOnlyTheFamilies() throws {
        let prom = try PromText(AdapterMetrics().prometheusText())
        #expect(prom.samples.isEmpty)
        #expect(prom.types.count == 5)
    }
}
