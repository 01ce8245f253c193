import PlugboardKernel

/// Bulk imports (`BulkImporting`): each document becomes one plain item — its
/// fields and nothing else, plus the key attributes of the adapter's own GSIs
/// when the table has them — written with raw `BatchWriteItem` (25 per request,
/// `batchConcurrency` requests in flight), without reading revisions first. A
/// plain item reads back as revision 1. Documents DynamoDB would refuse (over
/// 400 KB, a key index value that is not a non-empty string, a number beyond
/// 38 digits, ...) are returned as failures, never split; a refusal the checks
/// did not foresee is narrowed down by halving the request until the refused
/// item is alone.
///
/// Throttling is retried here, per request, with jittered backoff, like the
/// `UnprocessedItems` DynamoDB hands back: both are DynamoDB asking to slow
/// down one request, and leaving them to the policy layer would re-send every
/// other request of the call too. Other failures go to the layer as usual.
extension DynamoDBStore: BulkImporting {
    /// Rounds without progress (throttled, or nothing processed) before giving up:
    /// with the 5 s backoff cap, several minutes.
    static let importStallLimit = 60

    struct PlainItem: Sendable {
        var id: String
        var bytes: [UInt8]
    }

    public func importDocuments(_ c: CollectionSpec, _ documents: [Document]) async throws -> [ImportFailure] {
        guard !documents.isEmpty else { return [] }
        let layout = try await prepared(c)
        let present = try await availableIndexes(layout)
        let reserved = Set(layout.indexes.values.compactMap { index -> String? in
            guard case .reserved(let gsi, _, _) = index, present.contains(gsi) else { return nil }
            return gsi
        })
        var failures: [ImportFailure] = []
        var items: [PlainItem] = []
        var slot: [String: Int] = [:]
        items.reserveCapacity(documents.count)
        for d in documents {
            switch layout.plainItem(id: d.id, body: d.body, reservedIndexes: reserved) {
            case .item(let bytes):
                // BatchWriteItem refuses two writes of one key in a request: the later document wins.
                if let i = slot[d.id] {
                    items[i].bytes = bytes
                } else {
                    slot[d.id] = items.count
                    items.append(PlainItem(id: d.id, bytes: bytes))
                }
            case .refused(let failure):
                failures.append(failure)
            }
        }
        var chunks: [[PlainItem]] = []
        var start = 0
        while start < items.count {
            chunks.append(Array(items[start..<min(start + DynamoDBStore.batchWriteLimit, items.count)]))
            start += DynamoDBStore.batchWriteLimit
        }
        if chunks.count == 1 { return failures + (try await importChunk(layout, chunks[0])) }
        return try await withThrowingTaskGroup(of: [ImportFailure].self) { group in
            var next = 0
            var all = failures
            while next < chunks.count && next < configuration.batchConcurrency {
                let chunk = chunks[next]
                group.addTask { try await self.importChunk(layout, chunk) }
                next += 1
            }
            while let refused = try await group.next() {
                all += refused
                guard next < chunks.count else { continue }
                let chunk = chunks[next]
                group.addTask { try await self.importChunk(layout, chunk) }
                next += 1
            }
            return all
        }
    }

    /// Writes up to 25 items with one `BatchWriteItem`, re-sending what comes back
    /// unprocessed or throttled until everything is written; returns the refused items.
    func importChunk(_ layout: DynamoDBTableLayout, _ items: [PlainItem]) async throws -> [ImportFailure] {
        var pending = items
        var stalled = 0
        while !pending.isEmpty {
            let out: JSON
            do {
                out = try await client.call("BatchWriteItem", body: DynamoDBStore.batchWriteBody(layout.table, pending), table: layout.table)
            } catch let e as PlugboardError where e.code == .rateLimited {
                stalled += 1
                guard stalled < DynamoDBStore.importStallLimit else { throw e }
                logger.debug("dynamodb: BatchWriteItem on \(layout.table) throttled; again in a moment (attempt \(stalled + 1))")
                try await Task.sleep(for: max(e.retryAfter ?? .zero, DynamoDBStore.backoff(stalled)))
                continue
            } catch let e as PlugboardError where e.code == .invalidInput {
                guard pending.count > 1 else { return [ImportFailure(id: pending[0].id, reason: e.message)] }
                let middle = pending.count / 2
                let head = try await importChunk(layout, Array(pending[..<middle]))
                return head + (try await importChunk(layout, Array(pending[middle...])))
            }
            var unprocessed = Set<String>()
            for request in out["UnprocessedItems"]?[layout.table]?.arrayValue ?? [] {
                if let id = request["PutRequest"]?["Item"]?[layout.key]?["S"]?.stringValue { unprocessed.insert(id) }
            }
            guard !unprocessed.isEmpty else { return [] }
            let before = pending.count
            pending = pending.filter { unprocessed.contains($0.id) }
            // Some progress: start the backoff over; none: back off further.
            stalled = pending.count < before ? 1 : stalled + 1
            guard stalled < DynamoDBStore.importStallLimit else {
                throw PlugboardError(.rateLimited, "table \(layout.table): \(pending.count) writes still unprocessed after \(stalled) attempts",
                                     adapter: "dynamodb", retryable: true)
            }
            logger.debug("dynamodb: re-sending \(pending.count) unprocessed writes to \(layout.table)")
            try await Task.sleep(for: DynamoDBStore.backoff(stalled))
        }
        return []
    }

    /// `{"RequestItems": {"<table>": [{"PutRequest": {"Item": ...}}, ...]}}` from encoded items.
    static func batchWriteBody(_ table: String, _ items: [PlainItem]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(items.reduce(64 + table.utf8.count) { $0 + $1.bytes.count + 28 })
        out.append(contentsOf: #"{"RequestItems":{"#.utf8)
        JSON.writeString(table, into: &out)
        out.append(contentsOf: ":[".utf8)
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"PutRequest":{"Item":"#.utf8)
            out.append(contentsOf: item.bytes)
            out.append(contentsOf: "}}".utf8)
        }
        out.append(contentsOf: "]}}".utf8)
        return out
    }
}
