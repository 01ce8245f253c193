import Foundation
import Glibc
import PlugboardCLI
import Testing

@Suite("plugboard serve")
struct ServeCommandTests {
    /// The command end to end: serves on a free port, answers, and on SIGTERM drains and exits 0.
    @Test func servesAndStopsOnSIGTERM() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pbserve-cmd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let config = dir + "/adapters.json"
        try #"{"storage": {"adapter": "memory"}, "objects": {"adapter": "filesystem", "root": "objects"}, "server": {"event_loops": 1}}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let (console, captured) = Console.capturing()
        let run = Task {
            await PlugboardCLI.run(["serve", "--port", "0", "--config", config], console: console,
                                   environment: ["PLUGBOARD_ADMIN_TOKEN": "tok-123456"])
        }
        var port: Int?
        for _ in 0..<200 where port == nil {
            try await Task.sleep(for: .milliseconds(25))
            if let r = captured.err.range(of: #"http://127\.0\.0\.1:(\d+)/"#, options: .regularExpression) {
                port = Int(captured.err[r].split(separator: ":").last!.dropLast())
            }
        }
        let p = try #require(port, "no listening line in: \(captured.err)")
        #expect(captured.err.contains("admin routes need the bearer token"))
        #expect(!captured.err.contains("tok-123456"))
        let health = try await blocking { try RawClient.request(port: p, "GET", "/health") }
        #expect(health?.status == 200)
        let list = try await blocking { try RawClient.request(port: p, "GET", "/tickets", headers: ["Authorization": "Bearer tok-123456"]) }
        #expect(list?.status == 200)
        kill(getpid(), SIGTERM)
        let code = await run.value
        #expect(code == 0)
        #expect(captured.err.contains("SIGTERM") && captured.err.contains("stopped"))
        #expect(throws: (any Error).self) { _ = try RawClient(port: p) }
    }
}
