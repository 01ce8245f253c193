/// The `storage` port: a small document store.
///
/// Documents live in collections (`tickets`, `contacts`, `jobs`, ...), each a
/// JSON object under a string id with a revision that grows by one on every
/// write. The kernel declares each collection's indexes (`CollectionSpec`);
/// adapters maintain them and answer range queries on them.
///
/// ## Implementation requirements
/// - `put` with `.revision(r)` succeeds only if the stored revision is `r`,
///   with `.absent` only if nothing is stored; otherwise it throws `.conflict`.
///   Exactly one of several concurrent writers of one revision wins.
/// - Every field of a body is kept: `get` returns a body deep-equal to the one put.
/// - A document missing an index's partition or sort field is not in that index
///   (sparse, like a DynamoDB GSI). Index values come from `CollectionSpec.indexKey`.
/// - `query` orders by the index's sort value, then id; cursors are stable
///   under concurrent inserts (keyset, never offsets).
/// - `batchPut` writes all or, on error, throws; it does not check revisions.
/// - Errors are `PlugboardError`s; native codes are mapped in one place.
/// - Blocking calls never run on Swift's cooperative threads.
public protocol DocumentStore: Sendable {
    func get(_ collection: CollectionSpec, id: String) async throws -> StoredDocument?
    /// Writes `body` under `id` if `condition` holds; returns the new revision.
    @discardableResult
    func put(_ collection: CollectionSpec, id: String, body: JSON, condition: WriteCondition) async throws -> Int64
    /// Deletes `id` if `condition` holds; returns whether something was deleted.
    @discardableResult
    func delete(_ collection: CollectionSpec, id: String, condition: WriteCondition) async throws -> Bool
    func query(_ collection: CollectionSpec, _ query: IndexQuery) async throws -> Page
    /// Unconditional writes of many documents, in as few round trips as the backend allows.
    func batchPut(_ collection: CollectionSpec, _ documents: [Document]) async throws
    /// Every document of a collection, in batches, in no particular order.
    func scan(_ collection: CollectionSpec, batchSize: Int) -> AsyncThrowingStream<[StoredDocument], any Error>
    func count(_ collection: CollectionSpec) async throws -> Int
    /// Flushes and releases resources (file locks, connections). Idempotent.
    func close() async throws
}

extension DocumentStore {
    @discardableResult
    public func put(_ collection: CollectionSpec, id: String, body: JSON) async throws -> Int64 {
        try await put(collection, id: id, body: body, condition: .none)
    }

    public func count(_ collection: CollectionSpec) async throws -> Int {
        var n = 0
        for try await batch in scan(collection, batchSize: 1000) { n += batch.count }
        return n
    }

    public func close() async throws {}

    /// Every page of a query, concatenated.
    public func queryAll(_ collection: CollectionSpec, _ query: IndexQuery) async throws -> [StoredDocument] {
        var q = query
        var out: [StoredDocument] = []
        while true {
            let page = try await self.query(collection, q)
            out += page.documents
            guard let next = page.nextCursor else { return out }
            q.cursor = next
        }
    }

    /// Reads, transforms and writes back one document with its revision as the
    /// precondition, retrying on conflict: the safe read-modify-write.
    @discardableResult
    public func update(_ collection: CollectionSpec, id: String, attempts: Int = 30,
                       _ transform: (inout JSON?) throws -> Void) async throws -> StoredDocument? {
        for attempt in 0..<attempts {
            if attempt > 0 {
                // Contention: back off a little, with jitter, so writers stop colliding in lockstep.
                try await Task.sleep(for: .microseconds(Int.random(in: 0...(200 << min(attempt, 6)))))
            }
            let current = try await get(collection, id: id)
            var body = current?.body
            try transform(&body)
            guard let newBody = body else {
                if let current {
                    do { try await delete(collection, id: id, condition: .revision(current.revision)) } catch let e as PlugboardError where e.code == .conflict { continue }
                }
                return nil
            }
            if newBody == current?.body, let current { return current }
            do {
                let rev = try await put(collection, id: id, body: newBody,
                                        condition: current.map { .revision($0.revision) } ?? .absent)
                return StoredDocument(id: id, revision: rev, body: newBody)
            } catch let e as PlugboardError where e.code == .conflict {
                continue
            }
        }
        throw PlugboardError(.conflict, "\(collection.name)/\(id): still changing after \(attempts) attempts", retryable: true)
    }
}

/// A precondition on a write.
public enum WriteCondition: Sendable, Hashable {
    /// Write whatever is stored.
    case none
    /// Write only if nothing is stored under the id.
    case absent
    /// Write only if the stored revision is this one.
    case revision(Int64)
}

/// A document to write.
public struct Document: Sendable, Hashable {
    public var id: String
    public var body: JSON
    public init(id: String, body: JSON) { self.id = id; self.body = body }
}

/// A document as stored, with its revision (1 for the first write).
public struct StoredDocument: Sendable, Hashable {
    public var id: String
    public var revision: Int64
    public var body: JSON
    public init(id: String, revision: Int64, body: JSON) { self.id = id; self.revision = revision; self.body = body }
}

/// A range query on one declared index.
public struct IndexQuery: Sendable, Hashable {
    /// The index name, one of the collection's `indexes`.
    public var index: String
    /// Equality on the index's partition field (required when the index has one).
    public var partition: String?
    /// Inclusive bounds on the sort field. A bound that reads as an ISO 8601 time
    /// is stored in the fixed-width UTC form index values use (`Timestamp.sortKey`),
    /// so every adapter compares like with like.
    public var from: String? {
        get { _from }
        set { _from = IndexQuery.bound(newValue) }
    }
    public var to: String? {
        get { _to }
        set { _to = IndexQuery.bound(newValue) }
    }
    private var _from: String?
    private var _to: String?
    public var descending: Bool
    public var limit: Int
    /// Opaque cursor from a previous page.
    public var cursor: String?

    public init(index: String, partition: String? = nil, from: String? = nil, to: String? = nil,
                descending: Bool = false, limit: Int = 100, cursor: String? = nil) {
        self.index = index
        self.partition = partition
        self._from = IndexQuery.bound(from)
        self._to = IndexQuery.bound(to)
        self.descending = descending
        self.limit = limit
        self.cursor = cursor
    }
}

extension IndexQuery {
    static func bound(_ s: String?) -> String? {
        guard let s else { return nil }
        return Timestamp.sortKey(s) ?? s
    }
}

/// One page of query results.
public struct Page: Sendable, Hashable {
    public var documents: [StoredDocument]
    /// Present when more results may follow.
    public var nextCursor: String?
    public init(documents: [StoredDocument], nextCursor: String?) { self.documents = documents; self.nextCursor = nextCursor }
}
