import Foundation
@testable import PlugboardCLI
import PlugboardKernel
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The built `plugboard` binary migrating into moto, killed with SIGKILL at
/// random points, then `--resume`d: the table ends up an exact copy of the
/// source, and every bad record is in the errors file exactly once.
@Suite("migrate: kill -9 and --resume (moto)", .enabled(if: TestServers.motoReachable || TestServers.motoRequired, "needs moto (Scripts/test.sh)"))
struct MigrateKillTests {
    /// `.build/<config>/plugboard`, beside this test bundle (`swift build` builds both).
    static func executable() throws -> String {
        let bundle = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        var dir = URL(fileURLWithPath: bundle).deletingLastPathComponent()
        if dir.lastPathComponent == "MacOS" || dir.pathExtension == "xctest" { dir = dir.deletingLastPathComponent() }
        let path = dir.appendingPathComponent("plugboard").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw PlugboardError.internal("no plugboard executable at \(path); run `swift build` (Scripts/test.sh does) first")
        }
        return path
    }

    /// 4,000 tickets as JSON Lines, with a bad record every 700 lines and a conflicting repeat every 1,100.
    static func source() -> (text: String, valid: [JSON], bad: Int) {
        let generator = TicketGenerator(seed: 7)
        var lines: [String] = []
        var valid: [JSON] = []
        var bad = 0
        for i in 0..<4_000 {
            if i % 700 == 350 {
                lines.append(#"{"status": "en cours", "note": "no id"}"#)
                bad += 1
            } else if i % 1_100 == 550 {
                var repeated = generator.ticket(i - 500)
                repeated["status"] = "changed"
                lines.append(repeated.serialized())
                bad += 1
            } else {
                let t = generator.ticket(i)
                lines.append(t.serialized())
                valid.append(t)
            }
        }
        return (lines.joined(separator: "\n") + "\n", valid, bad)
    }

    /// Starts `plugboard migrate`, waits until its checkpoint passes `after` records (plus a random moment), kills it.
    /// Returns the watermark seen just before the kill.
    static func runAndKill(_ binary: String, _ args: [String], checkpoint: String, after: Int, log: String) async throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["migrate"] + args
        var env = ProcessInfo.processInfo.environment
        for (k, v) in TestServers.awsEnvironment { env[k] = v }
        process.environment = env
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = ContinuousClock.now + .seconds(120)
        var seen = 0
        while ContinuousClock.now < deadline && process.isRunning {
            if let cp = try? MigrationCheckpoint.load(checkpoint), cp.doneBelow >= after {
                seen = cp.doneBelow
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(process.isRunning, "the migration ended before it could be killed: \(String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self))")
        // The kill point is already random (`after`); waiting longer here let a fast run finish first.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try handle.close()
        #expect(process.terminationReason == .uncaughtSignal)
        return seen
    }

    @Test("killed twice at random points, --resume finishes an exact copy; each bad record is listed once")
    func killAndResume() async throws {
        let binary = try Self.executable()
        var h = MigrateHarness()
        h.environment = TestServers.awsEnvironment
        defer { h.cleanup() }
        let (text, valid, bad) = Self.source()
        let path = try h.write("tickets.jsonl", text)
        let table = TestServers.uniqueTable("mig-kill")
        let errors = h.path("errors.jsonl")
        // A checkpoint every 50 ms: a run of a second or two passes many kill points (with the default
        // second, a resumed run could finish before its first checkpoint and never be killed).
        let args = ["--from", path, "--to", try TestServers.dynamodb(table), "--errors", errors, "--concurrency", "4",
                    "--checkpoint-every", "0.05"]
        let checkpoint = MigrationCheckpoint.path(forErrors: errors)

        let first = try await Self.runAndKill(binary, args + ["--create-table"], checkpoint: checkpoint,
                                              after: Int.random(in: 300...1_000), log: h.path("run1.log"))
        let second = try await Self.runAndKill(binary, args + ["--resume"], checkpoint: checkpoint,
                                               after: first + Int.random(in: 200...800), log: h.path("run2.log"))
        #expect(second > first)
        let log2 = h.read("run2.log") ?? ""
        #expect(!log2.contains("starting over"), "the second run resumed: \(log2)")

        let last = await h.migrate(args + ["--resume", "--verify"], errors: nil)
        #expect(last.code == 1, "bad records keep the exit code non-zero: \(last.out)\(last.err)")
        #expect(last.out.contains("resumed at record"), "\(last.out)")
        #expect(last.out.contains("migrated \(MigrationProgress.grouped(valid.count)) · skipped 0 · failed \(bad)"), "\(last.out)")
        #expect(last.out.contains("target \(MigrationProgress.grouped(valid.count)): identical"), "\(last.out)")

        let lines = try h.errorLines()
        #expect(lines.count == bad, "each bad record once, across three runs")
        #expect(Set(lines.compactMap { $0["seq"]?.intValue }).count == bad)
        let items = try TestServers.itemsReadByBoto3(table)
        #expect(items.count == valid.count)
        let byID = Dictionary(items.map { ($0["ticket_id"]!.stringValue!, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(valid.allSatisfy { byID[$0["ticket_id"]!.stringValue!] == $0 }, "boto3 reads each ticket as written")
        #expect(try MigrationCheckpoint.load(checkpoint)?.complete == true)
    }
}
