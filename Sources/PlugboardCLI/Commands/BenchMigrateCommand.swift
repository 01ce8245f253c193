import Foundation
import PlugboardKernel

struct BenchMigrateCommand: Command {
    static let words = ["bench", "migrate"]
    static let summary = "Time plugboard migrate against boto3's batch_writer and a raw BatchWriteItem loop, on one server."
    static let synopsis = "[--counts 20000,100000] [--endpoint URL] [--concurrency N] [--rounds N] [--dir DIR]"
    static let details = """
    For each count, generates a Freeda-style tickets.json and loads it into fresh DynamoDB tables on one server
    (moto on loopback, started as in the README): (a) `plugboard migrate` as a child process, (b) a Python script
    with boto3's Table.batch_writer(), (c) a raw loop of pre-serialised, pre-signed BatchWriteItem requests (the
    server's ceiling), in interleaved rounds; the fastest run of each counts. Prints wall time, items/s, CPU seconds and peak memory (wait4 through /usr/bin/time) and the ratios against
    the targets: (b)/(a) wall >= 1.5, (a)/(c) rate >= 0.9, (a)/(b) CPU <= 0.25, (a) memory <= 3 x file + 100 MB.
    Needs python3 with boto3, and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY for the server. Build with -c release.
    """
    static let options = [
        OptionSpec(name: "counts", value: "LIST", help: "Ticket counts, comma-separated (default 20000,100000)."),
        OptionSpec(name: "endpoint", value: "URL", help: "The DynamoDB endpoint (default $AWS_ENDPOINT_URL_DYNAMODB)."),
        OptionSpec(name: "concurrency", value: "N", help: "Requests in flight for (a) and (c) (default 8)."),
        OptionSpec(name: "rounds", value: "N", help: "Runs of each, interleaved; the fastest counts (default 2)."),
        OptionSpec(name: "dir", value: "DIR", help: "Scratch folder for the generated files (default: a temporary one)."),
    ]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        let env = inv.environment
        let counts = try (inv.args.value("counts") ?? "20000,100000").split(separator: ",").map { s -> Int in
            guard let n = Int(s.trimmingCharacters(in: .whitespaces)), n > 0 else { throw UsageError("--counts: \"\(s)\" is not a positive integer") }
            return n
        }
        guard let endpoint = inv.args.value("endpoint") ?? env["AWS_ENDPOINT_URL_DYNAMODB"] ?? env["PLUGBOARD_TEST_AWS_ENDPOINT"] else {
            throw UsageError("--endpoint URL is required (or set AWS_ENDPOINT_URL_DYNAMODB), e.g. moto_server on http://127.0.0.1:5000")
        }
        guard let key = env["AWS_ACCESS_KEY_ID"] ?? env["PLUGBOARD_TEST_AWS_ACCESS_KEY_ID"],
              let secret = env["AWS_SECRET_ACCESS_KEY"] ?? env["PLUGBOARD_TEST_AWS_SECRET_ACCESS_KEY"] else {
            throw UsageError("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for the server")
        }
        let dir = inv.scratch("bench-migrate")
        defer { if inv.args.value("dir") == nil { try? FileManager.default.removeItem(atPath: dir) } }
        #if DEBUG
        inv.warn("note: debug build; run `swift run -c release plugboard bench migrate` for real figures")
        #endif
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let setup = MigrateBench.Setup(endpoint: endpoint, region: env["AWS_REGION"] ?? "us-east-1",
                                       credentials: AWSCredentials(accessKeyID: key, secretAccessKey: secret), executable: executable,
                                       workDir: dir, concurrency: try inv.args.int("concurrency", default: 8, range: 1...256),
                                       rounds: try inv.args.int("rounds", default: 2, range: 1...10), environment: env)
        let figures = try await MigrateBench.run(counts: counts, setup: setup) { inv.print($0) }
        return figures.allSatisfy(\.targetsMet) ? 0 : 1
    }
}
