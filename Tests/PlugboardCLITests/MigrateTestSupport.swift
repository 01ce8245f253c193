import Foundation
@testable import PlugboardCLI
import PlugboardKernel

/// A scratch folder and `plugboard migrate` run in-process, as a user would type it.
struct MigrateHarness {
    let dir: String
    var environment: [String: String] = [:]

    init() {
        dir = NSTemporaryDirectory() + "pb-migrate-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { dir + "/" + name }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    func read(_ name: String) -> String? {
        FileManager.default.contents(atPath: path(name)).map { String(decoding: $0, as: UTF8.self) }
    }

    func json(_ name: String) throws -> JSON { try JSONParser.parse(read(name) ?? "") }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

    /// Lines of the errors file, parsed.
    func errorLines(_ name: String = "errors.jsonl") throws -> [JSON] {
        try (read(name) ?? "").split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    /// `plugboard migrate ARGS --errors <dir>/<errors>` (none when `errors` is nil).
    func migrate(_ args: [String], errors: String? = "errors.jsonl") async -> (code: Int32, out: String, err: String) {
        let (console, captured) = Console.capturing()
        var argv = ["migrate"] + args
        if let errors { argv += ["--errors", path(errors)] }
        let code = await PlugboardCLI.run(argv, console: console, environment: environment, registry: BuiltinAdapters.registry)
        return (code, captured.out, captured.err)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: dir) }
}

/// A small Freeda-style set with every JSON type, unicode and exact numbers.
enum MigrateSamples {
    static let tickets: [JSON] = [
        try! JSONParser.parse(#"""
        {"ticket_id": "FR-0001", "status": "en cours", "channel": "email", "created_at": "2024-03-01T09:15:00Z",
         "closed_at": null, "resolution_duration": null,
         "analytics": {"sentiment": "négatif", "urgency": 3, "score": 0.875, "tags": ["livraison", "retard"], "escalated": false, "summary": ""},
         "messages": [{"id": "m1", "role": "user", "content": "Bonjour, ma commande n°12345 n'est pas arrivée 📦\nMerci", "timestamp": "2024-03-01T09:15:00Z"}],
         "order_id": 123456789012345678901234567890, "amount": 49.90, "ratio": -1.5e-7, "extra": {"nested": [[], {}, [null, true, "x"]]}}
        """#),
        try! JSONParser.parse(#"""
        {"ticket_id": "FR-0002", "status": "fermé", "channel": "chat", "created_at": "2024-03-02T10:00:00+01:00",
         "closed_at": "2024-03-02T12:00:00Z", "resolution_duration": 10800, "analytics": {}, "messages": []}
        """#),
        try! JSONParser.parse(#"{"ticket_id": "FR-0003", "status": "en cours", "channel": "formulaire", "created_at": "2024-03-05T08:00:00Z"}"#),
    ]

    /// `{"<id>": ticket, ...}` pretty, as people keep their tickets.json.
    static func freeda(_ tickets: [JSON]) -> String {
        var o: [String: JSON] = [:]
        for t in tickets { o[t["ticket_id"]!.stringValue!] = t }
        return JSON.object(o).serialized(pretty: true)
    }

    static func array(_ tickets: [JSON]) -> String { JSON.array(tickets).serialized(pretty: true) }

    static func lines(_ tickets: [JSON]) -> String { tickets.map { $0.serialized() }.joined(separator: "\n") + "\n" }
}
