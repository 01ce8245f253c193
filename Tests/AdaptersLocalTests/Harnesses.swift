import AdaptersLocal
import PlugboardConformance
import PlugboardKernel

/// A store that hands control back to the scheduler before every call and
/// serves queries in pages of at most two documents: it widens the windows
/// concurrent callers race in, and forces every query through its cursor.
final class InterleavingStore: DocumentStore {
    let base = MemoryStore()

    func get(_ c: CollectionSpec, id: String) async throws -> StoredDocument? {
        await Task.yield()
        return try await base.get(c, id: id)
    }
    func put(_ c: CollectionSpec, id: String, body: JSON, condition: WriteCondition) async throws -> Int64 {
        await Task.yield()
        return try await base.put(c, id: id, body: body, condition: condition)
    }
    func delete(_ c: CollectionSpec, id: String, condition: WriteCondition) async throws -> Bool {
        await Task.yield()
        return try await base.delete(c, id: id, condition: condition)
    }
    func query(_ c: CollectionSpec, _ q: IndexQuery) async throws -> Page {
        await Task.yield()
        var small = q
        small.limit = min(q.limit, 2)
        return try await base.query(c, small)
    }
    func batchPut(_ c: CollectionSpec, _ documents: [Document]) async throws {
        await Task.yield()
        try await base.batchPut(c, documents)
    }
    func scan(_ c: CollectionSpec, batchSize: Int) -> AsyncThrowingStream<[StoredDocument], any Error> {
        base.scan(c, batchSize: batchSize)
    }
}

/// The local CRM over a fresh store per case, built through its registry entry.
struct LocalCRMHarness: CRMHarness {
    let makeStore: @Sendable () -> any DocumentStore

    func open() async throws -> any CRM {
        let registry = Registry([LocalCRM.registryEntry])
        let context = AdapterContext(registry: registry, storage: makeStore())
        return try await registry.makeCRM(AdapterSettings(port: .crm, adapter: "local"), context)
    }
    var closingProperties: [String: JSON] { ["status": "fermé"] }
    var textProperty: String { "summary" }
    var ticketsHaveURLs: Bool { false }
    var findOrCreateIsAtomic: Bool { true }
    var searchDelay: Duration { .zero }

    func noteBodies(_ crm: any CRM, ticketId: String) async throws -> [String]? {
        let store = (crm as! LocalCRM).store
        let messages = try await store.get(.tickets, id: ticketId)?.body["messages"]?.arrayValue ?? []
        // Notes are the messages after the first, which is the ticket's description.
        return messages.dropFirst().compactMap { $0["content"]?.stringValue }
    }
}

/// The local task tracker over a fresh store per case, built through its registry entry.
struct LocalTasksHarness: TaskTrackerHarness {
    let makeStore: @Sendable () -> any DocumentStore

    func open() async throws -> any TaskTracker {
        let registry = Registry([LocalTaskTracker.registryEntry])
        let context = AdapterContext(registry: registry, storage: makeStore())
        return try await registry.makeTasks(AdapterSettings(port: .tasks, adapter: "local"), context)
    }
    var discardsTasks: Bool { false }
    var tasksHaveURLs: Bool { false }
    var canInspect: Bool { true }

    func inspect(_ tracker: any TaskTracker, taskId: String) async throws -> InspectedTask? {
        let store = (tracker as! LocalTaskTracker).store
        guard let body = try await store.get(LocalTaskTracker.collection, id: taskId)?.body else { return nil }
        return InspectedTask(name: body["name"]?.stringValue ?? "", markdown: body["markdown"]?.stringValue ?? "",
                             parentId: body["parent_id"]?.stringValue,
                             comments: (body["comments"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue })
    }
}

/// The `none` tracker: the suite checks only that calls succeed.
struct DiscardingTasksHarness: TaskTrackerHarness {
    func open() async throws -> any TaskTracker {
        let registry = Registry([DiscardingTaskTracker.registryEntry])
        return try await registry.makeTasks(AdapterSettings(port: .tasks, adapter: "none"), AdapterContext(registry: registry))
    }
    var discardsTasks: Bool { true }
    var tasksHaveURLs: Bool { false }
    var canInspect: Bool { false }
    func inspect(_ tracker: any TaskTracker, taskId: String) async throws -> InspectedTask? { nil }
}
