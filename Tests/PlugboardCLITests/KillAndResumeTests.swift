import Foundation
@testable import PlugboardCLI
import PlugboardKernel
import Testing

/// The built `plugboard` binary, beside the test bundle.
enum Binary {
    static let url: URL? = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("plugboard")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()

    struct Missing: Error, CustomStringConvertible {
        var description: String { "the plugboard binary is not beside the tests (swift build --build-tests builds it)" }
    }

    static func located() throws -> URL {
        guard let url else { throw Missing() }
        return url
    }

    @discardableResult
    static func run(_ args: [String], cwd: URL) throws -> (code: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = try located()
        p.arguments = args
        p.currentDirectoryURL = cwd
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}

@Suite("a batch killed with SIGKILL resumes exactly once")
struct KillAndResumeTests {
    static func batch(_ n: Int, contacts: Int) -> String {
        (0..<n).map { i -> String in
            let c = i % contacts
            let topic = c % 4 == 0 ? "Pouvez-vous modéliser le scénario \(i) ?" : "Ma commande \(10_000 + i) est en retard."
            return JSON.object(["source": "test", "subject": .string("Demande \(i)"), "description": .string(topic),
                                "user_email": .string("kill\(c)@example.com"), "user_name": .string("Client \(c)"),
                                "message_id": .string("<k\(i)@example.com>"),
                                "received_at": .string(Timestamp.format(1_717_200_000 + Double(i) * 30))]).serialized()
        }.joined(separator: "\n") + "\n"
    }

    @Test(arguments: ["json", "sqlite"])
    func killedBatchThenProcessPending(_ storage: String) async throws {
        guard BuiltinAdapters.registry.entry(port: .storage, name: storage) != nil else { return }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = storage == "json" ? "data/tickets.json" : "data/plugboard.sqlite"
        try Data(#"{"storage": {"adapter": "\#(storage)", "path": "\#(path)"}, "notify": {"adapter": "log", "path": "data/notifications.jsonl"}}"#.utf8)
            .write(to: dir.appendingPathComponent("adapters.json"))
        let n = 80, contacts = 16
        try Data(Self.batch(n, contacts: contacts).utf8).write(to: dir.appendingPathComponent("batch.jsonl"))

        for (round, delay) in [0.05, 0.15, 0.4].enumerated() {
            // Start the batch and kill it without warning part-way.
            let p = Process()
            p.executableURL = try Binary.located()
            p.arguments = ["intake", "--batch", "batch.jsonl", "--concurrency", "4"]
            p.currentDirectoryURL = dir
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            try await Task.sleep(for: .milliseconds(Int(delay * 1000) + round * 10))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        let resumed = try Binary.run(["process-pending"], cwd: dir)
        #expect(resumed.code == 0, "\(resumed.err)")
        // Running the batch again (as a user would) processes nothing twice.
        let again = try Binary.run(["intake", "--batch", "batch.jsonl"], cwd: dir)
        #expect(again.code == 0, "\(again.err)")

        let listed = try Binary.run(["tickets", "list", "--json"], cwd: dir)
        let tickets = try JSONParser.parse(listed.out).arrayValue ?? []
        let messageIds = tickets.flatMap { $0["messages"]?.arrayValue ?? [] }.compactMap { $0["id"]?.stringValue }
        #expect(tickets.count == contacts, "one ticket per customer")
        #expect(messageIds.count == n, "every request exactly once: \(messageIds.count)")
        #expect(Set(messageIds).count == messageIds.count)
        let notes = try String(contentsOf: dir.appendingPathComponent("data/notifications.jsonl"), encoding: .utf8)
            .split(separator: "\n").compactMap { try? JSONParser.parse(String($0))["key"]?.stringValue }
        #expect(notes.count == n, "one notification per request: \(notes.count)")
        #expect(Set(notes).count == notes.count)
        let stats = try Binary.run(["stats", "--json"], cwd: dir)
        let jobs = try JSONParser.parse(stats.out)["jobs"]
        #expect(jobs?["done"] == JSON(n))
        #expect(jobs?["pending"] == 0 && jobs?["running"] == 0 && jobs?["failed"] == 0)
    }
}
