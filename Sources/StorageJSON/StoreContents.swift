import PlugboardKernel

/// Every collection of a store, in memory: what the files hold once the
/// journal is replayed. Reads are answered from here.
struct StoreContents: Sendable {
    /// The collection kept in the main file; all others live in `state.json`.
    static let mainCollection = "tickets"
    static let stateFormat = 1

    var collections: [String: [String: StoredDocument]] = [:]

    mutating func apply(_ record: JournalRecord) {
        switch record {
        case .put(let collection, let documents):
            for d in documents { collections[collection, default: [:]][d.id] = d }
        case .delete(let collection, let id):
            collections[collection]?[id] = nil
        }
    }

    // MARK: - Reading the compacted files

    /// The contents of a main file and a state file (either may be missing).
    ///
    /// The main file is an object keyed by `ticket_id`. The key is the id, even
    /// when the body's `ticket_id` field says otherwise: the key is what other
    /// tools look tickets up by, and the body is kept exactly as written.
    /// Tickets absent from the state file are at revision 1 (a file written by
    /// hand or by another tool); revisions of tickets no longer in the main
    /// file (removed by hand) are dropped.
    static func load(main: [UInt8]?, mainPath: String, state: [UInt8]?, statePath: String) throws -> StoreContents {
        var contents = StoreContents()
        var tickets: [String: StoredDocument] = [:]
        if let main, !isBlank(main) {
            switch try parse(main, file: mainPath) {
            case .object(let o):
                tickets.reserveCapacity(o.count)
                for (id, body) in o { tickets[id] = StoredDocument(id: id, revision: 1, body: body) }
            case .array:
                throw JSONFileStore.shapeError(mainPath,
                    "expected an object keyed by ticket_id, found an array (convert it with `plugboard migrate`)")
            case let other:
                throw JSONFileStore.shapeError(mainPath, "expected an object keyed by ticket_id, found \(other.typeName)")
            }
        }
        if let state, !isBlank(state) {
            let json = try parse(state, file: statePath)
            guard json["format"]?.intValue == stateFormat else {
                throw JSONFileStore.shapeError(statePath,
                    "unknown format \(json["format"]?.snippet ?? "(none)"), expected \(stateFormat) (written by another plugboard version?)")
            }
            for (id, rev) in json["ticket_revisions"]?.objectValue ?? [:] {
                guard let r = rev.numberValue.flatMap({ Int64($0.text) }), r > 0 else {
                    throw JSONFileStore.shapeError(statePath, "ticket_revisions.\(id): expected a positive integer, got \(rev.snippet)")
                }
                tickets[id]?.revision = r
            }
            for (name, documents) in json["collections"]?.objectValue ?? [:] {
                var collection: [String: StoredDocument] = [:]
                for (id, d) in documents.objectValue ?? [:] {
                    guard let r = d["revision"]?.numberValue.flatMap({ Int64($0.text) }), r > 0, let body = d["body"] else {
                        throw JSONFileStore.shapeError(statePath, "collections.\(name).\(id): expected {\"revision\", \"body\"}")
                    }
                    collection[id] = StoredDocument(id: id, revision: r, body: body)
                }
                contents.collections[name] = collection
            }
        }
        contents.collections[mainCollection] = tickets
        return contents
    }

    private static func parse(_ bytes: [UInt8], file: String) throws -> JSON {
        do throws(JSONSyntaxError) {
            return try JSONParser.parse(bytes)
        } catch {
            throw JSONFileStore.syntaxError(error, file: file)
        }
    }

    private static func isBlank(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
    }

    // MARK: - Writing the compacted files

    /// The main file: the tickets as an object keyed by id, pretty-printed with
    /// sorted keys (the shape Freeda-style tools write), nothing else in it.
    func mainFileBytes() -> [UInt8] {
        let tickets = collections[StoreContents.mainCollection] ?? [:]
        if tickets.isEmpty { return Array("{}\n".utf8) }
        var out: [UInt8] = [0x7B]
        out.reserveCapacity(tickets.count * 2048)
        var first = true
        for id in tickets.keys.sorted() {
            if !first { out.append(0x2C) }
            first = false
            out.append(contentsOf: [0x0A, 0x20, 0x20])
            JSON.writeString(id, into: &out)
            out.append(contentsOf: [0x3A, 0x20])
            tickets[id]!.body.write(into: &out, pretty: true, indent: 1)
        }
        out.append(contentsOf: [0x0A, 0x7D, 0x0A])
        return out
    }

    /// The state file: revisions of tickets above 1, and every other collection.
    func stateFileBytes() -> [UInt8] {
        var revisions: [String: JSON] = [:]
        for (id, d) in collections[StoreContents.mainCollection] ?? [:] where d.revision != 1 {
            revisions[id] = .number(JSONNumber(d.revision))
        }
        var others: [String: JSON] = [:]
        for (name, documents) in collections where name != StoreContents.mainCollection && !documents.isEmpty {
            var o: [String: JSON] = [:]
            o.reserveCapacity(documents.count)
            for (id, d) in documents { o[id] = ["revision": .number(JSONNumber(d.revision)), "body": d.body] }
            others[name] = .object(o)
        }
        let state: JSON = ["format": JSON(StoreContents.stateFormat), "ticket_revisions": .object(revisions),
                           "collections": .object(others)]
        var out = state.serializedBytes()
        out.append(0x0A)
        return out
    }
}
