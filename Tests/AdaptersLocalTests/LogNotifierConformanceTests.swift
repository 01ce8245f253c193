import AdaptersLocal
import Foundation
import PlugboardConformance
import PlugboardKernel
import Testing

/// The log notifier over a fresh JSON-lines file per case; its log lines are captured too.
struct LogNotifierHarness: NotifierHarness {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plugboard-notify-conformance").path

    func open() async throws -> any Notifier {
        LogNotifier(logger: LogCapture.logger(), path: dir + "/\(UUID().uuidString).jsonl")
    }

    func delivered(_ notifier: any Notifier, subjectContaining marker: String, expected: Int) async throws -> [DeliveredNotification] {
        // Appends are done when `send` returns: nothing to wait for.
        let path = (notifier as! LogNotifier).path!
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var found: [DeliveredNotification] = []
        try JSONParser.parseLines([UInt8](data)) { line, _ in
            let subject = line["subject"]?.stringValue ?? ""
            guard subject.contains(marker) else { return }
            found.append(DeliveredNotification(subject: subject, text: line["text"]?.stringValue ?? "",
                                               ticketId: line["ticket_id"]?.stringValue, raw: line.serialized()))
        }
        return found
    }

    func recorded(_ notifier: any Notifier) async throws -> String {
        let log = notifier as! LogNotifier
        let file = (try? String(contentsOfFile: log.path!, encoding: .utf8)) ?? ""
        return file + LogCapture.lines(log.logger.label).joined(separator: "\n")
    }

    var deduplicatesByKey: Bool { true }

    /// /dev/full takes the open and fails every write with ENOSPC: a full disk.
    func openUnreachable() async throws -> UnreachableNotifier {
        UnreachableNotifier(LogNotifier(logger: LogCapture.logger(), path: "/dev/full"), attempts: { nil })
    }
}

@Suite("log notifier conformance")
struct LogNotifierConformanceTests {
    @Test(arguments: NotifierConformance.cases)
    func conformance(_ c: NotifierConformance.Case) async throws {
        try await c.run(LogNotifierHarness())
    }
}
