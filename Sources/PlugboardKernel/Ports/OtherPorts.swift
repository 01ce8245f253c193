import Foundation

// MARK: - crm

/// The `crm` port: contacts, tickets and notes in the team's CRM.
///
/// ## Implementation requirements
/// - `findOrCreateContact` is idempotent per e-mail, compared case-insensitively
///   after trimming spaces: a second call returns the same contact with
///   `created == false`. Where the backend keeps e-mails unique, concurrent calls
///   for one address also return one contact (create; on a conflict, read it).
///   An address that is not `local@domain` is refused with `.invalidInput`.
/// - `createTicket` links the new ticket to `draft.contactId` and returns its id,
///   and a `url` a person can open when the CRM has ticket pages.
/// - `findOpenTicket` returns, among the open tickets linked to the contact
///   (by `createTicket` or `linkTicket`), the one updated most recently, provided
///   it was updated at or after `updatedSince` (ISO 8601, any offset); nil when
///   there is none. Closed tickets are ignored. What counts as closed is the
///   backend's (a pipeline stage, configured statuses). A malformed
///   `updatedSince` is `.invalidInput`.
/// - `ticket(id:)` reads a ticket back, nil when there is none; its `properties`
///   include what `updateTicket` set.
/// - `updateTicket` merges `properties` into the ticket and advances `updatedAt`.
/// - `addNote` attaches a note written at `at` (ISO 8601; malformed is
///   `.invalidInput`) and returns the note's id.
/// - `linkTicket` associates one more contact with a ticket; idempotent.
/// - `addNote`, `updateTicket` and `linkTicket` on an unknown ticket throw `.notFound`.
/// - Text (names, subjects, notes) is kept as given: any Unicode, newlines.
/// - Adapters translate; threading and classification decisions stay in the kernel.
/// - The conformance suite is `CRMConformance` (PlugboardConformance).
public protocol CRM: Sendable {
    func findOrCreateContact(email: String, name: String?) async throws -> CRMContact
    func createTicket(_ draft: CRMTicketDraft) async throws -> CRMTicket
    func findOpenTicket(contactId: String, updatedSince: String?) async throws -> CRMTicket?
    /// The ticket with this id, nil when there is none.
    func ticket(id: String) async throws -> CRMTicket?
    /// Adds a note; `key` makes it idempotent (a second call with one key adds nothing and returns the same id).
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
    /// The ticket's fields as the CRM holds them (at least those `updateTicket` set).
    public var properties: [String: JSON]
    public init(id: String, url: String?, status: String, updatedAt: String?, properties: [String: JSON] = [:]) {
        self.id = id; self.url = url; self.status = status; self.updatedAt = updatedAt; self.properties = properties
    }
}

// MARK: - tasks

/// The `tasks` port: a task tracker (ClickUp, the local store, or none).
///
/// ## Implementation requirements
/// - `createTask` returns a new id on every call, and a `url` when the tracker
///   has task pages. With `parentId` the task is a subtask of that task;
///   an unknown parent is `.notFound`.
/// - `updateDescription` replaces the task's description; `comment` adds a
///   comment. Both throw `.notFound` for an unknown task.
/// - Text is kept as given (Markdown, any Unicode).
/// - The one exception is the `none` adapter: it stores nothing, accepts every
///   call and returns the id `"none"`.
/// - The conformance suite is `TaskTrackerConformance` (PlugboardConformance).
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
///
/// ## Implementation requirements
/// - Keys follow `ObjectKey`: every method first checks its key with
///   `ObjectKey.validate` and refuses an invalid one with `.invalidInput`.
/// - `get` returns exactly the bytes put (empty and multi-megabyte bodies
///   included), `.notFound` when there is no object; `head` returns nil then.
/// - `head` gives the stored size, the content type given to `put` (when one
///   was given), and an `etag` (when non-nil) that changes with the content.
/// - `put` over an existing key replaces the object whole: a reader sees the
///   old or the new body, never a mix.
/// - `delete` of a missing key succeeds, as on S3.
/// - `url(for:)` gives a public URL (capability `public_urls`) or a presigned
///   one (`presigned_urls`) whose path is the store's prefix plus the
///   percent-encoded key (`ObjectKey.percentEncoded`); nil when the store has
///   neither. It does not check that the object exists.
/// - The conformance suite is `ObjectStoreConformance` (PlugboardConformance).
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
/// - The returned `object` has been validated against `request.schema` by the kernel's
///   validator, whatever the provider's own JSON mode promised (`LLMAnswer`).
/// - An answer that is not a JSON object or breaks the schema throws
///   `PlugboardError.invalidAnswer` (a fallback chain asks once for a repair); a safety
///   or content-policy stop throws `PlugboardError.refusal`; a prompt over the model's
///   context is `.invalidInput`, not retryable (`PlugboardError(llmStatus:...)`).
/// - No retries inside the adapter: rate limits and outages are mapped with their
///   `retryAfter` and the policy layer retries.
/// - `inputTokens` / `outputTokens` are the provider's own counts when it reports them.
/// - The conformance suite is `LanguageModelConformance` (PlugboardConformance).
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
///
/// ## Implementation requirements
/// - A notification that could not be delivered throws (`.unavailable` when a
///   later attempt may succeed); one that was delivered is not sent again by
///   the adapter (retries belong to the kernel's policy layer).
/// - Nothing secret reaches a log line or a file: no credentials, and no
///   query string of a URL (presigned URLs carry signatures there).
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
