/// A collection the kernel uses, with its key field and declared indexes.
/// Adapters create tables, columns and secondary indexes from this.
public struct CollectionSpec: Sendable, Hashable {
    /// `[a-z][a-z0-9_]*`, safe as a table-name suffix.
    public let name: String
    /// The body field holding the id (`ticket_id` for tickets), written by the kernel.
    public let keyField: String
    public let indexes: [IndexSpec]

    public init(name: String, keyField: String = "id", indexes: [IndexSpec] = []) {
        precondition(CollectionSpec.isValidName(name), "invalid collection name \(name)")
        self.name = name
        self.keyField = keyField
        self.indexes = indexes
    }

    public static func isValidName(_ s: String) -> Bool {
        guard let f = s.utf8.first, f >= 0x61, f <= 0x7A, s.utf8.count <= 48 else { return false }
        return s.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    public func index(named name: String) throws -> IndexSpec {
        guard let i = indexes.first(where: { $0.name == name }) else {
            throw PlugboardError.invalidInput(
                "collection \(self.name) has no index \(name) (known: \(indexes.map(\.name).joined(separator: ", ")))")
        }
        return i
    }

    /// The partition and sort values of `body` in `index`; nil when the document
    /// is not in the index (a field missing or not a scalar).
    public func indexKey(_ index: IndexSpec, of body: JSON) -> (partition: String, sort: String)? {
        var partition = ""
        if let p = index.partitionField {
            guard let v = IndexSpec.scalar(body[p]) else { return nil }
            partition = v
        }
        var sort = ""
        if let s = index.sortField {
            guard let raw = IndexSpec.scalar(body[s]) else { return nil }
            if index.sortIsTimestamp {
                guard let n = Timestamp.sortKey(raw) else { return nil }
                sort = n
            } else {
                sort = raw
            }
        }
        return (partition, sort)
    }
}

/// A secondary index: equality on an optional partition field, order and range on an optional sort field.
public struct IndexSpec: Sendable, Hashable {
    public let name: String
    public let partitionField: String?
    public let sortField: String?
    /// Sort values are ISO 8601 timestamps, stored normalized to UTC.
    public let sortIsTimestamp: Bool

    public init(name: String, partition: String?, sort: String?, sortIsTimestamp: Bool = true) {
        self.name = name
        self.partitionField = partition
        self.sortField = sort
        self.sortIsTimestamp = sortIsTimestamp
    }

    static func scalar(_ v: JSON?) -> String? {
        switch v {
        case .string(let s)?: return s
        case .number(let n)?: return n.text
        case .bool(let b)?: return b ? "true" : "false"
        default: return nil
        }
    }
}

extension CollectionSpec {
    public static let tickets = CollectionSpec(name: "tickets", keyField: "ticket_id", indexes: [
        IndexSpec(name: "status-created_at", partition: "status", sort: "created_at"),
        IndexSpec(name: "channel-created_at", partition: "channel", sort: "created_at"),
        IndexSpec(name: "contact-updated_at", partition: "contact_id", sort: "updated_at"),
        IndexSpec(name: "conversation", partition: "conversation_id", sort: nil),
    ])
    public static let contacts = CollectionSpec(name: "contacts", keyField: "contact_id", indexes: [
        IndexSpec(name: "email", partition: "email", sort: nil),
    ])
    public static let jobs = CollectionSpec(name: "jobs", keyField: "job_id", indexes: [
        IndexSpec(name: "state-due_at", partition: "state", sort: "due_at"),
    ])
    public static let activities = CollectionSpec(name: "activities", keyField: "activity_id", indexes: [
        IndexSpec(name: "contact-timestamp", partition: "contact_email", sort: "timestamp"),
    ])
    public static let followups = CollectionSpec(name: "followups", keyField: "followup_id", indexes: [
        IndexSpec(name: "contact-created_at", partition: "contact_email", sort: "created_at"),
        IndexSpec(name: "status-scheduled_at", partition: "status", sort: "scheduled_at"),
    ])

    /// The collections the kernel and workflow use.
    public static let standard: [CollectionSpec] = [.tickets, .contacts, .jobs, .activities, .followups]
}
