import Foundation
import Synchronization

/// Injects failures around any port, for chaos tests and `plugboard bench chaos`.
///
/// A fault happens either before the call (nothing done) or after it (the call
/// took effect, then the caller saw a timeout or a reset): the second kind is
/// what makes retries dangerous, and what idempotent steps must survive.
public final class FaultPlan: Sendable {
    public enum Kind: String, Sendable, CaseIterable { case serverError = "500", rateLimited = "429", timeout, reset }

    public let rate: Double
    private let state: Mutex<(rng: UInt64, injected: [String: Int], calls: Int)>

    public init(rate: Double, seed: UInt64 = 0x5EED) {
        self.rate = rate
        self.state = Mutex((seed | 1, [:], 0))
    }

    /// Faults injected so far, by kind.
    public var injected: [String: Int] { state.withLock { $0.injected } }
    public var calls: Int { state.withLock { $0.calls } }

    func roll() -> (Kind, after: Bool)? {
        state.withLock { s in
            s.calls += 1
            func next() -> Double {
                s.rng ^= s.rng << 13; s.rng ^= s.rng >> 7; s.rng ^= s.rng << 17
                return Double(s.rng >> 11) / Double(1 << 53)
            }
            guard next() < rate else { return nil }
            let kind = Kind.allCases[Int(next() * 4) % 4]
            let after = kind == .timeout || kind == .reset ? next() < 0.5 : false
            s.injected[kind.rawValue + (after ? " after effect" : ""), default: 0] += 1
            return (kind, after)
        }
    }

    func error(_ kind: Kind, _ adapter: String, _ op: String) -> PlugboardError {
        switch kind {
        case .serverError: return PlugboardError(.unavailable, "injected HTTP 500 in \(op)", adapter: adapter, retryable: true)
        case .rateLimited: return PlugboardError(.rateLimited, "injected HTTP 429 in \(op)", adapter: adapter, retryAfter: .milliseconds(5))
        case .timeout: return PlugboardError(.unavailable, "injected timeout in \(op)", adapter: adapter, retryable: true)
        case .reset: return PlugboardError(.unavailable, "injected connection reset in \(op)", adapter: adapter, retryable: true)
        }
    }

    /// Runs `body` under the plan.
    public func call<T>(_ adapter: String, _ op: String, _ body: () async throws -> T) async throws -> T {
        guard let (kind, after) = roll() else { return try await body() }
        if after {
            _ = try await body()
        }
        throw error(kind, adapter, op)
    }
}

public struct FaultyStore: DocumentStore {
    public let base: any DocumentStore
    public let plan: FaultPlan
    public init(_ base: any DocumentStore, _ plan: FaultPlan) { self.base = base; self.plan = plan }
    public func get(_ c: CollectionSpec, id: String) async throws -> StoredDocument? {
        try await plan.call("storage", "get") { try await base.get(c, id: id) }
    }
    public func put(_ c: CollectionSpec, id: String, body: JSON, condition: WriteCondition) async throws -> Int64 {
        try await plan.call("storage", "put") { try await base.put(c, id: id, body: body, condition: condition) }
    }
    public func delete(_ c: CollectionSpec, id: String, condition: WriteCondition) async throws -> Bool {
        try await plan.call("storage", "delete") { try await base.delete(c, id: id, condition: condition) }
    }
    public func query(_ c: CollectionSpec, _ q: IndexQuery) async throws -> Page {
        try await plan.call("storage", "query") { try await base.query(c, q) }
    }
    public func batchPut(_ c: CollectionSpec, _ documents: [Document]) async throws {
        try await plan.call("storage", "batchPut") { try await base.batchPut(c, documents) }
    }
    public func scan(_ c: CollectionSpec, batchSize: Int) -> AsyncThrowingStream<[StoredDocument], any Error> {
        base.scan(c, batchSize: batchSize)
    }
    public func count(_ c: CollectionSpec) async throws -> Int { try await base.count(c) }
    public func close() async throws { try await base.close() }
}

public struct FaultyCRM: CRM {
    public let base: any CRM
    public let plan: FaultPlan
    public init(_ base: any CRM, _ plan: FaultPlan) { self.base = base; self.plan = plan }
    public func findOrCreateContact(email: String, name: String?) async throws -> CRMContact {
        try await plan.call("crm", "findOrCreateContact") { try await base.findOrCreateContact(email: email, name: name) }
    }
    public func createTicket(_ draft: CRMTicketDraft) async throws -> CRMTicket {
        try await plan.call("crm", "createTicket") { try await base.createTicket(draft) }
    }
    public func findOpenTicket(contactId: String, updatedSince: String?) async throws -> CRMTicket? {
        try await plan.call("crm", "findOpenTicket") { try await base.findOpenTicket(contactId: contactId, updatedSince: updatedSince) }
    }
    public func ticket(id: String) async throws -> CRMTicket? {
        try await plan.call("crm", "ticket") { try await base.ticket(id: id) }
    }
    public func addNote(ticketId: String, body: String, at: String, key: String) async throws -> String {
        try await plan.call("crm", "addNote") { try await base.addNote(ticketId: ticketId, body: body, at: at, key: key) }
    }
    public func updateTicket(id: String, properties: [String: JSON]) async throws {
        try await plan.call("crm", "updateTicket") { try await base.updateTicket(id: id, properties: properties) }
    }
    public func linkTicket(_ ticketId: String, toContact contactId: String) async throws {
        try await plan.call("crm", "linkTicket") { try await base.linkTicket(ticketId, toContact: contactId) }
    }
}

public struct FaultyTasks: TaskTracker {
    public let base: any TaskTracker
    public let plan: FaultPlan
    public init(_ base: any TaskTracker, _ plan: FaultPlan) { self.base = base; self.plan = plan }
    public func createTask(_ draft: TaskDraft) async throws -> TrackedTask {
        try await plan.call("tasks", "createTask") { try await base.createTask(draft) }
    }
    public func updateDescription(taskId: String, markdown: String) async throws {
        try await plan.call("tasks", "updateDescription") { try await base.updateDescription(taskId: taskId, markdown: markdown) }
    }
    public func comment(taskId: String, text: String) async throws {
        try await plan.call("tasks", "comment") { try await base.comment(taskId: taskId, text: text) }
    }
}

public struct FaultyNotifier: Notifier {
    public let base: any Notifier
    public let plan: FaultPlan
    public init(_ base: any Notifier, _ plan: FaultPlan) { self.base = base; self.plan = plan }
    public func send(_ n: TeamNotification) async throws {
        try await plan.call("notify", "send") { try await base.send(n) }
    }
}

public struct FaultyLanguageModel: LanguageModel {
    public let base: any LanguageModel
    public let plan: FaultPlan
    public init(_ base: any LanguageModel, _ plan: FaultPlan) { self.base = base; self.plan = plan }
    public func generate(_ request: LLMRequest) async throws -> LLMResponse {
        try await plan.call("llm", "generate") { try await base.generate(request) }
    }
}

public struct FaultyObjects: ObjectStore {
    public let base: any ObjectStore
    public let plan: FaultPlan
    public init(_ base: any ObjectStore, _ plan: FaultPlan) { self.base = base; self.plan = plan }
    public func put(key: String, data: Data, contentType: String?) async throws -> ObjectInfo {
        try await plan.call("objects", "put") { try await base.put(key: key, data: data, contentType: contentType) }
    }
    public func get(key: String) async throws -> Data { try await plan.call("objects", "get") { try await base.get(key: key) } }
    public func head(key: String) async throws -> ObjectInfo? { try await plan.call("objects", "head") { try await base.head(key: key) } }
    public func delete(key: String) async throws { try await plan.call("objects", "delete") { try await base.delete(key: key) } }
    public func url(for key: String, expiresIn: Duration) async throws -> String? {
        try await plan.call("objects", "url") { try await base.url(for: key, expiresIn: expiresIn) }
    }
}
