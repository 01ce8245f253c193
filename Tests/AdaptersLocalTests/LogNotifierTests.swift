import AdaptersLocal
import Foundation
import PlugboardKernel
import Synchronization
import Testing

/// Captures the kernel logger's lines for the labels these tests use; other
/// lines still go to stderr. Installed once: the sink is process-wide.
enum LogCapture {
    static let captured = Mutex<[String]>([])
    static let installed: Bool = {
        Logger.sink.withLock { sink in
            sink = { line in
                if line.contains("notify-test-") {
                    LogCapture.captured.withLock { $0.append(line) }
                } else {
                    FileHandle.standardError.write(Data((line + "\n").utf8))
                }
            }
        }
        return true
    }()

    static func lines(_ label: String) -> [String] {
        _ = installed
        return captured.withLock { $0.filter { $0.contains(label) } }
    }

    /// A logger with a label no other test uses, with info enabled.
    static func logger() -> Logger {
        _ = installed
        Logger.configure(level: .info)
        return Logger(label: "notify-test-" + String(UInt64.random(in: 0..<UInt64.max), radix: 36))
    }
}

@Suite("log notifier")
struct LogNotifierTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plugboard-notify-\(UUID().uuidString)").path

    @Test func oneLogLinePerNotificationAndOneJSONLineInTheFile() async throws {
        let logger = LogCapture.logger()
        let path = dir + "/sub/notifications.jsonl"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let notifier = LogNotifier(logger: logger, path: path)
        try await notifier.send(TeamNotification(subject: "Nouveau ticket TKT-1", text: "Client: alice@example.com\nUrgence: haute",
                                                 ticketId: "TKT-1", url: "https://crm.example.com/tickets/TKT-1"))
        try await notifier.send(TeamNotification(subject: "Second", text: "é 🎫"))
        let lines = LogCapture.lines(logger.label)
        #expect(lines.count == 2)
        #expect(lines.first?.contains(" info \(logger.label): notification: Nouveau ticket TKT-1") == true)
        #expect(lines.first?.contains("ticket_id=TKT-1") == true)
        #expect(lines.first?.contains("text=Client: alice@example.com\\nUrgence: haute") == true, "\(lines)")
        let fileLines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(fileLines.count == 2)
        let first = try JSONParser.parse(String(fileLines[0]))
        #expect(first["subject"] == "Nouveau ticket TKT-1")
        #expect(first["text"] == "Client: alice@example.com\nUrgence: haute")
        #expect(first["ticket_id"] == "TKT-1")
        #expect(first["url"] == "https://crm.example.com/tickets/TKT-1")
        #expect(Timestamp.parse(first["ts"]?.stringValue ?? "") != nil)
        let second = try JSONParser.parse(String(fileLines[1]))
        #expect(second["text"] == "é 🎫")
        #expect(second["ticket_id"] == nil)
    }

    @Test func secretsInURLsNeverReachTheLogOrTheFile() async throws {
        let logger = LogCapture.logger()
        let path = dir + "/n.jsonl"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let presigned = "https://bucket.s3.amazonaws.com/att/f.pdf?X-Amz-Credential=AKIDEXAMPLE&X-Amz-Signature=deadbeefcafe"
        try await LogNotifier(logger: logger, path: path).send(TeamNotification(
            subject: "Pièce jointe https://user:hunter2@files.example.com/x?token=s3cr3t",
            text: "Voir \(presigned) (lien)", ticketId: "T", url: presigned))
        let logged = LogCapture.lines(logger.label).joined(separator: "\n")
        let written = try String(contentsOfFile: path, encoding: .utf8)
        for secret in ["AKIDEXAMPLE", "deadbeefcafe", "hunter2", "s3cr3t"] {
            #expect(!logged.contains(secret), "log line leaks \(secret): \(logged)")
            #expect(!written.contains(secret), "file leaks \(secret): \(written)")
        }
        #expect(written.contains("https://bucket.s3.amazonaws.com/att/f.pdf?***"))
        #expect(written.contains("https://***@files.example.com/x?***"))
        #expect(written.contains(" (lien)"), "text around a URL is kept")
    }

    @Test func concurrentSendsWriteWholeLines() async throws {
        let path = dir + "/n.jsonl"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let notifier = LogNotifier(logger: LogCapture.logger(), path: path)
        try await withThrowingTaskGroup(of: Void.self) { g in
            for i in 0..<40 {
                g.addTask { try await notifier.send(TeamNotification(subject: "n\(i)", text: String(repeating: "x", count: 5000))) }
            }
            try await g.waitForAll()
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 40)
        let subjects = try lines.map { try JSONParser.parse(String($0))["subject"]?.stringValue ?? "" }
        #expect(Set(subjects) == Set((0..<40).map { "n\($0)" }))
    }

    @Test func anUnwritablePathIsAnError() async throws {
        try FileManager.default.createDirectory(atPath: dir + "/a-folder", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let e = await #expect(throws: PlugboardError.self) {
            try await LogNotifier(logger: LogCapture.logger(), path: dir + "/a-folder").send(TeamNotification(subject: "s", text: "t"))
        }
        #expect(e?.adapter == "log")
        #expect(e?.message.contains(dir + "/a-folder") == true)
    }

    @Test func theFactoryResolvesPathAgainstTheConfigFolder() async throws {
        let registry = Registry([LogNotifier.registryEntry])
        let settings = AdapterSettings(port: .notify, adapter: "log", values: ["path": "logs/n.jsonl"], directory: "/srv/plugboard")
        let n = try await registry.makeNotifier(settings, AdapterContext(registry: registry))
        #expect((n as? LogNotifier)?.path == "/srv/plugboard/logs/n.jsonl")
        let bare = try await registry.makeNotifier(AdapterSettings(port: .notify, adapter: "log"), AdapterContext(registry: registry))
        #expect((bare as? LogNotifier)?.path == nil)
    }
}
