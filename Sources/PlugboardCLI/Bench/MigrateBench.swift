import Foundation
import PlugboardKernel

/// `plugboard migrate` against what people run today and against the server's
/// ceiling, in one run, on one DynamoDB-compatible server (moto on loopback),
/// with one generated Freeda-style file per size:
///
/// - (a) `plugboard migrate --from FILE --to dynamodb://TABLE`, as a child process;
/// - (b) a Python script loading the same file with boto3's `Table.batch_writer()`;
/// - (c) a raw loop of pre-serialised, pre-signed `BatchWriteItem` requests (25
///   items each, `concurrency` in flight over keep-alive connections): only the
///   sending is timed, so its rate is what the server can take.
///
/// The three run in interleaved rounds and the fastest run of each counts (for
/// (a)'s CPU and memory, the most of any run). Every run writes into a fresh
/// conventional table (created before the clock starts, deleted after) and is
/// checked by counting the table. CPU seconds and
/// peak memory of (a) and (b) come from the kernel (`wait4`, through GNU time). Targets: (a) at
/// least 1.5× faster than (b) in wall time and at least 0.9 of (c)'s rate; (a)'s
/// CPU at most 0.25 of (b)'s; (a)'s peak memory at most 3× the file plus 100 MB.
public enum MigrateBench {
    public struct Setup: Sendable {
        public var endpoint: String
        public var region: String
        public var credentials: AWSCredentials
        /// The `plugboard` executable run for (a).
        public var executable: String
        public var workDir: String
        public var concurrency: Int
        /// Runs of each contender, interleaved; the fastest of each counts.
        public var rounds: Int
        public var environment: [String: String]

        public init(endpoint: String, region: String, credentials: AWSCredentials, executable: String, workDir: String,
                    concurrency: Int = 8, rounds: Int = 2, environment: [String: String] = ProcessInfo.processInfo.environment) {
            self.endpoint = endpoint
            self.region = region
            self.credentials = credentials
            self.executable = executable
            self.workDir = workDir
            self.concurrency = concurrency
            self.rounds = rounds
            self.environment = environment
        }
    }

    /// Figures of one size, for callers that check them.
    public struct Figures: Sendable {
        public var count: Int
        public var fileBytes: Int
        public var plugboard: (wall: Double, cpu: Double, rss: Int)
        public var boto3: (wall: Double, cpu: Double, rss: Int)
        public var rawSeconds: Double

        public var wallSpeedup: Double { boto3.wall / plugboard.wall }
        public var rateVsCeiling: Double { rawSeconds / plugboard.wall }
        public var cpuRatio: Double { plugboard.cpu / boto3.cpu }
        public var memoryBudget: Int { 3 * fileBytes + 100 << 20 }
        public var targetsMet: Bool { wallSpeedup >= 1.5 && rateVsCeiling >= 0.9 && cpuRatio <= 0.25 && plugboard.rss <= memoryBudget }
    }

    @discardableResult
    public static func run(counts: [Int], setup: Setup, log: (String) -> Void) async throws -> [Figures] {
        let server = BenchDynamoDB(endpoint: setup.endpoint, region: setup.region, credentials: setup.credentials,
                                   concurrency: setup.concurrency)
        try FileManager.default.createDirectory(atPath: setup.workDir, withIntermediateDirectories: true)
        var env = setup.environment
        env["AWS_ACCESS_KEY_ID"] = setup.credentials.accessKeyID
        env["AWS_SECRET_ACCESS_KEY"] = setup.credentials.secretAccessKey
        env["AWS_REGION"] = setup.region
        env["BENCH_ENDPOINT"] = setup.endpoint
        var all: [Figures] = []
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        for count in counts {
            let path = setup.workDir + "/tickets-\(count).json"
            let file = TicketGenerator().freedaFile(count: count)
            try Data(file).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            log("migrate bench: \(group(count)) tickets, \(megabytes(file.count)) file, server \(setup.endpoint)")

            // Rounds of (c), (a), (b), interleaved, the order turning each round;
            // each contender's fastest run counts. On a shared machine one run can land in a noisy moment;
            // the same rule for all three keeps the comparison fair.
            var raw: [Double] = []
            var runsA: [ChildProcess.Outcome] = []
            var runsB: [ChildProcess.Outcome] = []
            let rate = { (s: Double) in group(Int((Double(count) / s).rounded())) }
            func runC(_ round: Int) async throws {
                // (c) the ceiling: bodies built and signed before the clock starts.
                let tableC = "bench-c\(round)-\(tag)-\(count)"
                try await server.createConventionalTable(tableC)
                let requests = try server.presignedBatches(table: tableC, file: file)
                let c = try await server.send(requests)
                try await server.expectCount(tableC, count)
                try await server.deleteTable(tableC)
                raw.append(c)
                log(String(format: "  round %d (c) raw BatchWriteItem loop: %7.2f s, %@ items/s", round, c, rate(c)))
            }
            func runA(_ round: Int) async throws {
                // (a) plugboard migrate, as a user runs it.
                let tableA = "bench-a\(round)-\(tag)-\(count)"
                try await server.createConventionalTable(tableA)
                let errors = setup.workDir + "/bench-a-\(count)-errors.jsonl"
                let a = try await ChildProcess.run(
                    [setup.executable, "migrate", "--from", path, "--to", "dynamodb://\(tableA)?endpoint=\(setup.endpoint)&region=\(setup.region)",
                     "--errors", errors, "--concurrency", String(setup.concurrency)], environment: env)
                try? FileManager.default.removeItem(atPath: errors)
                try? FileManager.default.removeItem(atPath: errors + ".checkpoint")
                guard a.status == 0 else { throw failure("(a) plugboard migrate exited \(a.status): \(a.output.suffix(2_000))") }
                try await server.expectCount(tableA, count)
                try await server.deleteTable(tableA)
                runsA.append(a)
                log(String(format: "  round %d (a) plugboard migrate:       %7.2f s wall, %@ items/s, CPU %6.2f s, peak RSS %@",
                           round, a.wallSeconds, rate(a.wallSeconds), a.cpuSeconds, megabytes(a.maxRSS)))
            }
            func runB(_ round: Int) async throws {
                // (b) boto3's batch_writer, the usual script.
                let tableB = "bench-b\(round)-\(tag)-\(count)"
                try await server.createConventionalTable(tableB)
                var bEnv = env
                bEnv["BENCH_TABLE"] = tableB
                bEnv["BENCH_FILE"] = path
                let b = try await ChildProcess.run(["python3", "-c", boto3Script], environment: bEnv)
                guard b.status == 0 else { throw failure("(b) boto3 exited \(b.status): \(b.output.suffix(2_000))") }
                try await server.expectCount(tableB, count)
                try await server.deleteTable(tableB)
                runsB.append(b)
                log(String(format: "  round %d (b) boto3 batch_writer:      %7.2f s wall, %@ items/s, CPU %6.2f s, peak RSS %@",
                           round, b.wallSeconds, rate(b.wallSeconds), b.cpuSeconds, megabytes(b.maxRSS)))
            }
            for round in 1...max(1, setup.rounds) {
                // The order turns each round, so no contender always follows the same one.
                for k in 0..<3 {
                    switch (k + round - 1) % 3 {
                    case 0: try await runC(round)
                    case 1: try await runA(round)
                    default: try await runB(round)
                    }
                }
            }
            let a = runsA.min { $0.wallSeconds < $1.wallSeconds }!
            let b = runsB.min { $0.wallSeconds < $1.wallSeconds }!
            let rawSeconds = raw.min()!
            // Memory and CPU of (a) as the worst of its runs: the targets are ceilings.
            let peakA = runsA.map(\.maxRSS).max()!
            let cpuA = runsA.map(\.cpuSeconds).max()!
            let f = Figures(count: count, fileBytes: file.count, plugboard: (a.wallSeconds, cpuA, peakA),
                            boto3: (b.wallSeconds, b.cpuSeconds, b.maxRSS), rawSeconds: rawSeconds)
            all.append(f)
            log(String(format: "  best of %d: (a) %.2f s = %@ items/s, CPU %.2f s (most of any run), peak RSS %@ (most of any run); "
                       + "(b) %.2f s = %@ items/s, CPU %.2f s, peak RSS %@; (c) %.2f s = %@ items/s (%d in flight)",
                       runsA.count, a.wallSeconds, rate(a.wallSeconds), cpuA, megabytes(peakA), b.wallSeconds, rate(b.wallSeconds),
                       b.cpuSeconds, megabytes(b.maxRSS), rawSeconds, rate(rawSeconds), setup.concurrency))
            log(String(format: "  (b)/(a) wall %.2f (target >= 1.5); (a)/(c) rate %.2f (target >= 0.9); (a)/(b) CPU %.3f (target <= 0.25); "
                       + "(a) peak RSS %@ of budget %@ (3 x file + 100 MB): %.2f (target <= 1)%@",
                       f.wallSpeedup, f.rateVsCeiling, f.cpuRatio, megabytes(peakA), megabytes(f.memoryBudget),
                       Double(peakA) / Double(f.memoryBudget), f.targetsMet ? "" : "  << target missed"))
        }
        return all
    }

    /// (b): what people run today: json.load, then one put_item per ticket through batch_writer.
    static let boto3Script = #"""
import json, os, boto3
from decimal import Decimal
table = boto3.resource("dynamodb", endpoint_url=os.environ["BENCH_ENDPOINT"], region_name=os.environ["AWS_REGION"]).Table(os.environ["BENCH_TABLE"])
with open(os.environ["BENCH_FILE"], encoding="utf-8") as f:
    tickets = json.load(f, parse_float=Decimal)
with table.batch_writer() as batch:
    for ticket in tickets.values():
        batch.put_item(Item=ticket)
"""#

    static func failure(_ message: String) -> PlugboardError { PlugboardError(.internal, "migrate bench: \(message)") }
    static func group(_ n: Int) -> String { MigrationProgress.grouped(n) }
    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }
}

/// The few DynamoDB calls the benchmark makes itself, signed with the kernel's signer.
struct BenchDynamoDB: Sendable {
    let endpoint: String
    let signer: SigV4Signer
    let transport: CurlTransport
    let concurrency: Int

    init(endpoint: String, region: String, credentials: AWSCredentials, concurrency: Int) {
        self.endpoint = endpoint
        self.signer = SigV4Signer(credentials: credentials, region: region, service: "dynamodb")
        self.transport = CurlTransport(.init(maxConnections: concurrency))
        self.concurrency = concurrency
    }

    func request(_ operation: String, body: [UInt8]) throws -> HTTPRequest {
        var r = HTTPRequest(method: .post, url: endpoint.hasSuffix("/") ? endpoint : endpoint + "/", body: body)
        r.headers.add("Content-Type", "application/x-amz-json-1.0")
        r.headers.add("X-Amz-Target", "DynamoDB_20120810." + operation)
        return try signer.sign(r)
    }

    @discardableResult
    func call(_ operation: String, _ input: JSON) async throws -> JSON {
        let response = try await transport.send(try request(operation, body: input.serializedBytes()))
        guard response.status == 200 else {
            throw MigrateBench.failure("\(operation) -> HTTP \(response.status): \(response.text.prefix(300))")
        }
        return try response.json()
    }

    func createConventionalTable(_ name: String) async throws {
        func gsi(_ name: String, _ hash: String) -> JSON {
            ["IndexName": .string(name), "Projection": ["ProjectionType": "ALL"],
             "KeySchema": [["AttributeName": .string(hash), "KeyType": "HASH"], ["AttributeName": "created_at", "KeyType": "RANGE"]]]
        }
        try await call("CreateTable", [
            "TableName": .string(name), "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [["AttributeName": "ticket_id", "KeyType": "HASH"]],
            "AttributeDefinitions": .array(["ticket_id", "status", "channel", "created_at"].map {
                ["AttributeName": .string($0), "AttributeType": "S"]
            }),
            "GlobalSecondaryIndexes": [gsi("status-created_at-index", "status"), gsi("channel-created_at-index", "channel")],
        ])
    }

    func deleteTable(_ name: String) async throws {
        try await call("DeleteTable", ["TableName": .string(name)])
    }

    func expectCount(_ table: String, _ expected: Int) async throws {
        // moto keeps ItemCount exact, and scanning 100,000 items takes it minutes; AWS
        // refreshes ItemCount only every few hours, so a mismatch is checked by a scan.
        let described = try await call("DescribeTable", ["TableName": .string(table)])
        if described["Table"]?["ItemCount"]?.intValue == expected { return }
        var n = 0
        var start: JSON?
        repeat {
            var input: [String: JSON] = ["TableName": .string(table), "Select": "COUNT"]
            if let start { input["ExclusiveStartKey"] = start }
            let out = try await call("Scan", .object(input))
            n += out["Count"]?.intValue ?? 0
            start = out["LastEvaluatedKey"]
        } while start != nil
        guard n == expected else { throw MigrateBench.failure("table \(table) holds \(n) items, expected \(expected)") }
    }

    /// Every ticket of a Freeda-style file as signed `BatchWriteItem` requests of 25 items.
    func presignedBatches(table: String, file: [UInt8]) throws -> [HTTPRequest] {
        guard case .object(let tickets) = try JSONParser.parse(file) else { throw MigrateBench.failure("not a Freeda-style file") }
        var requests: [HTTPRequest] = []
        var items: [JSON] = []
        for ticket in tickets.values {
            items.append(["PutRequest": ["Item": .object(BenchDynamoDB.attributes(ticket).objectValue!["M"]!.objectValue!)]])
            if items.count == 25 {
                requests.append(try request("BatchWriteItem", body: JSON.object(["RequestItems": [table: .array(items)]]).serializedBytes()))
                items = []
            }
        }
        if !items.isEmpty {
            requests.append(try request("BatchWriteItem", body: JSON.object(["RequestItems": [table: .array(items)]]).serializedBytes()))
        }
        return requests
    }

    /// The attribute-value form, written out here so the ceiling owes nothing to the code it measures.
    static func attributes(_ v: JSON) -> JSON {
        switch v {
        case .null: return ["NULL": true]
        case .bool(let b): return ["BOOL": .bool(b)]
        case .number(let n): return ["N": .string(n.text)]
        case .string: return ["S": v]
        case .array(let a): return ["L": .array(a.map(attributes))]
        case .object(let o): return ["M": .object(o.mapValues(attributes))]
        }
    }

    /// Sends every request, `concurrency` at a time, re-sending unprocessed items; returns the seconds taken.
    func send(_ requests: [HTTPRequest]) async throws -> Double {
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func add() {
                let r = requests[next]
                next += 1
                group.addTask {
                    var response = try await transport.send(r)
                    while response.status == 200, let left = try response.json()["UnprocessedItems"]?.objectValue, !left.isEmpty {
                        response = try await transport.send(try request("BatchWriteItem", body: JSON.object(["RequestItems": .object(left)]).serializedBytes()))
                    }
                    guard response.status == 200 else { throw MigrateBench.failure("BatchWriteItem -> HTTP \(response.status)") }
                }
            }
            while next < min(concurrency, requests.count) { add() }
            while try await group.next() != nil { if next < requests.count { add() } }
        }
        return (ContinuousClock.now - started).seconds
    }
}
