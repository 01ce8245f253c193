import PlugboardKernel

/// One acknowledged write, as a line of the journal.
///
/// Records carry whole documents and their revisions, never deltas, so
/// applying one sets a document to a known state: replaying a journal over
/// any base at least as old as the journal's start gives the same result,
/// however many of its records the base already holds (see `JSONFileStore`).
///
/// `{"op":"put","collection":"tickets","documents":[{"id":"T1","revision":2,"body":{...}}]}`
/// `{"op":"delete","collection":"tickets","id":"T1"}`
///
/// A single put and a batch put are the same record, so a batch is all or nothing.
enum JournalRecord: Sendable, Equatable {
    case put(collection: String, documents: [StoredDocument])
    case delete(collection: String, id: String)

    /// Compact JSON and a newline. Strings escape control characters, so the
    /// only newline in a record is its last byte: a line is a record.
    var line: [UInt8] {
        let json: JSON
        switch self {
        case .put(let collection, let documents):
            json = ["op": "put", "collection": .string(collection), "documents": .array(documents.map {
                ["id": .string($0.id), "revision": .number(JSONNumber($0.revision)), "body": $0.body]
            })]
        case .delete(let collection, let id):
            json = ["op": "delete", "collection": .string(collection), "id": .string(id)]
        }
        var out = json.serializedBytes()
        out.append(0x0A)
        return out
    }

    /// Decodes a line's JSON; nil when it is not a well-formed record.
    init?(_ json: JSON) {
        guard let collection = json["collection"]?.stringValue, CollectionSpec.isValidName(collection) else { return nil }
        switch json["op"]?.stringValue {
        case "put":
            guard let list = json["documents"]?.arrayValue else { return nil }
            var documents: [StoredDocument] = []
            documents.reserveCapacity(list.count)
            for d in list {
                guard let id = d["id"]?.stringValue, let body = d["body"],
                      let text = d["revision"]?.numberValue?.text, let revision = Int64(text), revision > 0
                else { return nil }
                documents.append(StoredDocument(id: id, revision: revision, body: body))
            }
            self = .put(collection: collection, documents: documents)
        case "delete":
            guard let id = json["id"]?.stringValue else { return nil }
            self = .delete(collection: collection, id: id)
        default:
            return nil
        }
    }
}
