import Foundation

// MARK: - crm

/// The `crm` port: contacts, tickets and notes in the team's CRM.
///
/// ## Implementation requirements
/// - `findOrCreateContact` is idempotent per e-mail (case-insensitive).
/// - `findOpenTicket` returns the most recently updated ticket of the contact
///   whose status is open and which was updated at or after `updatedSince`.
/// - Adapters translate; threading and classification decisions stay in the kernel.
public protocol CRM: Sendable {
    func findOrCreateContact(email: String, name: String?) async throws -> CRMContact
    func createTicket(_ draft: CRMTicketDraft) async throws -> CRMTicket
    func findOpenTicket(contactId: String, updatedSince: String?) async throws -> CRMTicket?
    /// Adds a note; `key` makes it idempotent (a second call with one key adds nothing).
    func addNote(ticketId: String, body: String, at: String, key: String) async throws -> String
    func updateTicket(id: String, properties: [String: JSON]) async throws
    func linkTicket(_ ticketId: String, toContact contactId: String) async throws
}

public struct CRMContact: Sendable, Hashable {
    public var id: String
    public var email: String
    public var name: String?
    public var created: Bool
    public init(id: String, email: String, name: String?, created: Bool) {
        self.id = id; self.email = email; self.name = name; self.created = created
    }
}

public struct CRMTicketDraft: Sendable, Hashable {
    public var subject: String
    public var description: String
    public var contactId: String
    public var properties: [String: JSON]
    /// Idempotency key (the workflow's ticket id): creating twice with one key gives one ticket.
    public var key: String?
    public init(subject: String, description: String, contactId: String, properties: [String: JSON] = [:], key: String? = nil) {
        self.subject = subject; self.description = description; self.contactId = contactId; self.properties = properties
        self.key = key
    }
}

public struct CRMTicket: Sendable, Hashable {
    public var id: String
    public var url: String?
    public var status: String
    public var updatedAt: String?
    public init(id: String, url: String?, status: String, updatedAt: String?) {
        self.id = id; self.url = url; self.status = status; self.updatedAt = updatedAt
    }
}

// MARK: - tasks

/// The `tasks` port: a task tracker (ClickUp, the local store, or none).
public protocol TaskTracker: Sendable {
    func createTask(_ draft: TaskDraft) async throws -> TrackedTask
    func updateDescription(taskId: String, markdown: String) async throws
    func comment(taskId: String, text: String) async throws
}

public struct TaskDraft: Sendable, Hashable {
    public var name: String
    public var markdown: String
    /// Create as a subtask of this task when set.
    public var parentId: String?
    public var assignees: [String]
    /// Idempotency key: creating twice with one key gives one task (adapters search before create when the
    /// remote system has no key of its own).
    public var key: String?
    public init(name: String, markdown: String, parentId: String? = nil, assignees: [String] = [], key: String? = nil) {
        self.name = name; self.markdown = markdown; self.parentId = parentId; self.assignees = assignees; self.key = key
    }
}

public struct TrackedTask: Sendable, Hashable {
    public var id: String
    public var url: String?
    public init(id: String, url: String?) { self.id = id; self.url = url }
}

// MARK: - objects

/// The `objects` port: a bucket of files (a folder, S3, R2).
public protocol ObjectStore: Sendable {
    func put(key: String, data: Data, contentType: String?) async throws -> ObjectInfo
    func get(key: String) async throws -> Data
    /// nil when there is no such object.
    func head(key: String) async throws -> ObjectInfo?
    func delete(key: String) async throws
    /// A URL a person can open: public when the store has one, else presigned
    /// for `expiresIn`; nil when the store can give neither.
    func url(for key: String, expiresIn: Duration) async throws -> String?
}

public struct ObjectInfo: Sendable, Hashable {
    public var key: String
    public var size: Int
    public var contentType: String?
    public var etag: String?
    public init(key: String, size: Int, contentType: String?, etag: String?) {
        self.key = key; self.size = size; self.contentType = contentType; self.etag = etag
    }
}

// MARK: - llm

/// The `llm` port: one structured call, a prompt and a JSON Schema in, a JSON object out.
///
/// ## Implementation requirements
/// The returned `object` has been validated against `request.schema` by the kernel's
/// validator, whatever the provider's own JSON mode promised.
public protocol LanguageModel: Sendable {
    func generate(_ request: LLMRequest) async throws -> LLMResponse
}

public struct LLMRequest: Sendable, Hashable {
    /// A task name (`classify`, `analyse`, `draft_reply`, ...) for logs, prompts and the rules adapter.
    public var task: String
    public var system: String?
    public var prompt: String
    public var schema: JSON
    public var maxOutputTokens: Int
    public init(task: String, system: String? = nil, prompt: String, schema: JSON, maxOutputTokens: Int = 1024) {
        self.task = task; self.system = system; self.prompt = prompt; self.schema = schema; self.maxOutputTokens = maxOutputTokens
    }
}

public struct LLMResponse: Sendable, Hashable {
    public var object: JSON
    public var inputTokens: Int
    public var outputTokens: Int
    public var latency: Duration
    public var provider: String
    public var model: String
    public init(object: JSON, inputTokens: Int, outputTokens: Int, latency: Duration, provider: String, model: String) {
        self.object = object; self.inputTokens = inputTokens; self.outputTokens = outputTokens
        self.latency = latency; self.provider = provider; self.model = model
    }
}

// MARK: - notify

/// The `notify` port: tell the support team something happened.
public protocol Notifier: Sendable {
    func send(_ notification: TeamNotification) async throws
}

public struct TeamNotification: Sendable, Hashable {
    public var subject: String
    public var text: String
    public var ticketId: String?
    public var url: String?
    /// Idempotency key: adapters that can deduplicate (a log file, a Message-ID) use it.
    public var key: String?
    public init(subject: String, text: String, ticketId: String? = nil, url: String? = nil, key: String? = nil) {
        self.subject = subject; self.text = text; self.ticketId = ticketId; self.url = url; self.key = key
    }
}
