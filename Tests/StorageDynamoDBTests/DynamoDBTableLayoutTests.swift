import PlugboardKernel
import Testing
@testable import StorageDynamoDB

@Suite("dynamodb item layout")
struct DynamoDBTableLayoutTests {
    let layout = try! DynamoDBTableLayout(.tickets, configuration: .init(credentials: .init(accessKeyID: "A", secretAccessKey: "S")))

    func roundTrip(_ id: String, _ body: JSON) throws -> StoredDocument? {
        let encoded = try layout.encode(id: id, body: body, revision: 3)
        #expect(encoded.parts.isEmpty)
        #expect(encoded.head["ticket_id"] == ["S": .string(id)], "the hash key is always the id")
        guard case .document(let d) = try layout.decode(encoded.head) else { return nil }
        return d
    }

    @Test("a body without its key field, or with another value in it, reads back exactly")
    func keyField() throws {
        let noKey: JSON = ["status": "en cours"]
        #expect(try roundTrip("K1", noKey) == StoredDocument(id: "K1", revision: 3, body: noKey))
        let otherKey: JSON = ["ticket_id": 42, "status": "x"]
        #expect(try roundTrip("K2", otherKey)?.body == otherKey)
        let sameKey: JSON = ["ticket_id": "K3"]
        let encoded = try layout.encode(id: "K3", body: sameKey, revision: 1)
        #expect(encoded.head.keys.sorted() == ["_pb_rev", "ticket_id"], "nothing extra when the body holds its id")
    }

    @Test("a document over the item limit is split and reassembled; a stale part is refused")
    func split() throws {
        let body: JSON = ["ticket_id": "BIG", "status": "en cours", "created_at": "2024-01-01T00:00:00Z",
                          "text": .string(String(repeating: "x", count: 700_000))]
        let encoded = try layout.encode(id: "BIG", body: body, revision: 2)
        #expect(encoded.parts.count == 2)
        #expect(encoded.head["_pb_parts"] == ["N": "3"])
        #expect(encoded.head["_pb_ix_status-created_at_pk"] == ["S": "=en cours"], "a split head stays in its indexes")
        #expect(encoded.head["text"] == nil)
        guard case .split(let id, let revision, let count, let first) = try layout.decode(encoded.head) else {
            Issue.record("head did not decode as split")
            return
        }
        #expect(try layout.assemble(id: id, revision: revision, count: count, first: first, parts: encoded.parts.reversed()) == body)
        var stale = encoded.parts
        stale[1]["_pb_rev"] = ["N": "1"]
        #expect(try layout.assemble(id: id, revision: revision, count: count, first: first, parts: stale) == nil)
        #expect(try layout.assemble(id: id, revision: revision, count: count, first: first, parts: [encoded.parts[0]]) == nil)
        if case .part = try layout.decode(encoded.parts[0]) {} else { Issue.record("a part item is not a document") }
        let tooBig: JSON = ["ticket_id": "X", "text": .string(String(repeating: "y", count: 4_000_000))]
        #expect(throws: PlugboardError.self) { try layout.encode(id: "X", body: tooBig, revision: 1) }
    }
}
