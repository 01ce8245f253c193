import Foundation
import PlugboardKernel
import Synchronization

/// The `dynamodb` storage adapter: Amazon DynamoDB or any DynamoDB-compatible
/// service (DynamoDB Local, moto, ScyllaDB Alternator), over the JSON protocol
/// with SigV4.
///
/// One table per collection, hash key = the collection's key field; each item
/// mirrors its document (see `DynamoDBTableLayout` for the reserved `_pb_`
/// attributes: revision, index keys, split documents). Revisions are enforced
/// with condition expressions, so any number of processes may share the tables.
///
/// Index queries run on GSIs, which DynamoDB keeps eventually consistent: a
/// write may take a moment to show in `query` (`get` and `scan` read consistently).
///
/// ## Migrated tables
/// By default each kernel index has the adapter's own GSI (`pb_<index>`) on
/// reserved attributes holding the kernel's normalized values, so ordering and
/// ranges match every other adapter. The conventional migrated tickets table
/// instead has hash key `ticket_id` and GSIs `status-created_at-index` and
/// `channel-created_at-index` on the raw `status` / `created_at` / `channel`
/// attributes; map them so items written by other tools are found:
///
/// ```json
/// {"adapter": "dynamodb", "tables": {"tickets": {"table": "tickets", "indexes": {
///     "status-created_at": "status-created_at-index", "channel-created_at": "channel-created_at-index"}}}}
/// ```
///
/// A mapped index compares the raw strings (UTC timestamps give exact ranges),
/// and orders equal sort values as DynamoDB does rather than by id.
public final class DynamoDBStore: DocumentStore {
    public let configuration: Configuration
    let client: DynamoDBClient
    let logger: Logger
    /// Per table: its layout and the shared task that checks or creates it.
    let tables = Mutex<[String: TableState]>([:])

    struct TableState {
        var layout: DynamoDBTableLayout
        var preparation: Task<Set<String>, any Error>
    }

    /// - Parameter transport: defaults to a libcurl transport sized for `batchConcurrency`.
    public init(_ configuration: Configuration, transport: (any HTTPTransport)? = nil,
                logger: Logger = Logger(label: "plugboard.dynamodb")) throws {
        self.configuration = configuration
        self.logger = logger
        let http = transport ?? CurlTransport(.init(
            maxConnections: max(configuration.batchConcurrency, configuration.scanSegments) + 2, logger: logger))
        self.client = try DynamoDBClient(endpoint: configuration.resolvedEndpoint, region: configuration.region,
                                         credentials: configuration.credentials, transport: http, logger: logger)
    }

    // MARK: - Reads

    public func get(_ c: CollectionSpec, id: String) async throws -> StoredDocument? {
        let layout = try await prepared(c)
        for _ in 0..<5 {
            let out = try await client.call("GetItem", [
                "TableName": .string(layout.table), "Key": layout.key(id), "ConsistentRead": true,
            ], table: layout.table)
            guard case .object(let item)? = out["Item"] else { return nil }
            switch try layout.decode(item) {
            case .document(let d): return d
            case .part: return nil
            case .split(let id, let revision, let count, let first):
                if let doc = try await assemble(layout, id: id, revision: revision, count: count, first: first) { return doc }
            }
        }
        throw PlugboardError(.unavailable, "\(c.name)/\(id): the document kept changing while being read", adapter: "dynamodb")
    }

    /// Rebuilds a split document from its parts; nil if a writer got in between.
    func assemble(_ layout: DynamoDBTableLayout, id: String, revision: Int64, count: Int, first: [UInt8]) async throws -> StoredDocument? {
        let partIDs = (1..<max(count, 1)).map { DynamoDBTableLayout.Reserved.partID(id, $0) }
        let parts = try await batchGet(layout, ids: partIDs, projection: nil)
        guard let body = try layout.assemble(id: id, revision: revision, count: count, first: first, parts: parts) else { return nil }
        return StoredDocument(id: id, revision: revision, body: body)
    }

    // MARK: - Writes

    @discardableResult
    public func put(_ c: CollectionSpec, id: String, body: JSON, condition: WriteCondition) async throws -> Int64 {
        let layout = try await prepared(c)
        switch condition {
        case .absent:
            try await write(layout, id: id, body: body, revision: 1, condition: condition, oldParts: 0)
            return 1
        case .revision(let r):
            try await write(layout, id: id, body: body, revision: r + 1, condition: condition, oldParts: nil)
            return r + 1
        case .none:
            // An unconditional write still advances the revision by one: read it,
            // write at it, and go again if another writer got in between.
            for _ in 0..<100 {
                let current = try await client.call("GetItem", [
                    "TableName": .string(layout.table), "Key": layout.key(id), "ConsistentRead": true,
                    // The key is projected too, so an existing item never comes back empty.
                    "ProjectionExpression": "#k, #r, #p", "ExpressionAttributeNames": [
                        "#k": .string(layout.key), "#r": .string(DynamoDBTableLayout.Reserved.revision),
                        "#p": .string(DynamoDBTableLayout.Reserved.parts),
                    ],
                ], table: layout.table)["Item"]
                let exists = current != nil
                let revision = exists ? current?[DynamoDBTableLayout.Reserved.revision]?["N"]?.stringValue.flatMap { Int64($0) } ?? 1 : 0
                let parts = current?[DynamoDBTableLayout.Reserved.parts]?["N"]?.stringValue.flatMap { Int($0) } ?? 0
                do {
                    try await write(layout, id: id, body: body, revision: revision + 1,
                                    condition: exists ? .revision(revision) : .absent, oldParts: parts)
                    return revision + 1
                } catch let e as PlugboardError where e.code == .conflict {
                    continue
                }
            }
            throw PlugboardError.conflict("\(c.name)/\(id): still changing after 100 attempts", adapter: "dynamodb")
        }
    }

    /// The condition expression of a write precondition, with its names and values.
    func conditionExpression(_ layout: DynamoDBTableLayout, _ condition: WriteCondition) -> [String: JSON] {
        switch condition {
        case .none:
            return [:]
        case .absent:
            return ["ConditionExpression": "attribute_not_exists(#k)", "ExpressionAttributeNames": ["#k": .string(layout.key)]]
        case .revision(let r):
            // An item another tool wrote has no revision attribute: it is at revision 1.
            let expression = r == 1 ? "(#r = :r) OR (attribute_exists(#k) AND attribute_not_exists(#r))" : "#r = :r"
            var names: [String: JSON] = ["#r": .string(DynamoDBTableLayout.Reserved.revision)]
            if r == 1 { names["#k"] = .string(layout.key) }
            return ["ConditionExpression": .string(expression), "ExpressionAttributeNames": .object(names),
                    "ExpressionAttributeValues": [":r": ["N": .string(String(r))]]]
        }
    }

    /// Writes one document revision: a `PutItem`, or for a split document one
    /// transaction of the head, its parts and the removal of unused part slots.
    /// - Parameter oldParts: part count of the replaced revision when known;
    ///   nil asks DynamoDB for the old item, so stale parts can be removed.
    func write(_ layout: DynamoDBTableLayout, id: String, body: JSON, revision: Int64, condition: WriteCondition,
               oldParts: Int?) async throws {
        let encoded = try layout.encode(id: id, body: body, revision: revision)
        let conditionInput = conditionExpression(layout, condition)
        if encoded.parts.isEmpty {
            var input: [String: JSON] = ["TableName": .string(layout.table), "Item": .object(encoded.head)]
            for (k, v) in conditionInput { input[k] = v }
            if oldParts == nil { input["ReturnValues"] = "ALL_OLD" }
            let out = try await client.call("PutItem", .object(input), table: layout.table)
            let previous = oldParts
                ?? out["Attributes"]?[DynamoDBTableLayout.Reserved.parts]?["N"]?.stringValue.flatMap { Int($0) } ?? 0
            if previous > 1 {
                let oldRevision = out["Attributes"]?[DynamoDBTableLayout.Reserved.revision]?["N"]?.stringValue.flatMap { Int64($0) }
                    ?? revision - 1
                await removeParts(layout, id: id, slots: 1..<previous, revision: oldRevision)
            }
            return
        }
        var head: [String: JSON] = ["TableName": .string(layout.table), "Item": .object(encoded.head)]
        for (k, v) in conditionInput { head[k] = v }
        var actions: [JSON] = [["Put": .object(head)]]
        for part in encoded.parts { actions.append(["Put": ["TableName": .string(layout.table), "Item": .object(part)]]) }
        for n in (encoded.parts.count + 1)..<DynamoDBTableLayout.maxParts {
            actions.append(["Delete": ["TableName": .string(layout.table), "Key": layout.key(DynamoDBTableLayout.Reserved.partID(id, n))]])
        }
        _ = try await client.call("TransactWriteItems", ["TransactItems": .array(actions)], table: layout.table)
    }

    /// Deletes part items of a replaced revision, each only if still at that
    /// revision (a newer writer may already own the slot). Best effort: a
    /// leftover part is never read (heads name their revision) nor scanned.
    func removeParts(_ layout: DynamoDBTableLayout, id: String, slots: Range<Int>, revision: Int64) async {
        for n in slots {
            do {
                _ = try await client.call("DeleteItem", [
                    "TableName": .string(layout.table), "Key": layout.key(DynamoDBTableLayout.Reserved.partID(id, n)),
                    "ConditionExpression": "#r = :r", "ExpressionAttributeNames": ["#r": .string(DynamoDBTableLayout.Reserved.revision)],
                    "ExpressionAttributeValues": [":r": ["N": .string(String(revision))]],
                ], table: layout.table)
            } catch {
                logger.debug("dynamodb: part \(n) of \(layout.table)/\(id) left in place: \(error)")
            }
        }
    }

    @discardableResult
    public func delete(_ c: CollectionSpec, id: String, condition: WriteCondition) async throws -> Bool {
        let layout = try await prepared(c)
        var input: [String: JSON] = ["TableName": .string(layout.table), "Key": layout.key(id), "ReturnValues": "ALL_OLD"]
        for (k, v) in conditionExpression(layout, condition) { input[k] = v }
        let out = try await client.call("DeleteItem", .object(input), table: layout.table)
        guard case .object(let old)? = out["Attributes"] else { return false }
        if let parts = old[DynamoDBTableLayout.Reserved.parts]?["N"]?.stringValue.flatMap({ Int($0) }), parts > 1 {
            let revision = old[DynamoDBTableLayout.Reserved.revision]?["N"]?.stringValue.flatMap { Int64($0) } ?? 1
            await removeParts(layout, id: id, slots: 1..<parts, revision: revision)
        }
        return true
    }

    public func close() async throws {}
}
