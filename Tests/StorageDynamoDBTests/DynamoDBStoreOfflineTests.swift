import Foundation
import PlugboardKernel
import Synchronization
import Testing
@testable import StorageDynamoDB

/// The adapter against a scripted DynamoDB (FakeHTTPTransport): wire format,
/// error mapping, batching. No server needed.
@Suite("dynamodb adapter, offline")
struct DynamoDBStoreOfflineTests {
    typealias Reply = @Sendable (_ operation: String, _ input: JSON) -> HTTPResponse?

    /// A fake that answers DescribeTable for any table (hash key = the collection's
    /// key, every reserved GSI) and hands everything else to `reply`.
    static func store(_ c: CollectionSpec = .tickets, _ reply: @escaping Reply) throws -> (DynamoDBStore, FakeHTTPTransport) {
        let fake = FakeHTTPTransport { req in
            let op = String(req.headers["X-Amz-Target"]!.dropFirst("DynamoDB_20120810.".count))
            let input = try JSONParser.parse(req.body)
            if op == "DescribeTable" {
                return HTTPResponse(status: 200, json: ["Table": [
                    "TableName": input["TableName"]!, "TableStatus": "ACTIVE",
                    "KeySchema": [["AttributeName": .string(c.keyField), "KeyType": "HASH"]],
                    "GlobalSecondaryIndexes": .array(c.indexes.map { ["IndexName": .string("pb_" + $0.name), "IndexStatus": "ACTIVE"] }),
                ]])
            }
            return reply(op, input) ?? HTTPResponse(status: 200, json: [:])
        }
        let store = try DynamoDBStore(.init(endpoint: "http://127.0.0.1:1", credentials: .init(accessKeyID: "AKIDTEST", secretAccessKey: "s3cr3t")),
                                      transport: fake)
        return (store, fake)
    }

    static func error(_ status: Int, _ body: String, contentType: String = "application/x-amz-json-1.0") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: Data(body.utf8))
    }

    @Test("requests: POST /, JSON 1.0, X-Amz-Target, signed for dynamodb; conditions by revision")
    func wireFormat() async throws {
        let (store, fake) = try Self.store { op, _ in op == "PutItem" ? HTTPResponse(status: 200, json: [:]) : nil }
        let rev = try await store.put(.tickets, id: "T1", body: ["ticket_id": "T1", "status": "en cours", "created_at": "2024-01-01T10:00:00+02:00"],
                                      condition: .revision(4))
        #expect(rev == 5)
        let put = try #require(fake.requests.last)
        #expect(put.method == .post)
        #expect(put.url == "http://127.0.0.1:1/")
        #expect(put.headers["Content-Type"] == "application/x-amz-json-1.0")
        #expect(put.headers["X-Amz-Target"] == "DynamoDB_20120810.PutItem")
        let auth = try #require(put.headers["Authorization"])
        #expect(auth.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDTEST/"))
        #expect(auth.contains("/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target,"))
        let input = try JSONParser.parse(put.body)
        #expect(input["TableName"] == "plugboard_tickets")
        #expect(input["ConditionExpression"] == "#r = :r")
        #expect(input["ExpressionAttributeValues"]?[":r"] == ["N": "4"])
        #expect(input["Item"]?["_pb_rev"] == ["N": "5"])
        #expect(input["Item"]?["status"] == ["S": "en cours"])
        #expect(input["Item"]?["_pb_ix_status-created_at_pk"] == ["S": "=en cours"])
        let utc = try #require(Timestamp.sortKey("2024-01-01T10:00:00+02:00"))
        #expect(utc.hasPrefix("2024-01-01T08:00:00"))
        #expect(input["Item"]?["_pb_ix_status-created_at_sk"] == ["S": .string(utc + "\u{1}T1")], "normalized UTC sort value, then id")
        #expect(input["Item"]?["_pb_ix_channel-created_at_pk"] == nil, "no channel: not in that index")
    }

    @Test("DynamoDB errors map to PlugboardError codes")
    func errorMapping() async throws {
        let cases: [(HTTPResponse, PlugboardError.Code, Bool, String)] = [
            (Self.error(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}"#),
             .conflict, false, "precondition"),
            (Self.error(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow"}"#),
             .rateLimited, true, "throttled"),
            (Self.error(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}"#),
             .rateLimited, true, "throttled"),
            (Self.error(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#RequestLimitExceeded","message":"x"}"#),
             .rateLimited, true, "throttled"),
            (Self.error(400, #"{"__type":"com.amazon.coral.validate#ValidationException","message":"Item size has exceeded the maximum allowed size"}"#),
             .invalidInput, false, "Item size has exceeded the maximum allowed size"),
            (Self.error(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#),
             .notFound, false, "table plugboard_tickets not found"),
            (Self.error(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#UnrecognizedClientException","message":"The security token included in the request is invalid."}"#),
             .unauthenticated, false, "credentials were rejected (access key AKIDTEST)"),
            (Self.error(400, #"{"__type":"com.amazon.coral.service#InvalidSignatureException","message":"bad"}"#),
             .unauthenticated, false, "InvalidSignatureException"),
            (Self.error(403, #"<?xml version="1.0"?><ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error></Errors></ErrorResponse>"#, contentType: "text/html"),
             .unauthenticated, false, "SignatureDoesNotMatch: The request signature we calculated"),
            (Self.error(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#AccessDeniedException","message":"no"}"#),
             .permissionDenied, false, "access denied"),
            (Self.error(500, #"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"oops"}"#),
             .unavailable, true, "InternalServerError"),
            (Self.error(503, "<html>busy</html>", contentType: "text/html"), .unavailable, true, "HTTP 503"),
            (Self.error(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","message":"Transaction cancelled [ConditionalCheckFailed, None]","CancellationReasons":[{"Code":"ConditionalCheckFailed"},{"Code":"None"}]}"#),
             .conflict, false, "precondition"),
        ]
        for (response, code, retryable, text) in cases {
            let (store, _) = try Self.store { op, _ in op == "GetItem" ? response : nil }
            let error = await #expect(throws: PlugboardError.self) { _ = try await store.get(.tickets, id: "x") }
            #expect(error?.code == code, "\(response.text)")
            #expect(error?.isRetryable == retryable, "\(response.text)")
            #expect(error?.message.contains(text) == true, "\(String(describing: error?.message))")
            #expect(error?.adapter == "dynamodb")
            #expect(error?.description.contains("s3cr3t") == false)
        }
    }

    @Test("batchPut writes in chunks of 25 and re-sends unprocessed items")
    func batching() async throws {
        let calls = Mutex<[String: Int]>([:])
        let written = Mutex<[String]>([])
        let (store, _) = try Self.store { op, input in
            let n = calls.withLock { c -> Int in c[op, default: 0] += 1; return c[op]! }
            guard op == "BatchWriteItem" else { return nil }
            let requests = input["RequestItems"]?["plugboard_tickets"]?.arrayValue ?? []
            #expect(requests.count <= 25)
            // The first call leaves its last three writes unprocessed.
            let processed = n == 1 ? Array(requests.dropLast(3)) : requests
            let unprocessed = n == 1 ? Array(requests.suffix(3)) : []
            written.withLock { w in
                w += processed.compactMap { $0["PutRequest"]?["Item"]?["ticket_id"]?["S"]?.stringValue }
            }
            return HTTPResponse(status: 200, json: ["UnprocessedItems": unprocessed.isEmpty ? [:] : ["plugboard_tickets": .array(unprocessed)]])
        }
        let docs = (0..<60).map { Document(id: "B\($0)", body: ["ticket_id": .string("B\($0)"), "n": JSON($0)]) }
        try await store.batchPut(.tickets, docs)
        let counts = calls.withLock { $0 }
        #expect(counts["BatchGetItem"] == 1, "one read of the current revisions for 60 ids")
        #expect(counts["BatchWriteItem"] == 4, "3 chunks (25, 25, 10) plus one re-send")
        #expect(written.withLock { $0 }.sorted() == docs.map(\.id).sorted())
    }

    @Test("BatchGetItem's unprocessed keys are asked again")
    func unprocessedKeys() async throws {
        let calls = Mutex(0)
        let (store, _) = try Self.store { op, input in
            guard op == "BatchGetItem" else { return nil }
            let n = calls.withLock { $0 += 1; return $0 }
            let keys = input["RequestItems"]?["plugboard_tickets"]?["Keys"]?.arrayValue ?? []
            if n == 1 {
                return HTTPResponse(status: 200, json: ["Responses": ["plugboard_tickets": []],
                                                        "UnprocessedKeys": ["plugboard_tickets": ["Keys": .array(keys)]]])
            }
            let items: [JSON] = keys.map { ["ticket_id": $0["ticket_id"]!, "_pb_rev": ["N": "7"]] }
            return HTTPResponse(status: 200, json: ["Responses": ["plugboard_tickets": .array(items)]])
        }
        let layout = try DynamoDBTableLayout(.tickets, configuration: store.configuration)
        let items = try await store.batchGet(layout, ids: ["a", "b"], projection: nil)
        #expect(items.count == 2)
        #expect(calls.withLock { $0 } == 2)
    }

    @Test("garbage cursors and undeclared indexes are invalid input")
    func queryValidation() async throws {
        let (store, fake) = try Self.store { _, _ in nil }
        for q in [IndexQuery(index: "status-created_at", partition: "x", cursor: "%%%"),
                  IndexQuery(index: "nope", partition: "x"), IndexQuery(index: "status-created_at"),
                  IndexQuery(index: "status-created_at", partition: "x", limit: 0)] {
            let error = await #expect(throws: PlugboardError.self) { _ = try await store.query(.tickets, q) }
            #expect(error?.code == .invalidInput, "\(q)")
        }
        #expect(!fake.requests.contains { $0.headers["X-Amz-Target"]?.hasSuffix(".Query") == true })
    }

    @Test("raw GSI bounds cover every spelling of a whole second")
    func rawBounds() {
        let (lo, hi) = DynamoDBStore.rawBounds(from: "2024-01-02T00:00:00.000Z", to: "2024-01-05T00:00:00.000Z", timestamps: true)
        #expect(lo == "2024-01-02T00:00:00")
        for raw in ["2024-01-02T00:00:00", "2024-01-02T00:00:00Z", "2024-01-05T00:00:00+00:00", "2024-01-05T00:00:00.999Z"] {
            #expect(raw >= lo! && raw <= hi!, "\(raw)")
        }
        #expect(!("2024-01-05T00:00:01Z" <= hi!))
        #expect(DynamoDBStore.rawBounds(from: "2024-01-02T00:00:00.500Z", to: nil, timestamps: true).0 == "2024-01-02T00:00:00.500Z")
        #expect(DynamoDBStore.rawBounds(from: "a", to: "b", timestamps: false) == ("a", "b"))
    }

    @Test("reserved field names are refused")
    func reservedFields() async throws {
        let (store, _) = try Self.store { _, _ in nil }
        let error = await #expect(throws: PlugboardError.self) {
            try await store.put(.tickets, id: "x", body: ["ticket_id": "x", "_pb_rev": 9], condition: .absent)
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains("_pb_rev") == true)
    }
}
