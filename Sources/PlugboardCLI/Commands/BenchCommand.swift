import Foundation
import PlugboardKernel

struct BenchStorageCommand: Command {
    static let words = ["bench", "storage"]
    static let summary = "Measure storage adapters against their baselines and print the ratios."
    static let synopsis = "[--count N] [--only sqlite,json,postgres] [--dir DIR]"
    static let details = """
    sqlite: batch put of N tickets vs a raw sqlite3 C loop in one transaction (target >= 0.5), point get p50 (within 2x).
    json: 10,000 single-ticket saves vs rewriting the whole file each save (target >= 50x).
    postgres: batch put vs COPY through psql (target >= 0.4); needs PLUGBOARD_BENCH_PG_URL or PLUGBOARD_TEST_PG_URL.
    Build with -c release for meaningful figures.
    """
    static let options = [
        OptionSpec(name: "count", value: "N", help: "Tickets for the sqlite and postgres runs (default 100000)."),
        OptionSpec(name: "only", value: "LIST", help: "Comma-separated subset of sqlite, json, postgres."),
        OptionSpec(name: "dir", value: "DIR", help: "Scratch folder (default: a temporary folder, removed after)."),
    ]

    static func run(_ inv: Invocation) async throws -> Int32 {
        let count = try inv.args.int("count", default: 100_000)
        let only = Set((inv.args.value("only") ?? "sqlite,json,postgres").split(separator: ",").map(String.init))
        let known: Set<String> = ["sqlite", "json", "postgres"]
        if let bad = only.subtracting(known).first { throw UsageError("--only: unknown benchmark \"\(bad)\"; known: sqlite, json, postgres") }
        let dir = inv.args.value("dir") ?? NSTemporaryDirectory() + "plugboard-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if inv.args.value("dir") == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let log: (String) -> Void = { inv.print($0) }
        #if DEBUG
        inv.warn("note: this is a debug build; run `swift run -c release plugboard bench storage` for real figures")
        #endif
        for name in ["sqlite", "json", "postgres"] where only.contains(name) {
            try await StorageBenchmarks.run(name, count: count, dir: dir, environment: inv.environment, log: log)
        }
        return 0
    }
}

/// The storage benchmarks compiled in, by name.
enum StorageBenchmarks {
    static func run(_ name: String, count: Int, dir: String, environment: [String: String], log: (String) -> Void) async throws {
        switch name {
        case "sqlite": try await SQLiteBench.run(count: count, workDir: dir + "/sqlite", log: log)
        case "json": try await JSONBench.run(count: 10_000, workDir: dir + "/json", log: log)
        case "postgres": try await PostgresBench.run(count: count, workDir: dir + "/postgres", log: log)
        default: log("\(name): unknown benchmark")
        }
    }
}

struct BenchRulesCommand: Command {
    static let words = ["bench", "rules"]
    static let summary = "Measure the rule classifier and the rules language model (alone, layered, in a fallback chain)."
    static let synopsis = "[--count N]"
    static let details = """
    classify and analyse: the kernel's rule classifier on ~300-character tickets, one thread (target >= 100,000/s).
    rules llm: the `rules` adapter as the workflow calls it (a prompt from the library, the workflow's schema, the answer
    shaped and validated), alone, under its policy layer, as the last link of a fallback chain, and on every core.
    Build with -c release for meaningful figures.
    """
    static let options = [
        OptionSpec(name: "count", value: "N", help: "Classifications (default 200000); the llm runs use a tenth."),
    ]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        let count = try inv.args.int("count", default: 200_000)
        #if DEBUG
        inv.warn("note: this is a debug build; run `swift run -c release plugboard bench rules` for real figures")
        #endif
        let log: (String) -> Void = { inv.print($0) }
        RulesBench.run(count: count, log: log)
        try await LLMRulesBench.run(count: max(1, count / 10), registry: inv.registry, log: log)
        return 0
    }
}
