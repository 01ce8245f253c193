import Foundation
import PlugboardConformance
import PlugboardKernel
import Synchronization
import Testing

/// The file-notify example plugin, loaded from adapters.json, under the policy layer:
/// a fresh JSON-lines file per case, read back as delivered.
final class FileNotifyPluginHarness: NotifierHarness {
    let library: String
    private let path = Mutex<String?>(nil)

    init() throws { library = try PluginBuilds.example(folder: "plugin-file-notify") }

    func notifier(writingTo file: String) async throws -> any Notifier {
        let config = try PluginBuilds.config(#"""
            {"plugins": ["\#(library)"], "storage": {"adapter": "memory"}, "notify": {"adapter": "example-file-notify", "path": "\#(file)"}}
            """#)
        return try await Adapters(config: config, registry: Registry([MemoryStore.registryEntry])).notifier()
    }

    func open() async throws -> any Notifier {
        let file = PluginBuilds.dir + "/notify-conformance-\(UUID().uuidString).jsonl"
        path.withLock { $0 = file }
        return try await notifier(writingTo: file)
    }

    func delivered(_ notifier: any Notifier, subjectContaining marker: String, expected: Int) async throws -> [DeliveredNotification] {
        guard let file = path.withLock({ $0 }), let data = FileManager.default.contents(atPath: file) else { return [] }
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
        guard let file = path.withLock({ $0 }) else { return "" }
        return (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
    }

    var deduplicatesByKey: Bool { true }

    /// /dev/full opens and fails every write with ENOSPC: a full disk.
    func openUnreachable() async throws -> UnreachableNotifier {
        UnreachableNotifier(try await notifier(writingTo: "/dev/full"), attempts: { nil })
    }
}

@Suite("the file-notify example plugin: notify conformance")
struct PluginNotifyExampleTests {
    @Test(arguments: NotifierConformance.cases)
    func notifyConformance(_ c: NotifierConformance.Case) async throws {
        try await c.run(try FileNotifyPluginHarness())
    }
}
