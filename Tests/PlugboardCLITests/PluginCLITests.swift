import Foundation
import PlugboardKernel
import Testing

/// Run-time plugins of ports other than storage, seen from the CLI: listed,
/// validated and checked by `doctor` like built-in adapters.
@Suite("plugins in the CLI", .serialized)
struct PluginCLITests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Builds an example plugin with its own build script; fails (not skips) when the build does.
    static func build(_ folder: String, into dir: String) throws -> String {
        let out = "\(dir)/lib-\(folder).so"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["\(repo)/Examples/\(folder)/build.sh", out]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "Examples/\(folder)/build.sh failed: \(text)")
        return out
    }

    func harness() throws -> CLIHarness {
        let h = try CLIHarness()
        _ = try Self.build("plugin-memory-tasks", into: h.dir.path)  // named relative to the config below
        let notify = try Self.build("plugin-file-notify", into: h.dir.path)
        try h.write("adapters.json", #"""
            {"plugins": ["lib-plugin-memory-tasks.so", "\#(notify)"], "storage": {"adapter": "memory"},
             "tasks": {"adapter": "example-tasks"}, "notify": {"adapter": "example-file-notify", "path": "\#(h.path("notifications.jsonl"))"}}
            """#)
        return h
    }

    @Test func adaptersListShowsThePluginsAdapters() async throws {
        let h = try harness()
        let r = await h.run(["adapters", "list", "--json"])
        #expect(r.code == 0, "\(r.err)")
        let listed = try JSONParser.parse(r.out).arrayValue ?? []
        let names = Set(listed.compactMap { d in d["port"]?.stringValue.flatMap { p in d["name"]?.stringValue.map { "\(p)/\($0)" } } })
        #expect(names.isSuperset(of: ["tasks/example-tasks", "notify/example-file-notify", "tasks/local"]), "\(names)")
    }

    @Test func configCheckValidatesAPluginSection() async throws {
        let h = try harness()
        #expect(await h.run(["config", "check"]).code == 0)
        try h.write("adapters.json", #"""
            {"plugins": ["lib-plugin-memory-tasks.so"], "storage": {"adapter": "memory"}, "tasks": {"adapter": "example-tasks", "base_urll": "x"}}
            """#)
        let r = await h.run(["config", "check"])
        #expect(r.code != 0 && r.err.contains("tasks.base_urll: unknown field for the example-tasks adapter"), "\(r.err)")
    }

    @Test func doctorRunsThePluginsChecks() async throws {
        let h = try harness()
        let r = await h.run(["doctor", "--json"])
        #expect(r.code == 0, "\(r.out)\(r.err)")
        let checks = (try JSONParser.parse(r.out))["checks"]?.arrayValue ?? []
        let byPort = Dictionary(uniqueKeysWithValues: checks.compactMap { c in c["port"]?.stringValue.map { ($0, c) } })
        #expect(byPort["tasks"]?["adapter"] == "example-tasks" && byPort["tasks"]?["ok"] == true)
        #expect(byPort["tasks"]?["detail"]?.stringValue?.contains("tasks in process memory") == true, "\(String(describing: byPort["tasks"]))")
        #expect(byPort["notify"]?["detail"]?.stringValue?.contains("notifications.jsonl is writable") == true, "\(String(describing: byPort["notify"]))")
    }
}
