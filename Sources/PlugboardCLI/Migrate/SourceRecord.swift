import PlugboardKernel

/// One record of a migration's source, numbered in source order, with what is
/// to become of it.
struct SourceRecord: Sendable {
    enum Outcome: Sendable {
        /// A valid ticket, to be written.
        case document(Document)
        /// Not a ticket that can be migrated (no id, not an object, bad JSON): why.
        case invalid(String)
        /// A second record with an id already seen and different content: why.
        case conflict(id: String, reason: String)
        /// A second record with an id already seen and the same content: skipped.
        case identical(id: String)
    }

    /// 0-based ordinal in the source; the checkpoint counts in it.
    var seq: Int
    var position: RecordPosition
    var outcome: Outcome
}

/// The checks every record goes through before it is written: a JSON object
/// with a non-empty string `ticket_id` (the same as its key in a Freeda-style
/// object), once per id.
struct RecordCheck {
    let keyField: String

    func outcome(of value: JSON, at position: RecordPosition) -> SourceRecord.Outcome {
        guard case .object(let fields) = value else { return .invalid("a ticket must be a JSON object, got \(value.typeName)") }
        guard let raw = fields[keyField] else { return .invalid("no \(keyField)") }
        guard case .string(let id) = raw else { return .invalid("\(keyField) must be a string, got \(raw.typeName) \(raw.snippet)") }
        guard !id.isEmpty else { return .invalid("\(keyField) is empty") }
        switch position.place {
        case .key(let key) where key != id:
            return .invalid("the object key \(JSON.string(key).serialized()) differs from its \(keyField) \(JSON.string(id).serialized())")
        case .id(let stored) where stored != id:
            return .invalid("stored under id \(JSON.string(stored).serialized()) but its \(keyField) is \(JSON.string(id).serialized())")
        default:
            return .document(Document(id: id, body: value))
        }
    }
}
