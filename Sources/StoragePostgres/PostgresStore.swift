import PlugboardKernel
import Synchronization

/// The `postgres` storage adapter: collections as tables in one PostgreSQL
/// schema, over libpq, shared safely by any number of processes.
///
/// ## Layout
/// One table per collection (`CollectionTable`): `id`, `revision`, `body`, and a
/// partition and a sort column per declared index with a btree index on
/// (partition, sort, id). Tables are created on first use and follow the
/// declared indexes (new index: columns added and filled from the bodies);
/// `plugboard_schema` holds the layout version and `plugboard_collections` the
/// indexes each table was built for. Creation and upgrades run under a
/// transaction-scoped advisory lock, so concurrent first starts are safe.
///
/// ## NUL characters, losslessly
/// PostgreSQL's `TEXT` and `JSONB` cannot hold U+0000; the port must keep it
/// in ids, values and keys.
/// - `body` is `TEXT` holding the kernel's canonical JSON text, which escapes
///   U+0000 as `\u0000`: the text has no NUL, and parsing gives back exactly the
///   document put (number digits, key order aside). There is deliberately no
///   `JSONB` copy: JSONB rejects `\u0000` and rewrites numbers (`6.02e23`
///   becomes `602000000000000000000000`), so it could not be lossless; for ad
///   hoc SQL, `body::jsonb` works on documents without NUL.
/// - `id` and the index columns are `TEXT COLLATE "C"` written through
///   `PostgresKeyText`: 0x00 → 0x01 0x01 and 0x01 → 0x01 0x02, an order-preserving
///   escape, so byte order — the order of Swift's `String <` on the kernel's
///   strings — and range bounds and cursors work unchanged, and ordinary text
///   is stored as it is.
///
/// ## Concurrency
/// A pool of `poolSize` connections, each on a thread of its own: libpq blocks,
/// so it never runs on Swift's cooperative threads. Revision preconditions are
/// single statements (`UPDATE ... WHERE id = $1 AND revision = $n`, `INSERT ...
/// ON CONFLICT DO NOTHING` for `.absent`), so exactly one concurrent writer of a
/// revision wins across every process. Due jobs are claimed with
/// `FOR UPDATE SKIP LOCKED` (`JobClaiming`).
public final class PostgresStore: DocumentStore, JobClaiming {
    public let configuration: Configuration
    let pool: PostgresConnectionPool
    /// `host:port/database`, for messages.
    let endpoint: String
    /// Tables known to match their collection's spec, by collection name.
    private let tables = Mutex<[String: CollectionTable]>([:])

    private init(configuration: Configuration, parameters: [(String, String)], endpoint: String) {
        self.configuration = configuration
        self.endpoint = endpoint
        let serial = Atomic<Int>(0)
        let timeout = configuration.connectTimeout
        pool = PostgresConnectionPool(size: configuration.poolSize) {
            let n = serial.add(1, ordering: .relaxed).newValue
            return try await PostgresConnection.connect(parameters, timeout: timeout, endpoint: endpoint, name: "postgres-\(n)")
        }
    }

    deinit { pool.close() }

    /// Connects (failing fast on a bad address, password or database) and
    /// creates or upgrades the schema.
    public static func open(_ configuration: Configuration) async throws -> PostgresStore {
        try configuration.validate()
        let parameters = try configuration.connectionParameters()
        let store = PostgresStore(configuration: configuration, parameters: parameters,
                                  endpoint: configuration.endpoint(parameters))
        do {
            try await store.prepareSchema()
        } catch {
            store.pool.close()
            throw error
        }
        return store
    }

    public func close() async throws { pool.close() }

    var schema: String { configuration.schema }

    // MARK: - DocumentStore

    public func get(_ c: CollectionSpec, id: String) async throws -> StoredDocument? {
        let t = try await table(c)
        return try await pool.run { s in
            var p = PostgresParameters()
            p.append(PostgresKeyText.encode(id))
            let r = try s.execute(t.get, p, "get \(c.name)/\(id) in schema \(t.schema)")
            guard r.rowCount == 1, let rev = r.int64(0, 0) else { return nil }
            return StoredDocument(id: id, revision: rev, body: try PostgresStore.body(r, 0, 1, c, id))
        }
    }

    public func put(_ c: CollectionSpec, id: String, body: JSON, condition: WriteCondition) async throws -> Int64 {
        let t = try await table(c)
        return try await pool.run { s in
            let what = "put \(c.name)/\(id) in schema \(t.schema)"
            var p = PostgresParameters()
            p.append(PostgresKeyText.encode(id))
            p.append(json: body)
            t.appendIndexValues(of: body, to: &p)
            switch condition {
            case .none:
                return try s.execute(t.upsert, p, what).int64(0, 0) ?? 0
            case .absent:
                let r = try s.execute(t.insertIfAbsent, p, what)
                guard r.rowCount == 1, let rev = r.int64(0, 0) else {
                    throw PlugboardError.conflict("\(c.name)/\(id) already exists", adapter: "postgres")
                }
                return rev
            case .revision(let expected):
                p.append(expected)
                let r = try s.execute(t.updateAtRevision, p, what)
                if r.rowCount == 1, let rev = r.int64(0, 0) { return rev }
                throw try PostgresStore.revisionConflict(s, t, id, expected: expected)
            }
        }
    }

    public func delete(_ c: CollectionSpec, id: String, condition: WriteCondition) async throws -> Bool {
        let t = try await table(c)
        return try await pool.run { s in
            let what = "delete \(c.name)/\(id) in schema \(t.schema)"
            var p = PostgresParameters()
            p.append(PostgresKeyText.encode(id))
            switch condition {
            case .none:
                return try s.execute(t.deleteAny, p, what).affectedRows > 0
            case .absent:
                // Nothing to delete when absent; a stored document breaks the precondition.
                if try s.execute(t.revisionOf, p, what).rowCount > 0 {
                    throw PlugboardError.conflict("\(c.name)/\(id) already exists", adapter: "postgres")
                }
                return false
            case .revision(let expected):
                p.append(expected)
                if try s.execute(t.deleteAtRevision, p, what).affectedRows == 1 { return true }
                throw try PostgresStore.revisionConflict(s, t, id, expected: expected)
            }
        }
    }

    public func query(_ c: CollectionSpec, _ q: IndexQuery) async throws -> Page {
        let index = try c.index(named: q.index)
        if index.partitionField != nil && q.partition == nil {
            throw PlugboardError.invalidInput("index \(index.name) of \(c.name) needs a partition value (\(index.partitionField!))")
        }
        guard q.limit > 0 else { throw PlugboardError.invalidInput("query limit must be positive, got \(q.limit)") }
        let after = try q.cursor.map(IndexCursor.init(decoding:))
        let t = try await table(c)
        let sql = t.query(index, from: q.from != nil, to: q.to != nil, after: after != nil, descending: q.descending)
        let limit = q.limit
        return try await pool.run { s in
            var p = PostgresParameters()
            p.append(PostgresKeyText.encode(q.partition ?? ""))
            if let from = q.from { p.append(PostgresKeyText.encode(from)) }
            if let to = q.to { p.append(PostgresKeyText.encode(to)) }
            if let after {
                p.append(PostgresKeyText.encode(after.sort))
                p.append(PostgresKeyText.encode(after.id))
            }
            p.append(limit == Int.max ? limit : limit + 1)
            let r = try s.execute(sql, p, "query \(c.name) on \(index.name) in schema \(t.schema)")
            var docs = try PostgresStore.documents(r, c)
            var next: String?
            if docs.count > limit {
                docs.removeLast(docs.count - limit)
                let last = docs[docs.count - 1]
                let key = c.indexKey(index, of: last.body)
                next = IndexCursor(sort: key?.sort ?? "", id: last.id).encoded
            }
            return Page(documents: docs, nextCursor: next)
        }
    }

    public func scan(_ c: CollectionSpec, batchSize: Int) -> AsyncThrowingStream<[StoredDocument], any Error> {
        let size = max(batchSize, 1)
        let (stream, cont) = AsyncThrowingStream<[StoredDocument], any Error>.makeStream(bufferingPolicy: .bufferingOldest(2))
        let task = Task {
            do {
                let t = try await table(c)
                var lastID: String?
                while !Task.isCancelled {
                    let after = lastID
                    let batch: [StoredDocument] = try await pool.run { s in
                        var p = PostgresParameters()
                        if let after { p.append(PostgresKeyText.encode(after)) }
                        p.append(size)
                        let r = try s.execute(after == nil ? t.scanFirst : t.scanNext, p, "scan \(c.name) in schema \(t.schema)")
                        return try PostgresStore.documents(r, c)
                    }
                    if batch.isEmpty { break }
                    // Keyset on the stored (encoded) id: resume after the last one.
                    lastID = batch[batch.count - 1].id
                    cont.yield(batch)
                    if batch.count < size { break }
                }
                cont.finish()
            } catch {
                cont.finish(throwing: error)
            }
        }
        cont.onTermination = { _ in task.cancel() }
        return stream
    }

    public func count(_ c: CollectionSpec) async throws -> Int {
        let t = try await table(c)
        return try await pool.run { s in
            Int(try s.execute(t.count, PostgresParameters(), "count \(c.name) in schema \(t.schema)").int64(0, 0) ?? 0)
        }
    }

    // MARK: - Reading rows

    /// Rows of (id, revision, body) as documents.
    static func documents(_ r: PostgresResult, _ c: CollectionSpec) throws -> [StoredDocument] {
        var out: [StoredDocument] = []
        out.reserveCapacity(r.rowCount)
        for row in 0..<r.rowCount {
            guard let id = PostgresKeyText.decode(r.bytes(row, 0)) else {
                throw PlugboardError.internal("\(c.name): a stored id is not in plugboard's encoding", adapter: "postgres")
            }
            out.append(StoredDocument(id: id, revision: r.int64(row, 1) ?? 0, body: try body(r, row, 2, c, id)))
        }
        return out
    }

    static func body(_ r: PostgresResult, _ row: Int, _ column: Int, _ c: CollectionSpec, _ id: String) throws -> JSON {
        do {
            return try JSONParser.parse(Array(r.bytes(row, column)))
        } catch {
            throw PlugboardError.internal("\(c.name)/\(id): stored body is not valid JSON (\(error))", adapter: "postgres")
        }
    }

    /// The conflict for a failed revision precondition, saying what is stored.
    static func revisionConflict(_ s: PostgresSession, _ t: CollectionTable, _ id: String, expected: Int64) throws -> PlugboardError {
        var p = PostgresParameters()
        p.append(PostgresKeyText.encode(id))
        let r = try s.execute(t.revisionOf, p, "read revision of \(t.spec.name)/\(id)")
        if r.rowCount == 1, let current = r.int64(0, 0) {
            return .conflict("\(t.spec.name)/\(id) is at revision \(current), expected \(expected)", adapter: "postgres")
        }
        return .conflict("\(t.spec.name)/\(id) does not exist (expected revision \(expected))", adapter: "postgres")
    }

    // MARK: - Tables

    /// The collection's table, created or upgraded on first use by this store.
    func table(_ c: CollectionSpec) async throws -> CollectionTable {
        if let t = tables.withLock({ $0[c.name] }), t.spec == c { return t }
        let t = try await prepareTable(c)
        tables.withLock { $0[c.name] = t }
        return t
    }
}
