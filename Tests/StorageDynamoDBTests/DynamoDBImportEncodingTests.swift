import PlugboardKernel
import Testing
@testable import StorageDynamoDB

/// Plain items for bulk imports: the wire bytes, DynamoDB's item size, and the
/// refusals checked before sending. No server needed.
@Suite("dynamodb import encoding")
struct DynamoDBImportEncodingTests {
    static let credentials = AWSCredentials(accessKeyID: "A", secretAccessKey: "S")
    /// The conventional migrated table: raw GSIs on status / channel + created_at.
    static let conventional = CollectionSpec(name: "tickets", keyField: "ticket_id", indexes: [
        IndexSpec(name: "status-created_at", partition: "status", sort: "created_at"),
        IndexSpec(name: "channel-created_at", partition: "channel", sort: "created_at"),
    ])
    let raw = try! DynamoDBTableLayout(conventional, configuration: .init(credentials: credentials, tables: [
        "tickets": .init(table: "tickets", rawIndexes: ["status-created_at": "status-created_at-index",
                                                        "channel-created_at": "channel-created_at-index"]),
    ]))
    let reserved = try! DynamoDBTableLayout(.tickets, configuration: .init(credentials: credentials))

    func item(_ layout: DynamoDBTableLayout, _ id: String, _ body: JSON, reserved: Set<String> = []) throws -> JSON {
        switch layout.plainItem(id: id, body: body, reservedIndexes: reserved) {
        case .item(let bytes): return try JSONParser.parse(bytes)
        case .refused(let f): throw PlugboardError.invalidInput(f.reason)
        }
    }

    func refusal(_ layout: DynamoDBTableLayout, _ id: String, _ body: JSON) -> String? {
        if case .refused(let f) = layout.plainItem(id: id, body: body, reservedIndexes: []) { return f.reason }
        return nil
    }

    @Test("the wire bytes are the codec's encoding of the document, and nothing else")
    func wireBytesMatchTheCodec() throws {
        let body: JSON = try JSONParser.parse(#"""
        {"ticket_id": "T-1", "status": "fermé", "channel": "chat", "created_at": "2024-03-01T09:15:00Z",
         "closed_at": null, "n": 1.50, "big": 123456789012345678901234567890, "ok": true, "no": false, "e": "",
         "quote": "a \"b\" \\ c\n", "analytics": {"tags": ["x", 1, null, {"deep": []}]}, "empty": {}}
        """#)
        guard case .item(let bytes) = raw.plainItem(id: "T-1", body: body, reservedIndexes: []) else { Issue.record("refused"); return }
        #expect(bytes == JSON.object(AttributeValueCodec.encode(object: body.objectValue!)).serializedBytes(), "byte for byte the codec's")
        let got = try item(raw, "T-1", body)
        #expect(got == .object(AttributeValueCodec.encode(object: body.objectValue!)))
        #expect(got["n"]?["N"]?.stringValue == "1.50", "number text unchanged")
        #expect(got["big"]?["N"]?.stringValue == "123456789012345678901234567890")
        #expect(try AttributeValueCodec.decode(item: got.objectValue!) == body.objectValue!)
    }

    @Test("a table with the adapter's own GSIs gets their key attributes, only for GSIs present")
    func reservedIndexAttributes() throws {
        let body: JSON = ["ticket_id": "T", "status": "en cours", "created_at": "2024-03-01T10:00:00+01:00"]
        let plain = try item(reserved, "T", body)
        #expect(plain.objectValue?.keys.sorted() == ["created_at", "status", "ticket_id"])
        let indexed = try item(reserved, "T", body, reserved: ["pb_status-created_at"])
        #expect(indexed["_pb_ix_status-created_at_pk"] == ["S": "=en cours"])
        #expect(indexed["_pb_ix_status-created_at_sk"]?["S"]?.stringValue?.hasPrefix("2024-03-01T09:00:00") == true)
        #expect(indexed["_pb_rev"] == nil, "a plain item carries no revision: it reads as revision 1")
    }

    @Test("item size follows DynamoDB's published rules")
    func itemSize() {
        var problem: String?
        // "a"(1) + "xyz"(3); "n"(1) + 3 significant digits → 2 + 1; "b"(1) + 1; "l"(1) + 3 + (1+1) + (1+2)
        let fields: [String: JSON] = ["a": "xyz", "n": .number(JSONNumber("12.300")!), "b": true, "l": [nil, "ab"]]
        #expect(AttributeValueCodec.itemSize(fields, problem: &problem) == 4 + 4 + 2 + 9)
        #expect(problem == nil)
        // "m"(1) + 3 + (1 + "k"(1) + 1)
        #expect(AttributeValueCodec.itemSize(["m": ["k": nil]], problem: &problem) == 7)
    }

    @Test("numbers DynamoDB cannot hold are refused with their path")
    func numbers() {
        #expect(DynamoDBNumber("0.00123").significantDigits == 3)
        #expect(DynamoDBNumber("0.00123").magnitude == -3)
        #expect(DynamoDBNumber("1200").significantDigits == 2)
        #expect(DynamoDBNumber("1200").magnitude == 3)
        #expect(DynamoDBNumber("-1.5e-7").magnitude == -7)
        #expect(DynamoDBNumber("1e126").problem != nil)
        #expect(DynamoDBNumber("9.99e125").problem == nil)
        #expect(DynamoDBNumber("1e-131").problem != nil)
        #expect(DynamoDBNumber("0").problem == nil)
        let long = JSON.number(JSONNumber(String(repeating: "7", count: 39))!)
        let reason = refusal(raw, "T", ["ticket_id": "T", "analytics": ["scores": [1, long]]])
        #expect(reason?.contains("analytics.scores[1]") == true, "\(reason ?? "accepted")")
        #expect(reason?.contains("39 significant digits") == true)
    }

    @Test("refusals: key, reserved names, index key types and sizes, the 400 KB limit")
    func refusals() {
        #expect(refusal(raw, "T", ["status": "x"])?.contains("no ticket_id") == true)
        #expect(refusal(raw, "T", ["ticket_id": 7])?.contains("must be a string") == true)
        #expect(refusal(raw, "T", ["ticket_id": "U"])?.contains("\"U\"") == true)
        #expect(refusal(raw, "", ["ticket_id": ""])?.contains("empty") == true)
        #expect(refusal(raw, "T", ["ticket_id": "T", "_pb_rev": 3])?.contains("reserved") == true)
        #expect(refusal(raw, "T", ["ticket_id": "T", "status": nil])?.contains("status-created_at-index") == true)
        #expect(refusal(raw, "T", ["ticket_id": "T", "channel": ""])?.contains("empty string") == true)
        #expect(refusal(raw, "T", ["ticket_id": "T", "created_at": 1_700_000_000])?.contains("strings only") == true)
        #expect(refusal(raw, "T", ["ticket_id": "T", "created_at": .string(String(repeating: "9", count: 1_025))]) != nil)
        #expect(refusal(reserved, "T", ["ticket_id": "T", "status": nil]) == nil, "no raw index: any type is fine")
        let big = String(repeating: "x", count: 409_600)
        #expect(refusal(raw, "T", ["ticket_id": "T", "text": .string(big)])?.contains("400 KB") == true)
        // "ticket_id" + "T" + "text" are 14 bytes: exactly at the limit is fine.
        let justUnder = String(repeating: "x", count: 409_600 - 14)
        #expect(refusal(raw, "T", ["ticket_id": "T", "text": .string(justUnder)]) == nil)
    }

    @Test("a BatchWriteItem body holds each item once, as written")
    func batchBody() throws {
        let body = DynamoDBStore.batchWriteBody("t\"x", [.init(id: "a", bytes: Array(#"{"ticket_id":{"S":"a"}}"#.utf8)),
                                                        .init(id: "b", bytes: Array(#"{"ticket_id":{"S":"b"}}"#.utf8))])
        let json = try JSONParser.parse(body)
        #expect(json == ["RequestItems": ["t\"x": [["PutRequest": ["Item": ["ticket_id": ["S": "a"]]]],
                                                   ["PutRequest": ["Item": ["ticket_id": ["S": "b"]]]]]]])
    }
}
