import Foundation
@testable import PlugboardCLI
import PlugboardKernel

/// Runs the CLI in-process against a registry whose `memory` store is shared
/// across invocations, so a test can list what a previous command wrote.
struct CLIHarness {
    let store = MemoryStore()
    let dir: URL
    var registry: Registry

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let shared = store
        var r = BuiltinAdapters.registry
        r.register(Registry.Entry(MemoryStore.descriptor, .storage { _, _ in shared }))
        registry = r
        try write("adapters.json", #"{"storage": {"adapter": "memory"}}"#)
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: dir.appendingPathComponent(name))
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// Runs `plugboard <args> --config <dir>/adapters.json` unless the args name a config.
    func run(_ args: [String], config: Bool = true, env: [String: String] = [:]) async -> (code: Int32, out: String, err: String) {
        let (console, captured) = Console.capturing()
        var argv = args
        if config && !args.contains("--config") && !args.contains("--help") { argv += ["--config", path("adapters.json")] }
        let code = await PlugboardCLI.run(argv, console: console, environment: env, registry: registry)
        return (code, captured.out, captured.err)
    }

    func seed(_ tickets: [JSON]) async throws {
        try await store.batchPut(.tickets, tickets.map { Document(id: $0["ticket_id"]!.stringValue!, body: $0) })
    }

    func cleanup() { try? FileManager.default.removeItem(at: dir) }
}

let sampleTickets: [JSON] = [
    [
        "ticket_id": "T1", "status": "en cours", "channel": "email", "created_at": "2024-03-01T09:00:00Z",
        "closed_at": nil, "resolution_duration": nil,
        "analytics": ["sentiment": "négatif", "category": "late_delivery", "urgency": "high", "summary": "Colis en retard, \"urgent\""],
        "messages": [
            ["id": "m1", "role": "user", "content": "Où est ma commande ?", "timestamp": "2024-03-01T09:00:00Z"],
            ["id": "m2", "role": "user", "content": "Toujours rien", "timestamp": "2024-03-01T09:10:00Z"],
            ["id": "m3", "role": "assistant", "content": "Nous regardons.", "timestamp": "2024-03-01T09:30:00Z"],
            ["id": "m4", "role": "user", "content": "Merci", "timestamp": "2024-03-01T10:00:00Z"],
            ["id": "m5", "role": "assistant", "content": "Expédié.", "timestamp": "2024-03-01T11:00:00Z"],
        ],
        "custom": ["kept": true],
    ],
    [
        "ticket_id": "T2", "status": "fermé", "channel": "chat", "created_at": "2024-03-02T10:00:00+01:00",
        "closed_at": "2024-03-02T12:00:00Z", "resolution_duration": 10800,
        "analytics": ["sentiment": "positif", "category": "refund", "urgency": "low", "summary": "Remboursement"],
        "messages": [["id": "a", "role": "user", "content": "Refund please", "timestamp": "2024-03-02T09:00:00Z"]],
    ],
    [
        "ticket_id": "T3", "status": "en cours", "channel": "chat", "created_at": "2024-03-05T08:00:00Z",
        "analytics": [:], "messages": [],
    ],
]
