import Foundation
import PlugboardKernel
import Synchronization
import Testing
@testable import StorageDynamoDB

/// Bulk imports against a scripted DynamoDB: unprocessed items and throttling
/// are re-sent until everything is written, a refused request is narrowed down
/// to the refused item, and nothing reads revisions first. No server needed.
@Suite("dynamodb bulk import, offline")
struct DynamoDBImportTests {
    static func docs(_ n: Int) -> [Document] {
        (0..<n).map { Document(id: "T\($0)", body: ["ticket_id": .string("T\($0)"), "i": JSON($0)]) }
    }

    /// Ids in a BatchWriteItem input, in order.
    static func ids(_ input: JSON) -> [String] {
        (input["RequestItems"]?.objectValue?.values.first?.arrayValue ?? []).compactMap {
            $0["PutRequest"]?["Item"]?["ticket_id"]?["S"]?.stringValue
        }
    }

    @Test("UnprocessedItems and throttled requests are sent again until every item is written")
    func unprocessedAndThrottled() async throws {
        let written = Mutex<[String: Int]>([:])
        let calls = Mutex(0)
        let (store, fake) = try DynamoDBStoreOfflineTests.store { op, input in
            guard op == "BatchWriteItem" else { return nil }
            let n = calls.withLock { $0 += 1; return $0 }
            // Every third request is throttled outright.
            if n % 3 == 0 {
                return DynamoDBStoreOfflineTests.error(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}"#)
            }
            // Otherwise the last two items of a request of more than two come back unprocessed.
            let requests = input["RequestItems"]!.objectValue!.values.first!.arrayValue!
            let (done, left) = requests.count > 2 ? (requests.dropLast(2), Array(requests.suffix(2))) : (requests[...], [])
            written.withLock { w in for r in done { w[r["PutRequest"]!["Item"]!["ticket_id"]!["S"]!.stringValue!, default: 0] += 1 } }
            let table = input["RequestItems"]!.objectValue!.keys.first!
            return HTTPResponse(status: 200, json: ["UnprocessedItems": left.isEmpty ? [:] : [table: .array(left)]])
        }
        let failures = try await store.importDocuments(.tickets, Self.docs(60))
        #expect(failures.isEmpty)
        let w = written.withLock { $0 }
        #expect(w.count == 60, "every item written")
        #expect(w.values.allSatisfy { $0 == 1 }, "each exactly once: only the unprocessed ones are re-sent")
        let ops = fake.requests.compactMap { $0.headers["X-Amz-Target"] }
        #expect(!ops.contains("DynamoDB_20120810.BatchGetItem"), "no revision reads")
        #expect(!ops.contains("DynamoDB_20120810.GetItem"))
        #expect(fake.requests.filter { $0.headers["X-Amz-Target"] == "DynamoDB_20120810.BatchWriteItem" }
            .allSatisfy { Self.ids(try! JSONParser.parse($0.body)).count <= 25 }, "25 items per request at most")
    }

    @Test("a request DynamoDB refuses is halved until the refused item is alone; the others are written")
    func bisectsRefusals() async throws {
        let written = Mutex<Set<String>>([])
        let (store, _) = try DynamoDBStoreOfflineTests.store { op, input in
            guard op == "BatchWriteItem" else { return nil }
            let ids = Self.ids(input)
            if ids.contains("T7") || ids.contains("T19") {
                return DynamoDBStoreOfflineTests.error(400, #"{"__type":"com.amazon.coral.validate#ValidationException","message":"One or more parameter values were invalid: mystery"}"#)
            }
            written.withLock { $0.formUnion(ids) }
            return HTTPResponse(status: 200, json: ["UnprocessedItems": [:]])
        }
        let failures = try await store.importDocuments(.tickets, Self.docs(25))
        #expect(failures.map(\.id).sorted() == ["T19", "T7"])
        #expect(failures.allSatisfy { $0.reason.contains("mystery") })
        #expect(written.withLock { $0 } == Set(Self.docs(25).map(\.id)).subtracting(["T7", "T19"]))
    }

    @Test("documents refused before sending are reported; a later duplicate id wins; failures other than refusals throw")
    func localRefusalsAndErrors() async throws {
        let sent = Mutex<[JSON]>([])
        let (store, _) = try DynamoDBStoreOfflineTests.store { op, input in
            guard op == "BatchWriteItem" else { return nil }
            sent.withLock { $0.append(input) }
            return HTTPResponse(status: 200, json: ["UnprocessedItems": [:]])
        }
        let failures = try await store.importDocuments(.tickets, [
            Document(id: "A", body: ["ticket_id": "A", "v": 1]),
            Document(id: "B", body: ["ticket_id": "B", "_pb_rev": 9]),
            Document(id: "A", body: ["ticket_id": "A", "v": 2]),
        ])
        #expect(failures.map(\.id) == ["B"])
        let items = sent.withLock { $0 }.flatMap { $0["RequestItems"]!.objectValue!.values.first!.arrayValue! }
        #expect(items.count == 1)
        #expect(items.first?["PutRequest"]?["Item"]?["v"] == ["N": "2"])

        let (broken, _) = try DynamoDBStoreOfflineTests.store { op, _ in
            op == "BatchWriteItem" ? DynamoDBStoreOfflineTests.error(
                400, #"{"__type":"com.amazonaws.dynamodb.v20120810#UnrecognizedClientException","message":"bad key"}"#) : nil
        }
        await #expect(throws: PlugboardError.self) { try await broken.importDocuments(.tickets, Self.docs(3)) }
    }
}
