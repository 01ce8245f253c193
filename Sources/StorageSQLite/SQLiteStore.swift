import CSQLite
import Foundation
import PlugboardKernel
import Synchronization

/// The `sqlite` storage adapter: one SQLite file, one table per collection.
///
/// WAL mode, so readers never wait for the writer; one writer and one reader
/// connection, each on its own thread. Several stores (in one process or
/// several) may share a file: writes take SQLite's write lock and wait up to
/// `busyTimeout` for it.
public final class SQLiteStore: DocumentStore {
    /// How the store opens its file.
    public struct Configuration: Sendable {
        public enum Synchronous: String, Sendable, CaseIterable {
            /// Durable across application crashes; a power loss may lose the last commits (WAL's usual setting).
            case normal
            /// Also durable across power loss, at an fsync per commit.
            case full
        }
        public var path: String
        /// How long a write waits for another connection's write lock, in milliseconds.
        public var busyTimeout: Int
        public var synchronous: Synchronous
        /// New WAL pages that start a background checkpoint (see `WALCheckpointer`); not a
        /// config field: the default suits every load measured, tests set it low.
        public var checkpointPages: Int32

        public init(path: String, busyTimeout: Int = 5_000, synchronous: Synchronous = .normal,
                    checkpointPages: Int32 = WALCheckpointer.defaultThreshold) {
            self.path = path
            self.busyTimeout = busyTimeout
            self.synchronous = synchronous
            self.checkpointPages = checkpointPages
        }
    }

    static let adapterName = "sqlite"
    /// The layout version written to `PRAGMA user_version`; a newer file is refused, not misread.
    static let schemaVersion: Int64 = 1

    public let configuration: Configuration
    let writer: ConnectionThread
    private let checkpointer: WALCheckpointer
    let reader: ConnectionThread
    /// Tables this instance has created or checked, by collection name.
    private let tables = Mutex<[String: CollectionTable]>([:])
    private let closed = Mutex(false)

    public static let descriptor = AdapterDescriptor(
        port: .storage, name: adapterName,
        summary: "One SQLite file (WAL mode); several processes may share it.",
        fields: [
            ConfigField("path", .string, default: "data/plugboard.sqlite",
                        "Database file, relative to the config file's folder; missing folders are created."),
            ConfigField("busy_timeout", .integer, default: 5_000,
                        "Milliseconds a write waits for another connection's lock before failing as unavailable."),
            ConfigField("synchronous", .choice(Configuration.Synchronous.allCases.map(\.rawValue)), default: "normal",
                        "\"normal\": safe from crashes (WAL); \"full\": also from power loss, slower commits."),
        ],
        capabilities: ["transactions", "concurrent_processes"])

    public static let registryEntry = Registry.Entry(descriptor, .storage { settings, _ in
        guard let path = settings.filePath("path") else { throw settings.error("path", "required, not set") }
        let timeout = settings.int("busy_timeout") ?? 5_000
        guard timeout >= 0 else { throw settings.error("busy_timeout", "expected milliseconds >= 0, got \(timeout)") }
        let sync = Configuration.Synchronous(rawValue: settings.string("synchronous") ?? "normal") ?? .normal
        return try await SQLiteStore(Configuration(path: path, busyTimeout: timeout, synchronous: sync))
    })

    /// Opens (creating if needed) the database file and its folder.
    public init(_ configuration: Configuration) async throws {
        self.configuration = configuration
        let c = configuration
        do {
            writer = try await ConnectionThread.start(name: "sqlite writer", idleSpin: .zero) { try SQLiteStore.openWriter(c) }
        } catch {
            throw SQLiteStore.plugboardError(error)
        }
        do {
            checkpointer = try await WALCheckpointer.start(c)
        } catch {
            await writer.stop()
            throw SQLiteStore.plugboardError(error)
        }
        do {
            reader = try await ConnectionThread.start(name: "sqlite reader", idleSpin: .microseconds(50)) { try SQLiteStore.openReader(c) }
        } catch {
            await writer.stop()
            await checkpointer.thread.stop()
            throw SQLiteStore.plugboardError(error)
        }
        let checkpointer = self.checkpointer
        try await writer.run { db in checkpointer.install(on: db) }
    }

    /// Convenience: a store over the file at `path` with default settings.
    public convenience init(path: String) async throws {
        try await self.init(Configuration(path: path))
    }

    deinit {
        writer.stopSoon()
        checkpointer.thread.stopSoon()
        reader.stopSoon()
    }

    public func close() async throws {
        closed.withLock { $0 = true }
        await writer.stop()  // first: no commit signals the checkpointer after this
        await checkpointer.thread.stop()
        await reader.stop()
    }
}

// MARK: - Opening connections (on their threads)

extension SQLiteStore {
    static func openWriter(_ c: Configuration) throws -> SQLiteConnection {
        let folder = URL(fileURLWithPath: c.path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw PlugboardError.invalidConfiguration(
                "cannot create the folder \(folder) for SQLite database \(c.path): \(error.localizedDescription)",
                adapter: adapterName)
        }
        let db = try SQLiteConnection(path: c.path)
        sqlite3_busy_timeout(db.handle, Int32(clamping: c.busyTimeout))
        // Switching to WAL is persistent in the file; it needs a brief exclusive lock the first time.
        let mode = try db.text("PRAGMA journal_mode = WAL")
        guard mode?.lowercased() == "wal" else {
            throw PlugboardError.unavailable("SQLite database \(c.path) could not switch to WAL mode (it is in \(mode ?? "no") mode)",
                                             adapter: adapterName)
        }
        try db.execute("PRAGMA synchronous = \(c.synchronous.rawValue.uppercased())")
        // Checkpoints run on their own thread (`WALCheckpointer`, installed once the writer is up);
        // a log that grew in a burst is cut back to 64 MB when it starts over.
        // A 32 MB page cache (default 2 MB) keeps the B-tree pages the writer revisits.
        try db.execute("PRAGMA journal_size_limit = 67108864")
        try db.execute("PRAGMA cache_size = -32000")
        try checkVersion(db)
        return db
    }

    static func openReader(_ c: Configuration) throws -> SQLiteConnection {
        let db = try SQLiteConnection(path: c.path)
        sqlite3_busy_timeout(db.handle, Int32(clamping: c.busyTimeout))
        try db.execute("PRAGMA query_only = 1")
        try db.execute("PRAGMA cache_size = -32000")
        return db
    }

    static func checkVersion(_ db: SQLiteConnection) throws {
        let version = try db.integer("PRAGMA user_version") ?? 0
        if version > schemaVersion {
            throw PlugboardError.invalidConfiguration(
                "SQLite database \(db.path) has layout version \(version); this Plugboard reads up to \(schemaVersion) (upgrade Plugboard)",
                adapter: adapterName)
        }
    }
}

// MARK: - DocumentStore

extension SQLiteStore {
    public func get(_ c: CollectionSpec, id: String) async throws -> StoredDocument? {
        let t = try await table(c)
        let raw = try await onReader(c, id, short: true) { db in try t.get(id, on: db) }
        guard let raw else { return nil }
        return StoredDocument(id: id, revision: raw.revision, body: try parse(raw.body, c, id))
    }

    public func put(_ c: CollectionSpec, id: String, body: JSON, condition: WriteCondition) async throws -> Int64 {
        let t = try await table(c)
        let row = t.row(id: id, body: body)
        return try await onWriter(c, id, grouped: true) { db in
            switch condition {
            case .none:
                return try t.upsert(row, on: db)
            case .absent:
                do {
                    try t.insert(row, on: db)
                    return 1
                } catch let e as SQLiteError where e.code == SQLITE_CONSTRAINT_PRIMARYKEY {
                    throw PlugboardError.conflict("\(c.name)/\(id) already exists", adapter: SQLiteStore.adapterName)
                }
            case .revision(let r):
                if try t.update(row, at: r, on: db) { return r + 1 }
                throw SQLiteStore.revisionConflict(c, id, expected: r, current: try t.revision(of: id, on: db))
            }
        }
    }

    public func delete(_ c: CollectionSpec, id: String, condition: WriteCondition) async throws -> Bool {
        let t = try await table(c)
        return try await onWriter(c, id, grouped: true) { db in
            switch condition {
            case .none:
                return try t.delete(id, at: nil, on: db)
            case .absent:
                if try t.revision(of: id, on: db) != nil {
                    throw PlugboardError.conflict("\(c.name)/\(id) already exists", adapter: SQLiteStore.adapterName)
                }
                return false
            case .revision(let r):
                if try t.delete(id, at: r, on: db) { return true }
                throw SQLiteStore.revisionConflict(c, id, expected: r, current: try t.revision(of: id, on: db))
            }
        }
    }

    public func query(_ c: CollectionSpec, _ q: IndexQuery) async throws -> Page {
        let index = try c.index(named: q.index)
        if index.partitionField != nil && q.partition == nil {
            throw PlugboardError.invalidInput(
                "index \(index.name) of \(c.name) needs a partition value (\(index.partitionField!))", adapter: Self.adapterName)
        }
        guard q.limit > 0 else { throw PlugboardError.invalidInput("query limit must be positive, got \(q.limit)", adapter: Self.adapterName) }
        let after = try q.cursor.map(IndexCursor.init(decoding:))
        let position = c.indexes.firstIndex(of: index)!
        let t = try await table(c)
        var rows = try await onReader(c, nil) { db in try t.query(q, index: position, after: after, on: db) }
        var next: String?
        if rows.count > q.limit {
            rows.removeLast(rows.count - q.limit)
            next = rows.last.map { IndexCursor(sort: $0.sort, id: $0.id).encoded }
        }
        let docs = try rows.map { StoredDocument(id: $0.id, revision: $0.revision, body: try parse($0.body, c, $0.id)) }
        return Page(documents: docs, nextCursor: next)
    }

    public func batchPut(_ c: CollectionSpec, _ documents: [Document]) async throws {
        guard !documents.isEmpty else { return }
        let t = try await table(c)
        let chunk = SQLiteStore.batchChunk
        guard documents.count > chunk else {
            let rows = documents.map { t.row(id: $0.id, body: $0.body) }
            return try await onWriter(c, nil) { db in
                try db.writeTransaction { try t.overwrite(rows, on: db) }
            }
        }
        // Serialize here while the writer thread inserts the previous chunk, in one transaction.
        let feed = RowFeed()
        async let written: Void = {
            do {
                try await onWriter(c, nil) { db in
                    try db.writeTransaction {
                        while let rows = feed.next() { try t.overwrite(rows, on: db) }
                    }
                }
            } catch {
                feed.abandon()  // whether the job failed or never ran, the producer must not wait for room
                throw error
            }
        }()
        // Two chunks are serialized at a time (the machine's other core), and
        // handed over in order so a repeated id ends with its last value.
        var inFlight: [Task<[CollectionTable.Row], Never>] = []
        var i = 0
        while i < documents.count && !feed.isAbandoned {
            // A small first chunk, so the writer starts early.
            let end = min(i + (i == 0 ? chunk / 4 : chunk), documents.count)
            let slice = documents[i..<end]
            inFlight.append(Task { slice.map { t.row(id: $0.id, body: $0.body) } })
            if inFlight.count == SQLiteStore.serializers { await feed.push(await inFlight.removeFirst().value) }
            i = end
        }
        for task in inFlight where !feed.isAbandoned { await feed.push(await task.value) }
        feed.finish()
        try await written
    }

    /// Rows serialized per hand-over to the writer thread in a batch.
    static let batchChunk = 100
    /// Chunks serialized concurrently while the writer inserts.
    static let serializers = 2

    public func scan(_ c: CollectionSpec, batchSize: Int) -> AsyncThrowingStream<[StoredDocument], any Error> {
        let size = max(batchSize, 1)
        let position = Mutex<Int64?>(0)  // the last rowid yielded; nil once the scan is done
        return AsyncThrowingStream {
            guard let after = position.withLock({ $0 }) else { return nil }
            let t = try await self.table(c)
            let rows = try await self.onReader(c, nil) { db in try t.scan(after: after, limit: size, on: db) }
            position.withLock { $0 = rows.count < size ? nil : rows.last!.key }
            if rows.isEmpty { return nil }
            return try rows.map { StoredDocument(id: $0.id, revision: $0.revision, body: try self.parse($0.body, c, $0.id)) }
        }
    }

    public func count(_ c: CollectionSpec) async throws -> Int {
        let t = try await table(c)
        return try await onReader(c, nil) { db in try t.count(on: db) }
    }
}

// MARK: - Plumbing

extension SQLiteStore {
    /// The collection's table, created (or upgraded) on first use by this instance.
    func table(_ c: CollectionSpec) async throws -> CollectionTable {
        if let t = tables.withLock({ $0[c.name] }), t.spec == c { return t }
        let t = CollectionTable(c)
        try await onWriter(c, nil) { db in try t.ensure(on: db) }
        tables.withLock { $0[c.name] = t }
        return t
    }

    /// `grouped`: a point write of single statements, which may share a commit with others.
    private func onWriter<T: Sendable>(_ c: CollectionSpec, _ id: String?, grouped: Bool = false,
                                       _ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await on(writer, c, id, grouped: grouped, body)
    }

    /// `short`: a point read, worth polling for rather than suspending (see `ConnectionThread`).
    private func onReader<T: Sendable>(_ c: CollectionSpec, _ id: String?, short: Bool = false,
                                       _ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await on(reader, c, id, short: short, body)
    }

    private func on<T: Sendable>(_ thread: ConnectionThread, _ c: CollectionSpec, _ id: String?, short: Bool = false, grouped: Bool = false,
                                 _ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        if closed.withLock({ $0 }) {
            throw PlugboardError.unavailable("the SQLite store \(configuration.path) is closed", adapter: Self.adapterName)
        }
        do {
            return short ? try await thread.runSpinning(body) : try await thread.run(grouped: grouped, body)
        } catch {
            throw Self.plugboardError(error, subject: id.map { "\(c.name)/\($0)" } ?? c.name)
        }
    }

    func parse(_ bytes: [UInt8], _ c: CollectionSpec, _ id: String) throws -> JSON {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw PlugboardError.internal("stored body of \(c.name)/\(id) in \(configuration.path) is not valid JSON: \(error)",
                                          adapter: Self.adapterName)
        }
    }

    static func revisionConflict(_ c: CollectionSpec, _ id: String, expected: Int64, current: Int64?) -> PlugboardError {
        guard let current else {
            return .conflict("\(c.name)/\(id) does not exist (expected revision \(expected))", adapter: adapterName)
        }
        return .conflict("\(c.name)/\(id) is at revision \(current), expected \(expected)", adapter: adapterName)
    }
}
