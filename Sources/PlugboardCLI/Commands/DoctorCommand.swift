import PlugboardKernel

/// `plugboard doctor`: a live check of every configured adapter with a fix
/// hint on failure, the capability matrix, and which workflow steps degrade.
struct DoctorCommand: Command {
    static let words = ["doctor"]
    static let summary = "Check every configured adapter live; show capabilities and what degrades. Exit 1 when a check fails."
    static let synopsis = "[--json] [--timeout SECONDS] [--config PATH]"
    static let details = """
        Each adapter is built from the configuration and asked a cheap, read-only question of its backend (its
        HealthChecking check): postgres connect and schema version; dynamodb DescribeTable per collection; sqlite
        and json file and folder writable (sqlite: layout version); s3 HeadBucket; filesystem folder writable;
        hubspot, clickup, notion an authenticated GET (a 1-result list, the token's user, users/me and the
        databases); openai, anthropic, gemini the model endpoint (key accepted, model exists; no paid call);
        fallback each link; smtp connect, EHLO (STARTTLS, AUTH when configured), NOOP, QUIT; webhook the URL is
        validated, never called; run-time plugins their check operation. An adapter without a check gets the
        port's generic read (storage: get a missing ticket; objects: HEAD a missing key; crm: read a missing
        ticket). No secret is printed.
        """
    static let options = [
        OptionSpec(name: "json", value: nil, help: "Print the report as JSON."),
        OptionSpec(name: "timeout", value: "SECONDS", help: "Time allowed for each check (default 15)."),
    ]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        let timeout = Double(inv.args.value("timeout") ?? "15") ?? 15
        let config = try inv.loadConfig()
        let adapters = Adapters(config: config, registry: inv.registry)
        var results: [DoctorResult] = []
        for port in Port.allCases {
            guard let settings = config.settings(port) else { continue }
            let check = await DoctorResult.withTimeout(timeout) {
                await DoctorResult.check(port, settings, adapters)
            } ?? .failed("no answer within \(Int(timeout)) s", hint: "is the service reachable from here? (firewall, endpoint, DNS)")
            results.append(DoctorResult(port: port, adapter: settings.adapter, check: check))
        }
        try? await adapters.close()
        let descriptors = results.compactMap { adapters.registry.entry(port: $0.port, name: $0.adapter)?.descriptor }
        let degraded = DoctorResult.degradations(descriptors)
        let failures = results.filter { !$0.check.ok }

        if inv.args.flag("json") {
            inv.print(JSON.object([
                "ok": .bool(failures.isEmpty),
                "checks": .array(results.map(\.json)),
                "capabilities": .object(Dictionary(uniqueKeysWithValues: descriptors.map {
                    ($0.port.rawValue, JSON.object(["adapter": .string($0.name), "capabilities": .array($0.capabilities.map(JSON.string))]))
                })),
                "degraded": .array(degraded.map(JSON.string)),
            ]).serialized(pretty: true))
        } else {
            inv.print("Checks (\(config.file)):")
            for r in results {
                inv.print("  " + r.port.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                          + r.adapter.padding(toLength: 15, withPad: " ", startingAt: 0)
                          + (r.check.ok ? "ok    " : "FAIL  ") + r.check.detail)
                if let hint = r.check.hint, !r.check.ok { inv.print(String(repeating: " ", count: 32) + "fix: " + hint) }
            }
            inv.print("\nCapabilities:")
            for d in descriptors {
                inv.print("  " + d.port.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                          + d.name.padding(toLength: 15, withPad: " ", startingAt: 0)
                          + (d.capabilities.isEmpty ? "(none)" : d.capabilities.joined(separator: ", ")))
            }
            inv.print("\nDegraded with this configuration:")
            inv.print(degraded.isEmpty ? "  nothing" : degraded.map { "  - " + $0 }.joined(separator: "\n"))
            inv.print(failures.isEmpty ? "\nAll \(results.count) checks passed."
                      : "\n\(failures.count) of \(results.count) checks failed: " + failures.map { "\($0.port.rawValue) (\($0.adapter))" }.joined(separator: ", "))
        }
        return failures.isEmpty ? 0 : 1
    }
}
