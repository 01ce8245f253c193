import Foundation

// The policy layer around the ports other than storage (`PolicyStore`): each
// method forwards through `policy.call(operation:)` under the method's name.

/// A `CRM` under a `CallPolicy`.
public struct PolicyCRM: CRM {
    public let base: any CRM
    public let policy: CallPolicy
    public init(_ base: any CRM, policy: CallPolicy) { self.base = base; self.policy = policy }

    public func findOrCreateContact(email: String, name: String?) async throws -> CRMContact {
        try await policy.call(operation: "findOrCreateContact") { [base] in try await base.findOrCreateContact(email: email, name: name) }
    }
    public func createTicket(_ draft: CRMTicketDraft) async throws -> CRMTicket {
        try await policy.call(operation: "createTicket") { [base] in try await base.createTicket(draft) }
    }
    public func findOpenTicket(contactId: String, updatedSince: String?) async throws -> CRMTicket? {
        try await policy.call(operation: "findOpenTicket") { [base] in
            try await base.findOpenTicket(contactId: contactId, updatedSince: updatedSince)
        }
    }
    public func ticket(id: String) async throws -> CRMTicket? {
        try await policy.call(operation: "ticket") { [base] in try await base.ticket(id: id) }
    }
    public func addNote(ticketId: String, body: String, at: String, key: String) async throws -> String {
        try await policy.call(operation: "addNote") { [base] in try await base.addNote(ticketId: ticketId, body: body, at: at, key: key) }
    }
    public func updateTicket(id: String, properties: [String: JSON]) async throws {
        try await policy.call(operation: "updateTicket") { [base] in try await base.updateTicket(id: id, properties: properties) }
    }
    public func linkTicket(_ ticketId: String, toContact contactId: String) async throws {
        try await policy.call(operation: "linkTicket") { [base] in try await base.linkTicket(ticketId, toContact: contactId) }
    }
}

/// A `TaskTracker` under a `CallPolicy`.
public struct PolicyTasks: TaskTracker {
    public let base: any TaskTracker
    public let policy: CallPolicy
    public init(_ base: any TaskTracker, policy: CallPolicy) { self.base = base; self.policy = policy }

    public func createTask(_ draft: TaskDraft) async throws -> TrackedTask {
        try await policy.call(operation: "createTask") { [base] in try await base.createTask(draft) }
    }
    public func updateDescription(taskId: String, markdown: String) async throws {
        try await policy.call(operation: "updateDescription") { [base] in try await base.updateDescription(taskId: taskId, markdown: markdown) }
    }
    public func comment(taskId: String, text: String) async throws {
        try await policy.call(operation: "comment") { [base] in try await base.comment(taskId: taskId, text: text) }
    }
}

/// An `ObjectStore` under a `CallPolicy`.
public struct PolicyObjects: ObjectStore {
    public let base: any ObjectStore
    public let policy: CallPolicy
    public init(_ base: any ObjectStore, policy: CallPolicy) { self.base = base; self.policy = policy }

    public func put(key: String, data: Data, contentType: String?) async throws -> ObjectInfo {
        try await policy.call(operation: "put") { [base] in try await base.put(key: key, data: data, contentType: contentType) }
    }
    public func get(key: String) async throws -> Data {
        try await policy.call(operation: "get") { [base] in try await base.get(key: key) }
    }
    public func head(key: String) async throws -> ObjectInfo? {
        try await policy.call(operation: "head") { [base] in try await base.head(key: key) }
    }
    public func delete(key: String) async throws {
        try await policy.call(operation: "delete") { [base] in try await base.delete(key: key) }
    }
    public func url(for key: String, expiresIn: Duration) async throws -> String? {
        try await policy.call(operation: "url") { [base] in try await base.url(for: key, expiresIn: expiresIn) }
    }
}

/// A `LanguageModel` under a `CallPolicy`. In a fallback chain, each link has one of its own.
public struct PolicyLanguageModel: LanguageModel {
    public let base: any LanguageModel
    public let policy: CallPolicy
    public init(_ base: any LanguageModel, policy: CallPolicy) { self.base = base; self.policy = policy }

    public func generate(_ request: LLMRequest) async throws -> LLMResponse {
        try await policy.call(operation: "generate") { [base] in try await base.generate(request) }
    }
}

/// A `Notifier` under a `CallPolicy`.
public struct PolicyNotifier: Notifier {
    public let base: any Notifier
    public let policy: CallPolicy
    public init(_ base: any Notifier, policy: CallPolicy) { self.base = base; self.policy = policy }

    public func send(_ notification: TeamNotification) async throws {
        try await policy.call(operation: "send") { [base] in try await base.send(notification) }
    }
}
