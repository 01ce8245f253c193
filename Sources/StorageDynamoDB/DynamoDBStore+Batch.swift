import PlugboardKernel

/// Bulk operations: BatchGetItem / BatchWriteItem in chunks with the
/// unprocessed remainder re-sent, and parallel Scan segments.
extension DynamoDBStore {
    static let batchWriteLimit = 25
    static let batchGetLimit = 100
    /// Rounds of re-sending unprocessed items or keys before giving up.
    static let unprocessedAttempts = 10

    /// Jittered exponential backoff between re-sends (50 ms doubling, at most 5 s).
    static func backoff(_ attempt: Int) -> Duration {
        let cap = min(5_000.0, 50.0 * Double(1 << min(attempt, 16)))
        return .milliseconds(Int64(Double.random(in: cap / 2...cap)))
    }

    // MARK: - Batch get

    /// Items by id (consistent reads), in no particular order; missing ids are absent.
    func batchGet(_ layout: DynamoDBTableLayout, ids: [String], projection: [String]?) async throws -> [[String: JSON]] {
        var out: [[String: JSON]] = []
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + DynamoDBStore.batchGetLimit, ids.count)])
            start += DynamoDBStore.batchGetLimit
            var request: [String: JSON] = ["Keys": .array(chunk.map(layout.key)), "ConsistentRead": true]
            if let projection {
                var names: [String: JSON] = [:]
                for (i, p) in projection.enumerated() { names["#p\(i)"] = .string(p) }
                request["ProjectionExpression"] = .string(projection.indices.map { "#p\($0)" }.joined(separator: ", "))
                request["ExpressionAttributeNames"] = .object(names)
            }
            var pending: JSON? = .object(request)
            var attempt = 0
            while let req = pending {
                let result = try await client.call("BatchGetItem", ["RequestItems": [layout.table: req]], table: layout.table)
                for case .object(let item) in result["Responses"]?[layout.table]?.arrayValue ?? [] { out.append(item) }
                pending = result["UnprocessedKeys"]?[layout.table]
                if pending?["Keys"]?.arrayValue?.isEmpty ?? true { pending = nil }
                if pending != nil {
                    attempt += 1
                    guard attempt < DynamoDBStore.unprocessedAttempts else {
                        throw PlugboardError(.rateLimited, "table \(layout.table): keys still unprocessed after \(attempt) attempts",
                                             adapter: "dynamodb", retryable: true)
                    }
                    try await Task.sleep(for: DynamoDBStore.backoff(attempt))
                }
            }
        }
        return out
    }

    // MARK: - Batch put

    public func batchPut(_ c: CollectionSpec, _ documents: [Document]) async throws {
        guard !documents.isEmpty else { return }
        let layout = try await prepared(c)
        // One write per id (BatchWriteItem refuses two for one key): the last wins.
        var latest: [String: JSON] = [:]
        var order: [String] = []
        for d in documents {
            if latest.updateValue(d.body, forKey: d.id) == nil { order.append(d.id) }
        }
        // Revisions advance from what is stored (BatchWriteItem cannot increment).
        let reserved = DynamoDBTableLayout.Reserved.self
        var stored: [String: (revision: Int64, parts: Int)] = [:]
        for item in try await batchGet(layout, ids: order, projection: [layout.key, reserved.revision, reserved.parts]) {
            guard let id = item[layout.key]?["S"]?.stringValue else { continue }
            stored[id] = (item[reserved.revision]?["N"]?.stringValue.flatMap { Int64($0) } ?? 1,
                          item[reserved.parts]?["N"]?.stringValue.flatMap { Int($0) } ?? 0)
        }
        var requests: [JSON] = []
        for id in order {
            let encoded = try layout.encode(id: id, body: latest[id]!, revision: (stored[id]?.revision ?? 0) + 1)
            // Parts before heads, so a head never names parts not yet written.
            for part in encoded.parts { requests.append(["PutRequest": ["Item": .object(part)]]) }
            requests.append(["PutRequest": ["Item": .object(encoded.head)]])
            if let old = stored[id]?.parts, old > encoded.parts.count + 1 {
                for n in (encoded.parts.count + 1)..<old {
                    requests.append(["DeleteRequest": ["Key": layout.key(reserved.partID(id, n))]])
                }
            }
        }
        var chunks: [[JSON]] = []
        var i = 0
        while i < requests.count {
            chunks.append(Array(requests[i..<min(i + DynamoDBStore.batchWriteLimit, requests.count)]))
            i += DynamoDBStore.batchWriteLimit
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            while next < chunks.count && next < configuration.batchConcurrency {
                let chunk = chunks[next]
                group.addTask { try await self.batchWrite(layout, chunk) }
                next += 1
            }
            while try await group.next() != nil {
                guard next < chunks.count else { continue }
                let chunk = chunks[next]
                group.addTask { try await self.batchWrite(layout, chunk) }
                next += 1
            }
        }
    }

    /// One BatchWriteItem, re-sending `UnprocessedItems` with jittered backoff.
    func batchWrite(_ layout: DynamoDBTableLayout, _ requests: [JSON]) async throws {
        var pending = requests
        var attempt = 0
        while !pending.isEmpty {
            let out = try await client.call("BatchWriteItem", ["RequestItems": [layout.table: .array(pending)]], table: layout.table)
            pending = out["UnprocessedItems"]?[layout.table]?.arrayValue ?? []
            guard !pending.isEmpty else { return }
            attempt += 1
            guard attempt < DynamoDBStore.unprocessedAttempts else {
                throw PlugboardError(.rateLimited, "table \(layout.table): \(pending.count) writes still unprocessed after \(attempt) attempts",
                                     adapter: "dynamodb", retryable: true)
            }
            logger.debug("dynamodb: re-sending \(pending.count) unprocessed writes to \(layout.table) (attempt \(attempt + 1))")
            try await Task.sleep(for: DynamoDBStore.backoff(attempt))
        }
    }

    // MARK: - Scan and count

    public func scan(_ c: CollectionSpec, batchSize: Int) -> AsyncThrowingStream<[StoredDocument], any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: [StoredDocument].self)
        let task = Task {
            do {
                let layout = try await prepared(c)
                try await scanSegments(layout, select: nil, limit: max(1, batchSize)) { items in
                    var docs: [StoredDocument] = []
                    for item in items {
                        if let d = try await self.document(layout, item) { docs.append(d) }
                    }
                    if !docs.isEmpty { continuation.yield(docs) }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    public func count(_ c: CollectionSpec) async throws -> Int {
        try await countSegments(try await prepared(c))
    }

    /// Sums `Count` over every page of every segment.
    private func countSegments(_ layout: DynamoDBTableLayout) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for segment in 0..<configuration.scanSegments {
                group.addTask {
                    var n = 0
                    var startKey: JSON?
                    repeat {
                        let out = try await self.client.call("Scan", self.scanInput(layout, segment: segment, select: "COUNT",
                                                                                      limit: nil, startKey: startKey), table: layout.table)
                        n += out["Count"]?.intValue ?? 0
                        startKey = out["LastEvaluatedKey"]
                    } while startKey != nil
                    return n
                }
            }
            return try await group.reduce(0, +)
        }
    }

    /// Runs every segment of a parallel scan, handing each page's items to `body`.
    private func scanSegments(_ layout: DynamoDBTableLayout, select: String?, limit: Int?,
                              _ body: @escaping @Sendable ([[String: JSON]]) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for segment in 0..<configuration.scanSegments {
                group.addTask {
                    var startKey: JSON?
                    repeat {
                        try Task.checkCancellation()
                        let out = try await self.client.call("Scan", self.scanInput(layout, segment: segment, select: select,
                                                                                      limit: limit, startKey: startKey), table: layout.table)
                        try await body((out["Items"]?.arrayValue ?? []).compactMap(\.objectValue))
                        startKey = out["LastEvaluatedKey"]
                    } while startKey != nil
                }
            }
            try await group.waitForAll()
        }
    }

    /// A consistent Scan of one segment that skips the part items of split documents.
    private func scanInput(_ layout: DynamoDBTableLayout, segment: Int, select: String?, limit: Int?, startKey: JSON?) -> JSON {
        var input: [String: JSON] = [
            "TableName": .string(layout.table), "ConsistentRead": true,
            "Segment": JSON(segment), "TotalSegments": JSON(configuration.scanSegments),
            "FilterExpression": "attribute_not_exists(#part)",
            "ExpressionAttributeNames": ["#part": .string(DynamoDBTableLayout.Reserved.partOf)],
        ]
        if let select { input["Select"] = .string(select) }
        if let limit { input["Limit"] = JSON(limit) }
        if let startKey { input["ExclusiveStartKey"] = startKey }
        return .object(input)
    }
}
