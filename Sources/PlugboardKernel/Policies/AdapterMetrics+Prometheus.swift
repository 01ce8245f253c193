extension AdapterMetrics {
    /// The counters in the Prometheus text exposition format (version 0.0.4), for
    /// a `/metrics` endpoint (`Content-Type: text/plain; version=0.0.4`):
    ///
    ///     plugboard_adapter_calls_total{port="crm",adapter="hubspot",operation="createTicket",status="ok"} 3
    ///     plugboard_adapter_call_duration_seconds_bucket{port="crm",...,le="0.005"} 2
    ///     plugboard_adapter_call_duration_seconds_sum{...} / _count{...}
    ///     plugboard_adapter_retries_total{...}
    ///     plugboard_adapter_rate_limit_waits_total{...}
    ///     plugboard_adapter_rate_limit_wait_seconds_total{...}
    ///
    /// Each family appears once, with its HELP and TYPE lines, rows in a stable order.
    public func prometheusText() -> String {
        AdapterMetrics.prometheusText(snapshot())
    }

    /// Renders rows (from `snapshot()`) in the Prometheus text format.
    public static func prometheusText(_ rows: [Operation]) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ lines: (Operation) -> [String]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for row in rows { for l in lines(row) { out += l + "\n" } }
        }
        family("plugboard_adapter_calls_total", "counter",
               "Adapter calls (each attempt is one call) by outcome: ok or the error code.") { row in
            row.outcomes.keys.sorted().map { status in
                "plugboard_adapter_calls_total\(labels(row.key, ("status", status))) \(row.outcomes[status]!)"
            }
        }
        family("plugboard_adapter_call_duration_seconds", "histogram", "Latency of adapter calls, seconds.") { row in
            let name = "plugboard_adapter_call_duration_seconds"
            var lines: [String] = []
            var cumulative = 0
            for (i, bound) in latencyBuckets.enumerated() {
                cumulative += row.latencyBucketCounts[i]
                lines.append("\(name)_bucket\(labels(row.key, ("le", number(bound)))) \(cumulative)")
            }
            let total = row.latencyBucketCounts.reduce(0, +)
            lines.append("\(name)_bucket\(labels(row.key, ("le", "+Inf"))) \(total)")
            lines.append("\(name)_sum\(labels(row.key)) \(number(row.latencySum))")
            lines.append("\(name)_count\(labels(row.key)) \(total)")
            return lines
        }
        family("plugboard_adapter_retries_total", "counter", "Attempts beyond the first, made by the retry policy.") { row in
            ["plugboard_adapter_retries_total\(labels(row.key)) \(row.retries)"]
        }
        family("plugboard_adapter_rate_limit_waits_total", "counter", "Calls that waited for the adapter's rate budget.") { row in
            ["plugboard_adapter_rate_limit_waits_total\(labels(row.key)) \(row.rateLimitWaits)"]
        }
        family("plugboard_adapter_rate_limit_wait_seconds_total", "counter",
               "Time spent waiting for the adapter's rate budget, seconds.") { row in
            ["plugboard_adapter_rate_limit_wait_seconds_total\(labels(row.key)) \(number(row.rateLimitWaitSeconds))"]
        }
        return out
    }

    /// `{port="...",adapter="...",operation="..."[,extra="..."]}`.
    static func labels(_ key: Key, _ extra: (String, String)? = nil) -> String {
        var pairs = [("port", key.port), ("adapter", key.adapter), ("operation", key.operation)]
        if let extra { pairs.append(extra) }
        return "{" + pairs.map { "\($0.0)=\"\(escapeLabelValue($0.1))\"" }.joined(separator: ",") + "}"
    }

    /// A label value as the format wants it: backslash, double quote and line feed escaped.
    public static func escapeLabelValue(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A sample value: integers without a fraction, others as Swift's shortest round-trip form
    /// (which Go's `ParseFloat`, the Prometheus parser, reads back exactly).
    static func number(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "+Inf" : "-Inf" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }
}
