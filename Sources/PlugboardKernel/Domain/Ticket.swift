/// A support ticket. It keeps every field it was given, known or not (the body
/// is the document), with typed access to the fields the kernel reads.
///
/// Freeda-style shape: `ticket_id`, `status` (`"en cours"` | `"fermé"` or any
/// configured status), `channel`, `created_at`, `closed_at`,
/// `resolution_duration` (seconds), `analytics` {sentiment, category, urgency,
/// summary}, `messages` [{id, role, content, timestamp}].
public struct Ticket: Sendable, Hashable {
    public var body: [String: JSON]

    public init(body: [String: JSON]) { self.body = body }

    public init?(_ json: JSON) {
        guard case .object(let o) = json else { return nil }
        self.body = o
    }

    public var json: JSON { .object(body) }

    public var id: String { body["ticket_id"]?.stringValue ?? body["ticket_id"]?.numberValue?.text ?? "" }
    public var status: String? { body["status"]?.stringValue }
    public var channel: String? { body["channel"]?.stringValue }
    public var createdAt: String? { body["created_at"]?.stringValue }
    public var closedAt: String? { body["closed_at"]?.stringValue }
    public var analytics: [String: JSON] { body["analytics"]?.objectValue ?? [:] }
    public var messages: [Message] { (body["messages"]?.arrayValue ?? []).compactMap(Message.init) }

    /// Closed statuses the kernel recognises in any language it ships.
    public static let closedStatuses: Set<String> = ["fermé", "ferme", "closed", "resolved", "résolu"]
    public var isClosed: Bool { status.map { Ticket.closedStatuses.contains($0.lowercased()) } ?? false }
}

/// One message of a ticket's conversation.
public struct Message: Sendable, Hashable {
    public var id: String?
    /// `user` for the customer; anything else (`assistant`, `agent`) is the team.
    public var role: String
    public var content: String
    public var timestamp: String?

    public init(id: String?, role: String, content: String, timestamp: String?) {
        self.id = id; self.role = role; self.content = content; self.timestamp = timestamp
    }

    public init?(_ json: JSON) {
        guard case .object(let o) = json else { return nil }
        id = o["id"]?.stringValue ?? o["id"]?.numberValue?.text
        role = o["role"]?.stringValue ?? "user"
        content = o["content"]?.stringValue ?? ""
        timestamp = o["timestamp"]?.stringValue
    }

    public var json: JSON {
        var o: [String: JSON] = ["role": .string(role), "content": .string(content)]
        if let id { o["id"] = .string(id) }
        if let timestamp { o["timestamp"] = .string(timestamp) }
        return .object(o)
    }
}

/// A customer.
public struct Contact: Sendable, Hashable {
    public var id: String
    public var email: String
    public var name: String?
    public var createdAt: String
    public init(id: String, email: String, name: String?, createdAt: String) {
        self.id = id; self.email = email; self.name = name; self.createdAt = createdAt
    }
}

/// A file sent with a request, once stored.
public struct Attachment: Sendable, Hashable {
    public var name: String
    public var key: String
    public var sha256: String
    public var size: Int
    public var url: String?
    public init(name: String, key: String, sha256: String, size: Int, url: String?) {
        self.name = name; self.key = key; self.sha256 = sha256; self.size = size; self.url = url
    }
}

/// A durable unit of work: one workflow request and the steps done so far.
public struct Job: Sendable, Hashable {
    public enum State: String, Sendable { case pending, running, done, failed }
    public var id: String
    public var kind: String
    public var state: State
    public var attempts: Int
    public var dueAt: String
    public var payload: JSON
    public init(id: String, kind: String, state: State, attempts: Int, dueAt: String, payload: JSON) {
        self.id = id; self.kind = kind; self.state = state; self.attempts = attempts; self.dueAt = dueAt; self.payload = payload
    }
}

/// Something a contact did (page view, failed login, ...), for proactive tickets.
public struct Activity: Sendable, Hashable {
    public var id: String
    public var email: String
    public var type: String
    public var timestamp: String
    public var details: JSON
    public init(id: String, email: String, type: String, timestamp: String, details: JSON) {
        self.id = id; self.email = email; self.type = type; self.timestamp = timestamp; self.details = details
    }
}
