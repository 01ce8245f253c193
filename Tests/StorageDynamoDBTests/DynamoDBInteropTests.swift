import Foundation
import PlugboardKernel
import Testing
@testable import StorageDynamoDB
import VendorFakes

/// What other DynamoDB clients see, and what the adapter makes of their items,
/// checked with boto3 (an independent implementation) against moto with SigV4 on.
@Suite("dynamodb interop (moto, boto3)", .enabled(if: Moto.reachable || Moto.required, "needs moto (Scripts/test.sh)"))
struct DynamoDBInteropTests {
    /// Prints the reserved attribute names, then the item's other attributes as JSON
    /// (numbers as DynamoDB's own text), read with boto3's low-level client.
    static let readItem = #"""
import json, os, sys, boto3
d = boto3.client("dynamodb", endpoint_url=os.environ["ENDPOINT"], region_name=os.environ["REGION"],
                 aws_access_key_id=os.environ["KEY"], aws_secret_access_key=os.environ["SECRET"])
table, key, ident = sys.argv[1:4]
item = d.get_item(TableName=table, Key={key: {"S": ident}}, ConsistentRead=True)["Item"]
def js(av):
    (t, v), = av.items()
    if t == "S": return json.dumps(v, ensure_ascii=False)
    if t == "N": return v
    if t == "BOOL": return "true" if v else "false"
    if t == "NULL": return "null"
    if t == "M": return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + js(x) for k, x in v.items()) + "}"
    if t == "L": return "[" + ",".join(js(x) for x in v) + "]"
    raise SystemExit("unexpected attribute type " + t)
print(json.dumps(sorted(k for k in item if k.startswith("_pb_"))))
print("{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + js(v) for k, v in item.items() if not k.startswith("_pb_")) + "}")
"""#

    static let freedaTicket: JSON = try! JSONParser.parse(#"""
    {"ticket_id": "FR-2024-0001", "status": "en cours", "channel": "email",
     "created_at": "2024-03-01T09:15:00Z", "closed_at": null, "resolution_duration": null,
     "analytics": {"sentiment": "négatif", "urgency": 3, "score": 0.875, "tags": ["livraison", "retard"],
                   "escalated": false, "summary": ""},
     "messages": [{"id": "m1", "role": "user", "content": "Bonjour, ma commande n°12345 n'est pas arrivée 📦",
                   "timestamp": "2024-03-01T09:15:00Z"},
                  {"id": "m2", "role": "agent", "content": "Nous regardons.", "timestamp": "2024-03-01T10:00:00+01:00"}],
     "order_id": 123456789012345678901234567890, "amount": 49.90, "ratio": -1.5e-7,
     "unknown_extra": {"nested": [[], {}, [null, true, "x"]]}}
    """#)

    @Test("boto3 reads a ticket written by the adapter as the same document")
    func boto3ReadsAdapterWrites() async throws {
        let store = try Moto.store()
        let layout = try DynamoDBTableLayout(.tickets, configuration: store.configuration)
        let rev = try await store.put(.tickets, id: "FR-2024-0001", body: Self.freedaTicket, condition: .absent)
        #expect(rev == 1)
        let lines = try Moto.python(Self.readItem, arguments: [layout.table, "ticket_id", "FR-2024-0001"])
            .split(separator: "\n").map(String.init)
        try #require(lines.count == 2, "\(lines)")
        let reserved = try JSONParser.parse(lines[0]).arrayValue?.compactMap(\.stringValue) ?? []
        let document = try JSONParser.parse(lines[1])
        #expect(document == Self.freedaTicket, "boto3 read \(lines[1])")
        #expect(document["order_id"]?.numberValue?.text == "123456789012345678901234567890")
        // The only extra attributes: the revision and the keys of the indexes the ticket is in.
        #expect(reserved == ["_pb_ix_channel-created_at_pk", "_pb_ix_channel-created_at_sk",
                             "_pb_ix_status-created_at_pk", "_pb_ix_status-created_at_sk", "_pb_rev"])
    }

    @Test("an item written by boto3, without a revision, reads as revision 1 and takes revision writes")
    func foreignItemsAreRevisionOne() async throws {
        let store = try Moto.store()
        // Create the table through the adapter, then write an item as another tool would.
        _ = try await store.get(.tickets, id: "none")
        let table = try DynamoDBTableLayout(.tickets, configuration: store.configuration).table
        _ = try Moto.python(#"""
import os, sys, boto3
d = boto3.client("dynamodb", endpoint_url=os.environ["ENDPOINT"], region_name=os.environ["REGION"],
                 aws_access_key_id=os.environ["KEY"], aws_secret_access_key=os.environ["SECRET"])
d.put_item(TableName=sys.argv[1], Item={"ticket_id": {"S": "EXT-1"}, "status": {"S": "en cours"},
           "n": {"N": "42"}, "tags": {"SS": ["a", "b"]}, "m": {"M": {"k": {"NULL": True}}}})
"""#, arguments: [table])
        let got = try #require(try await store.get(.tickets, id: "EXT-1"))
        #expect(got.revision == 1)
        #expect(got.body == ["ticket_id": "EXT-1", "status": "en cours", "n": 42, "tags": ["a", "b"], "m": ["k": nil]])
        await #expect(throws: PlugboardError.self) {
            try await store.put(.tickets, id: "EXT-1", body: got.body, condition: .revision(2))
        }
        var body = got.body
        body["status"] = "fermé"
        #expect(try await store.put(.tickets, id: "EXT-1", body: body, condition: .revision(1)) == 2)
        #expect(try await store.get(.tickets, id: "EXT-1")?.body["status"] == "fermé")
    }

    @Test("a wrong secret is unauthenticated, with a clear message and no secret in it")
    func wrongSecret() async throws {
        let secret = "WRONG" + String(UInt64.random(in: 0..<UInt64.max), radix: 36)
        let store = try Moto.store(secret: secret)
        let error = await #expect(throws: PlugboardError.self) { _ = try await store.get(.tickets, id: "x") }
        #expect(error?.code == .unauthenticated)
        #expect(error?.isRetryable == false)
        #expect(error?.adapter == "dynamodb")
        #expect(error?.message.contains("credentials were rejected (access key \(Moto.accessKeyID))") == true, "\(String(describing: error))")
        #expect(error?.message.contains("SignatureDoesNotMatch") == true, "\(String(describing: error))")
        #expect(error?.description.contains(secret) == false)
        #expect(error?.description.contains(Moto.secretAccessKey) == false)
    }

    @Test("a missing table without create_tables is notFound naming the table")
    func missingTable() async throws {
        let store = try Moto.store(createTables: false)
        let table = try DynamoDBTableLayout(.tickets, configuration: store.configuration).table
        let error = await #expect(throws: PlugboardError.self) { _ = try await store.get(.tickets, id: "x") }
        #expect(error?.code == .notFound)
        #expect(error?.message.contains("table \(table)") == true, "\(String(describing: error))")
        #expect(error?.message.contains("create_tables") == true)
    }

    @Test("a document over 400 KB is split into parts that other readers can tell apart, and deleted whole")
    func splitDocuments() async throws {
        let store = try Moto.store()
        let table = try DynamoDBTableLayout(.tickets, configuration: store.configuration).table
        let big = JSON.object(["ticket_id": "BIG", "status": "en cours", "channel": "chat", "created_at": "2024-01-01T00:00:00Z",
                               "text": .string(String(repeating: "é🎫 lorem ", count: 70_000))])
        try await store.put(.tickets, id: "BIG", body: big, condition: .absent)
        #expect(try await store.get(.tickets, id: "BIG")?.body == big)
        #expect(try await store.count(.tickets) == 1)
        let q = try await store.query(.tickets, IndexQuery(index: "channel-created_at", partition: "chat"))
        #expect(q.documents.map(\.body) == [big])
        let countItems = #"""
import os, sys, boto3
d = boto3.client("dynamodb", endpoint_url=os.environ["ENDPOINT"], region_name=os.environ["REGION"],
                 aws_access_key_id=os.environ["KEY"], aws_secret_access_key=os.environ["SECRET"])
items = d.scan(TableName=sys.argv[1], ConsistentRead=True)["Items"]
print(len(items), sum(1 for i in items if "_pb_part_of" in i))
"""#
        let before = try Moto.python(countItems, arguments: [table]).split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(before.count == 2 && before[0] > 1 && before[1] == before[0] - 1, "items, parts: \(before)")
        // Shrinking it removes the parts; so does deleting.
        var small = big
        small["text"] = "short now"
        #expect(try await store.put(.tickets, id: "BIG", body: small, condition: .revision(1)) == 2)
        #expect(try await store.get(.tickets, id: "BIG")?.body == small)
        #expect(try Moto.python(countItems, arguments: [table]).trimmingCharacters(in: .whitespacesAndNewlines) == "1 0")
        try await store.put(.tickets, id: "BIG", body: big, condition: .none)
        #expect(try await store.delete(.tickets, id: "BIG", condition: .revision(3)))
        #expect(try Moto.python(countItems, arguments: [table]).trimmingCharacters(in: .whitespacesAndNewlines) == "0 0")
    }

    @Test("a conventionally migrated table: indexes mapped onto its raw-attribute GSIs")
    func rawIndexes() async throws {
        let table = Moto.uniquePrefix() + "migrated_tickets"
        _ = try Moto.python(#"""
import os, sys, boto3
d = boto3.client("dynamodb", endpoint_url=os.environ["ENDPOINT"], region_name=os.environ["REGION"],
                 aws_access_key_id=os.environ["KEY"], aws_secret_access_key=os.environ["SECRET"])
t = sys.argv[1]
def gsi(name, p):
    return {"IndexName": name, "KeySchema": [{"AttributeName": p, "KeyType": "HASH"},
            {"AttributeName": "created_at", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}
d.create_table(TableName=t, BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ["ticket_id", "status", "channel", "created_at"]],
    KeySchema=[{"AttributeName": "ticket_id", "KeyType": "HASH"}],
    GlobalSecondaryIndexes=[gsi("status-created_at-index", "status"), gsi("channel-created_at-index", "channel")])
rows = [("T1", "en cours", "email", "2024-01-03T00:00:00Z"), ("T2", "fermé", "email", "2024-01-01T00:00:00Z"),
        ("T3", "en cours", "chat", "2024-01-01T00:00:00Z"), ("T4", "en cours", "email", "2024-01-02T00:00:00Z"),
        ("T5", "en cours", "form", "2024-01-05T00:00:00Z")]
for i, s, c, cr in rows:
    d.put_item(TableName=t, Item={"ticket_id": {"S": i}, "status": {"S": s}, "channel": {"S": c}, "created_at": {"S": cr}})
"""#, arguments: [table])
        let store = try Moto.store(tables: ["tickets": .init(table: table, rawIndexes: [
            "status-created_at": "status-created_at-index", "channel-created_at": "channel-created_at-index",
        ])], createTables: false)
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = try await store.query(.tickets, IndexQuery(index: "status-created_at", partition: "en cours", limit: 2, cursor: cursor))
            ids += page.documents.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(ids == ["T3", "T4", "T1", "T5"])
        let email = try await store.query(.tickets, IndexQuery(index: "channel-created_at", partition: "email", from: "2024-01-02T00:00:00Z",
                                                               descending: true))
        #expect(email.documents.map(\.id) == ["T1", "T4"])
        let bounded = try await store.query(.tickets, IndexQuery(index: "status-created_at", partition: "en cours",
                                                                 from: "2024-01-02T00:00:00Z", to: "2024-01-03T00:00:00Z"))
        #expect(bounded.documents.map(\.id) == ["T4", "T1"], "both bounds inclusive")
        #expect(email.documents.first?.revision == 1)
        let error = await #expect(throws: PlugboardError.self) {
            _ = try await store.query(.tickets, IndexQuery(index: "contact-updated_at", partition: "k"))
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("no GSI pb_contact-updated_at") == true, "\(String(describing: error))")
    }
}
