import PlugboardKernel

/// Opens stores for the storage conformance suite.
///
/// `open(name)` returns a store over the data set called `name`: the same name
/// gives the same data (after the previous instance was closed, or at the same
/// time when `supportsConcurrentInstances`), a new name an empty data set.
public protocol StorageHarness: Sendable {
    func open(_ name: String) async throws -> any DocumentStore
    /// Data survives `close()` and a new `open` of the same name.
    var isPersistent: Bool { get }
    /// Several instances may be open on one data set at once (several connections or processes).
    var supportsConcurrentInstances: Bool { get }
}

/// The storage port's conformance suite: every `storage` adapter runs these
/// cases unchanged (`@Test(arguments: StorageConformance.cases)`).
public enum StorageConformance {
    public struct Case: Sendable, CustomStringConvertible {
        public let name: String
        let body: @Sendable (any StorageHarness, Checker, String) async throws -> Void
        public var description: String { name }

        /// Runs the case on a fresh data set named after it.
        public func run(_ harness: any StorageHarness) async throws {
            let dataSet = "c" + String(UInt64.random(in: 0..<UInt64.max), radix: 36)
            try await body(harness, Checker(check: name), dataSet)
        }
    }

    static let t = CollectionSpec.tickets
    static let other = CollectionSpec(name: "conformance_other", keyField: "id")

    static func ticket(_ id: String, status: String = "en cours", channel: String = "email",
                       created: String = "2024-01-01T10:00:00Z", extra: [String: JSON] = [:]) -> JSON {
        var o: [String: JSON] = ["ticket_id": .string(id), "status": .string(status), "channel": .string(channel),
                                 "created_at": .string(created)]
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }

    /// Opens, runs, and always closes.
    static func with<T>(_ h: any StorageHarness, _ name: String, _ body: (any DocumentStore) async throws -> T) async throws -> T {
        let s = try await h.open(name)
        do {
            let r = try await body(s)
            try await s.close()
            return r
        } catch {
            try? await s.close()
            throw error
        }
    }

    public static let cases: [Case] = [
        Case(name: "put, get and delete") { h, c, n in
            try await with(h, n) { s in
                try await c.expect(s.get(t, id: "T1") == nil, "get of a missing id returns nil")
                let body = ticket("T1")
                let rev = try await s.put(t, id: "T1", body: body, condition: .none)
                try c.equal(rev, 1, "first revision")
                let got = try await s.get(t, id: "T1")
                try c.equal(got?.body, body, "body read back")
                try c.equal(got?.revision, 1, "revision read back")
                try c.equal(got?.id, "T1", "id read back")
                let deleted = try await s.delete(t, id: "T1", condition: .none)
                try c.expect(deleted, "delete returns true for an existing document")
                try await c.expect(s.get(t, id: "T1") == nil, "deleted document is gone")
                let again = try await s.delete(t, id: "T1", condition: .none)
                try c.expect(!again, "deleting a missing id returns false")
            }
        },
        Case(name: "revision preconditions") { h, c, n in
            try await with(h, n) { s in
                let r1 = try await s.put(t, id: "R", body: ticket("R"), condition: .absent)
                try c.equal(r1, 1, "create with .absent")
                try await c.throwsCode(.conflict, "create with .absent over an existing document") {
                    try await s.put(t, id: "R", body: ticket("R"), condition: .absent)
                }
                let r2 = try await s.put(t, id: "R", body: ticket("R", status: "fermé"), condition: .revision(1))
                try c.equal(r2, 2, "write at the current revision")
                try await c.throwsCode(.conflict, "stale write at revision 1") {
                    try await s.put(t, id: "R", body: ticket("R", status: "x"), condition: .revision(1))
                }
                try await c.equal(s.get(t, id: "R")?.body["status"], "fermé", "stale write changed nothing")
                try await c.throwsCode(.conflict, "write at a revision of a missing document") {
                    try await s.put(t, id: "missing", body: ticket("missing"), condition: .revision(1))
                }
                try await c.throwsCode(.conflict, "delete at a stale revision") {
                    try await s.delete(t, id: "R", condition: .revision(1))
                }
                let r3 = try await s.put(t, id: "R", body: ticket("R"), condition: .none)
                try c.equal(r3, 3, "an unconditional write still advances the revision")
                let gone = try await s.delete(t, id: "R", condition: .revision(3))
                try c.expect(gone, "delete at the current revision")
            }
        },
        Case(name: "query on status index: order, range, direction") { h, c, n in
            try await with(h, n) { s in
                // Offsets are normalized to UTC: 11:30+02:00 is 09:30Z.
                let rows: [(String, String, String)] = [
                    ("A", "en cours", "2024-01-01T10:00:00Z"), ("B", "en cours", "2024-01-01T11:30:00+02:00"),
                    ("C", "en cours", "2024-01-02T08:00:00Z"), ("D", "fermé", "2024-01-01T12:00:00Z"),
                    ("E", "en cours", "2024-01-03 09:00:00"), ("F", "en cours", "2024-01-01T10:00:00Z"),
                ]
                for (id, st, cr) in rows { try await s.put(t, id: id, body: ticket(id, status: st, created: cr)) }
                let asc = try await s.query(t, IndexQuery(index: "status-created_at", partition: "en cours"))
                try c.equal(asc.documents.map(\.id), ["B", "A", "F", "C", "E"], "ascending by created_at (UTC), then id")
                let desc = try await s.query(t, IndexQuery(index: "status-created_at", partition: "en cours", descending: true))
                try c.equal(desc.documents.map(\.id), ["E", "C", "F", "A", "B"], "descending")
                let range = try await s.query(t, IndexQuery(index: "status-created_at", partition: "en cours",
                                                            from: "2024-01-01T10:00:00Z", to: "2024-01-02T08:00:00Z"))
                try c.equal(range.documents.map(\.id), ["A", "F", "C"], "inclusive created_at range")
                let closed = try await s.query(t, IndexQuery(index: "status-created_at", partition: "fermé"))
                try c.equal(closed.documents.map(\.id), ["D"], "other partition")
                let none = try await s.query(t, IndexQuery(index: "status-created_at", partition: "nope"))
                try c.expect(none.documents.isEmpty && none.nextCursor == nil, "empty partition gives an empty last page")
            }
        },
        Case(name: "query on channel and contact indexes") { h, c, n in
            try await with(h, n) { s in
                try await s.put(t, id: "1", body: ticket("1", channel: "chat", created: "2024-02-01T00:00:00Z"))
                try await s.put(t, id: "2", body: ticket("2", channel: "email", created: "2024-02-02T00:00:00Z"))
                try await s.put(t, id: "3", body: ticket("3", channel: "chat", created: "2024-02-03T00:00:00Z",
                                                         extra: ["contact_id": "k1", "updated_at": "2024-03-01T00:00:00Z"]))
                try await s.put(t, id: "4", body: ticket("4", extra: ["contact_id": "k1", "updated_at": "2024-02-15T00:00:00Z"]))
                try await s.put(t, id: "5", body: ticket("5", extra: ["contact_id": "k2", "updated_at": "2024-02-20T00:00:00Z"]))
                let chat = try await s.query(t, IndexQuery(index: "channel-created_at", partition: "chat"))
                try c.equal(chat.documents.map(\.id), ["1", "3"], "channel index")
                let k1 = try await s.query(t, IndexQuery(index: "contact-updated_at", partition: "k1", descending: true))
                try c.equal(k1.documents.map(\.id), ["3", "4"], "contact index, most recently updated first")
                let recent = try await s.query(t, IndexQuery(index: "contact-updated_at", partition: "k1", from: "2024-02-20T00:00:00Z"))
                try c.equal(recent.documents.map(\.id), ["3"], "contact index with updated_at lower bound")
            }
        },
        Case(name: "documents without an index field are not in the index; index follows updates") { h, c, n in
            try await with(h, n) { s in
                try await s.put(t, id: "nostatus", body: ["ticket_id": "nostatus", "created_at": "2024-01-01T00:00:00Z"])
                try await s.put(t, id: "x", body: ticket("x", status: "en cours"))
                var q = try await s.query(t, IndexQuery(index: "status-created_at", partition: "en cours"))
                try c.equal(q.documents.map(\.id), ["x"], "sparse index")
                try await s.put(t, id: "x", body: ticket("x", status: "fermé"))
                q = try await s.query(t, IndexQuery(index: "status-created_at", partition: "en cours"))
                try c.expect(q.documents.isEmpty, "document left its old partition after an update")
                q = try await s.query(t, IndexQuery(index: "status-created_at", partition: "fermé"))
                try c.equal(q.documents.map(\.id), ["x"], "document is in its new partition")
                try await s.delete(t, id: "x", condition: .none)
                q = try await s.query(t, IndexQuery(index: "status-created_at", partition: "fermé"))
                try c.expect(q.documents.isEmpty, "deleted document left the index")
            }
        },
        Case(name: "cursor pagination is complete and stable under inserts") { h, c, n in
            try await with(h, n) { s in
                var docs: [Document] = []
                for i in 0..<25 {
                    let id = "P" + String(format2(i))
                    // Several documents share one created_at to exercise the id tie-break.
                    docs.append(Document(id: id, body: ticket(id, created: "2024-01-\(format2(1 + i / 3))T00:00:00Z")))
                }
                try await s.batchPut(t, docs)
                var seen: [String] = []
                var cursor: String?
                var pages = 0
                repeat {
                    let page = try await s.query(t, IndexQuery(index: "status-created_at", partition: "en cours", limit: 7, cursor: cursor))
                    try c.expect(page.documents.count <= 7, "page respects the limit")
                    seen += page.documents.map(\.id)
                    if pages == 0 {
                        // A document inserted before the cursor position must not shift later pages.
                        try await s.put(t, id: "P00a", body: ticket("P00a", created: "2024-01-01T00:00:00Z"))
                    }
                    cursor = page.nextCursor
                    pages += 1
                    try c.expect(pages < 20, "pagination terminates")
                } while cursor != nil
                try c.equal(seen, docs.map(\.id), "every document once, in order, across pages")
                try await c.throwsCode(.invalidInput, "a garbage cursor") {
                    _ = try await s.query(t, IndexQuery(index: "status-created_at", partition: "en cours", cursor: "%%%garbage"))
                }
                try await c.throwsCode(.invalidInput, "an undeclared index") {
                    _ = try await s.query(t, IndexQuery(index: "no-such-index", partition: "x"))
                }
            }
        },
        Case(name: "batch put, count and scan") { h, c, n in
            try await with(h, n) { s in
                var docs: [Document] = []
                for i in 0..<2_500 { docs.append(Document(id: "S\(i)", body: ticket("S\(i)", extra: ["n": JSON(i)]))) }
                try await s.batchPut(t, docs)
                try await s.batchPut(t, [Document(id: "S7", body: ticket("S7", extra: ["n": "overwritten"]))])
                try await c.equal(s.count(t), 2_500, "count after batch put")
                try await c.equal(s.get(t, id: "S7")?.body["n"], "overwritten", "batch put overwrites")
                var seen = Set<String>()
                var total = 0
                for try await batch in s.scan(t, batchSize: 100) {
                    try c.expect(batch.count <= 100, "scan batch respects batchSize")
                    for d in batch {
                        total += 1
                        seen.insert(d.id)
                        if d.id != "S7" { try c.equal(d.body["n"], JSON(Int(d.id.dropFirst())!), "scanned body of \(d.id)") }
                    }
                }
                try c.equal(total, 2_500, "scan yields every document exactly once")
                try c.equal(seen.count, 2_500, "scan yields distinct documents")
                try await s.batchPut(t, [])
                try await c.equal(s.count(other), 0, "other collections are untouched")
            }
        },
        Case(name: "unknown fields, exact numbers and odd values survive a round trip") { h, c, n in
            try await with(h, n) { s in
                let body: JSON = [
                    "ticket_id": "U1", "status": "en cours", "channel": "email", "created_at": "2024-05-01T12:00:00.123Z",
                    "big": .number(JSONNumber("12345678901234567890123")!),
                    "decimal": .number(JSONNumber("1.50")!), "neg": .number(JSONNumber("-0.000001")!),
                    "exp": .number(JSONNumber("6.02e23")!),
                    "empty_string": "", "empty_array": [], "empty_object": [:], "nothing": nil, "yes": true, "no": false,
                    "analytics": ["sentiment": "négatif", "nested": ["deeper": [1, [2, [3, ["k": nil]]]]]],
                    "messages": [["id": "m1", "role": "user", "content": "Bonjour", "timestamp": "2024-05-01T12:00:00Z"]],
                    "custom_field_from_elsewhere": ["x-y": ["a b": "c"]],
                ]
                try await s.put(t, id: "U1", body: body)
                let got = try await s.get(t, id: "U1")?.body
                try c.equal(got, body, "deep-equal after a round trip")
                try c.equal(got?["big"]?.numberValue?.text, "12345678901234567890123", "big integer digits kept")
                try c.equal(got?["decimal"]?.numberValue?.doubleValue, 1.5, "decimal value kept")
                var scanned: JSON?
                for try await b in s.scan(t, batchSize: 10) { scanned = b.first(where: { $0.id == "U1" })?.body ?? scanned }
                try c.equal(scanned, body, "deep-equal through scan")
            }
        },
        Case(name: "unicode and hostile strings in ids and values") { h, c, n in
            try await with(h, n) { s in
                let values = ["héllo wörld ✓", "日本語のテキスト", "emoji 🎫👩‍💻🇫🇷", "مرحبا", "quote ' double \" back \\ slash",
                              "'; DROP TABLE tickets; --", "nul\u{0}inside", "line\nbreak\ttab\r", "%s %d {{x}} ${HOME}"]
                for (i, v) in values.enumerated() {
                    let id = "id-\(i)-" + v
                    let body = ticket(id, status: v, extra: ["text": .string(v), .init(v): "as a key"])
                    try await s.put(t, id: id, body: body)
                    let got = try await s.get(t, id: id)
                    try c.equal(got?.body, body, "value \(i) read back literally")
                    let q = try await s.query(t, IndexQuery(index: "status-created_at", partition: v))
                    try c.equal(q.documents.map(\.id), [id], "hostile partition value \(i) queried literally")
                }
                try await c.equal(s.count(t), values.count, "no extra or lost rows")
            }
        },
        Case(name: "a 1 MB document") { h, c, n in
            try await with(h, n) { s in
                var big = ""
                big.reserveCapacity(1_050_000)
                while big.utf8.count < 1_000_000 { big += "Lorem ipsum dolor sit amet, ticket body é → 🎫. " }
                let body = ticket("BIG", extra: ["description": .string(big)])
                try await s.put(t, id: "BIG", body: body)
                try await c.equal(s.get(t, id: "BIG")?.body, body, "1 MB body read back equal")
            }
        },
        Case(name: "collections are separate") { h, c, n in
            try await with(h, n) { s in
                try await s.put(t, id: "same", body: ticket("same"))
                try await s.put(other, id: "same", body: ["id": "same", "kind": "other"])
                try await c.equal(s.get(t, id: "same")?.body["ticket_id"], "same", "tickets copy")
                try await c.equal(s.get(other, id: "same")?.body["kind"], "other", "other copy")
                try await s.delete(other, id: "same", condition: .none)
                try await c.expect(s.get(t, id: "same") != nil, "deleting in one collection leaves the other")
            }
        },
        Case(name: "concurrent writers: exactly one wins per revision") { h, c, n in
            let writers = 16
            let instances: [any DocumentStore]
            if h.supportsConcurrentInstances {
                var list: [any DocumentStore] = []
                for _ in 0..<4 { list.append(try await h.open(n)) }
                instances = list
            } else {
                instances = [try await h.open(n)]
            }
            do {
                try await concurrentWriters(instances, writers, c)
            } catch {
                for s in instances { try? await s.close() }
                throw error
            }
            for s in instances { try await s.close() }
        },
        Case(name: "data survives closing and reopening") { h, c, n in
            guard h.isPersistent else { return }
            let body = ticket("keep", extra: ["note": "persisted é 🎫"])
            try await with(h, n) { s in
                try await s.put(t, id: "keep", body: body)
                try await s.put(t, id: "keep", body: body, condition: .revision(1))
                try await s.put(t, id: "drop", body: ticket("drop"))
                try await s.delete(t, id: "drop", condition: .none)
                try await s.batchPut(other, (0..<50).map { Document(id: "o\($0)", body: ["id": .string("o\($0)")]) })
            }
            try await with(h, n) { s in
                let got = try await s.get(t, id: "keep")
                try c.equal(got?.body, body, "body after reopening")
                try c.equal(got?.revision, 2, "revision after reopening")
                try await c.expect(s.get(t, id: "drop") == nil, "a delete survives reopening")
                try await c.equal(s.count(other), 50, "batch survives reopening")
                let q = try await s.query(t, IndexQuery(index: "status-created_at", partition: "en cours"))
                try c.equal(q.documents.map(\.id), ["keep"], "indexes after reopening")
                try await c.throwsCode(.conflict, "revision precondition after reopening") {
                    try await s.put(t, id: "keep", body: body, condition: .revision(1))
                }
            }
        },
    ]

    static func concurrentWriters(_ instances: [any DocumentStore], _ writers: Int, _ c: Checker) async throws {
            try await instances[0].put(t, id: "hot", body: ticket("hot", extra: ["counter": 0]), condition: .absent)
            // Round 1: everyone writes at revision 1; exactly one may succeed.
            let wins = try await withThrowingTaskGroup(of: Bool.self) { g in
                for w in 0..<writers {
                    let s = instances[w % instances.count]
                    g.addTask {
                        do {
                            try await s.put(t, id: "hot", body: ticket("hot", extra: ["winner": JSON(w)]), condition: .revision(1))
                            return true
                        } catch let e as PlugboardError where e.code == .conflict {
                            return false
                        }
                    }
                }
                var n = 0
                for try await won in g where won { n += 1 }
                return n
            }
            try c.equal(wins, 1, "writers that succeeded at revision 1")
            // Round 2: read-modify-write increments with retries all land.
            try await instances[0].put(t, id: "counter", body: ticket("counter", extra: ["counter": 0]), condition: .absent)
            try await withThrowingTaskGroup(of: Void.self) { g in
                for w in 0..<writers {
                    let s = instances[w % instances.count]
                    g.addTask {
                        try await s.update(t, id: "counter", attempts: 200) { body in
                            let next = (body?["counter"]?.intValue ?? 0) + 1
                            body?["counter"] = JSON(next)
                        }
                    }
                }
                try await g.waitForAll()
            }
            let final = try await instances[0].get(t, id: "counter")
            try c.equal(final?.body["counter"]?.intValue, writers, "increments applied")
            try c.equal(final?.revision, Int64(writers + 1), "one revision per increment")
            // Round 3: concurrent creates of one new id; exactly one succeeds.
            let creates = try await withThrowingTaskGroup(of: Bool.self) { g in
                for w in 0..<writers {
                    let s = instances[w % instances.count]
                    g.addTask {
                        do {
                            try await s.put(t, id: "fresh", body: ticket("fresh"), condition: .absent)
                            return true
                        } catch let e as PlugboardError where e.code == .conflict { return false }
                    }
                }
                var n = 0
                for try await ok in g where ok { n += 1 }
                return n
            }
            try c.equal(creates, 1, "concurrent creates that succeeded")
    }

    static func format2(_ i: Int) -> String { i < 10 ? "0\(i)" : "\(i)" }
}
