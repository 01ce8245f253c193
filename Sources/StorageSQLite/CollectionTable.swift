import CSQLite
import PlugboardKernel
import Synchronization

/// The SQL table holding one collection, and every statement the store runs on it.
///
/// Columns: `id` (primary key), `revision`, `body` (the JSON text), then for
/// each declared index a partition and a sort column (`"<index>:p"`,
/// `"<index>:s"`), NULL when the document is not in the index, and a partial
/// SQL index on (partition, sort, id). Indexes without a partition (or sort)
/// field store `''` there, so every query is an equality on the partition column.
struct CollectionTable: Sendable {
    let spec: CollectionSpec
    /// Unique per layout, so connections cache this layout's statements apart from any other.
    let id: Int
    /// The quoted table name (collection names are `[a-z][a-z0-9_]*`).
    let table: String
    /// Quoted (partition, sort) column names, one pair per index, in `spec.indexes` order.
    let indexColumns: [(partition: String, sort: String)]

    let getSQL: String
    let revisionSQL: String
    let insertSQL: String
    let upsertSQL: String
    let overwriteSQL: String
    let updateSQL: String
    let deleteSQL: String
    let deleteAtRevisionSQL: String
    let countSQL: String
    let scanSQL: String

    private static let ids = Atomic<Int>(0)

    init(_ spec: CollectionSpec) {
        self.spec = spec
        id = CollectionTable.ids.add(1, ordering: .relaxed).newValue
        let t = CollectionTable.quote(spec.name)
        table = t
        let cols = spec.indexes.map { (CollectionTable.quote($0.name + ":p"), CollectionTable.quote($0.name + ":s")) }
        indexColumns = cols
        let flat = cols.flatMap { [$0.0, $0.1] }
        // Parameters: ?1 id, ?2 body, ?3... index columns, then the expected revision.
        let names = (["id", "revision", "body"] + flat).joined(separator: ", ")
        let values = (["?1", "1", "?2"] + flat.indices.map { "?\($0 + 3)" }).joined(separator: ", ")
        getSQL = "SELECT revision, body FROM \(t) WHERE id = ?1"
        revisionSQL = "SELECT revision FROM \(t) WHERE id = ?1"
        insertSQL = "INSERT INTO \(t) (\(names)) VALUES (\(values))"
        let assignExcluded = (["revision = revision + 1", "body = excluded.body"] + flat.map { "\($0) = excluded.\($0)" })
            .joined(separator: ", ")
        overwriteSQL = insertSQL + " ON CONFLICT (id) DO UPDATE SET \(assignExcluded)"
        upsertSQL = overwriteSQL + " RETURNING revision"
        let assignParams = (["revision = revision + 1", "body = ?2"] + flat.enumerated().map { "\($0.element) = ?\($0.offset + 3)" })
            .joined(separator: ", ")
        updateSQL = "UPDATE \(t) SET \(assignParams) WHERE id = ?1 AND revision = ?\(flat.count + 3)"
        deleteSQL = "DELETE FROM \(t) WHERE id = ?1"
        deleteAtRevisionSQL = "DELETE FROM \(t) WHERE id = ?1 AND revision = ?2"
        countSQL = "SELECT count(*) FROM \(t)"
        scanSQL = "SELECT rowid, id, revision, body FROM \(t) WHERE rowid > ?1 ORDER BY rowid LIMIT ?2"
    }

    /// `"name"` with inner quotes doubled: a safe SQL identifier.
    static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The statements creating the table and its indexes, idempotent.
    var createSQL: [String] {
        let indexDefs = indexColumns.map { "\($0.partition) TEXT, \($0.sort) TEXT" }
        var sql = ["CREATE TABLE IF NOT EXISTS \(table) (id TEXT PRIMARY KEY NOT NULL, revision INTEGER NOT NULL, body TEXT NOT NULL"
            + indexDefs.map { ", " + $0 }.joined() + ")"]
        for (i, c) in indexColumns.enumerated() {
            let name = CollectionTable.quote(spec.name + ":" + spec.indexes[i].name)
            sql.append("CREATE INDEX IF NOT EXISTS \(name) ON \(table) (\(c.partition), \(c.sort), id) WHERE \(c.partition) IS NOT NULL")
        }
        return sql
    }

    // MARK: - Rows

    /// A document ready to write, prepared off the connection thread: the id,
    /// the serialized body and the index values back to back in one UTF-8
    /// buffer, which the writer binds in place instead of SQLite copying each
    /// value into memory of its own.
    struct Row: Sendable {
        var id: String
        var text: [UInt8]
        /// Where parameter `?(k + 1)` lies in `text`: id, body, then partition and
        /// sort per index; nil binds SQL NULL (the document is not in that index).
        var parameters: [Range<Int>?]
    }

    func row(id: String, body: JSON) -> Row {
        var text = Array(id.utf8)
        var parameters: [Range<Int>?] = [0..<text.count]
        parameters.reserveCapacity(2 + 2 * spec.indexes.count)
        let bodyStart = text.count
        body.write(into: &text)
        parameters.append(bodyStart..<text.count)
        for index in spec.indexes {
            guard let key = spec.indexKey(index, of: body) else {
                parameters.append(nil)
                parameters.append(nil)
                continue
            }
            let partitionStart = text.count
            text.append(contentsOf: key.partition.utf8)
            let sortStart = text.count
            text.append(contentsOf: key.sort.utf8)
            parameters.append(partitionStart..<sortStart)
            parameters.append(sortStart..<text.count)
        }
        return Row(id: id, text: text, parameters: parameters)
    }

    /// Binds the row's parameters and runs `body` while the bound bytes are valid.
    private func withBound<T>(_ row: Row, _ s: SQLiteStatement,
                              _ body: () throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        try row.text.withUnsafeBufferPointer { (text: UnsafeBufferPointer<UInt8>) throws(SQLiteError) -> T in
            defer { s.reset() }  // also clears the bindings, which point into `text`
            for (k, range) in row.parameters.enumerated() {
                try s.bind(Int32(k + 1), inPlace: range.map { UnsafeBufferPointer(rebasing: text[$0]) })
            }
            return try body()
        }
    }

    // MARK: - Statements (run on the connection's thread)

    private enum Kind: Int {
        case get, revision, insert, upsert, overwrite, update, delete, deleteAtRevision, count, scan
        /// Query shapes are numbered from here: index position and flags.
        static let queries = 64
    }

    private func statement(_ kind: Kind, _ sql: String, on db: SQLiteConnection) throws(SQLiteError) -> SQLiteStatement {
        try db.cached(StatementKey(table: id, kind: kind.rawValue)) { sql }
    }

    /// Writes whatever is stored; returns the new revision.
    func upsert(_ row: Row, on db: SQLiteConnection) throws(SQLiteError) -> Int64 {
        let s = try statement(.upsert, upsertSQL, on: db)
        return try withBound(row, s) { () throws(SQLiteError) -> Int64 in
            guard try s.step() else {
                throw SQLiteError(code: SQLITE_INTERNAL, message: "upsert returned no revision", file: db.path, operation: "put")
            }
            let revision = s.int64(0)
            try s.run()
            return revision
        }
    }

    /// Writes whatever is stored, without reading revisions back (batches: no RETURNING machinery per row).
    func overwrite(_ rows: [Row], on db: SQLiteConnection) throws(SQLiteError) {
        let s = try statement(.overwrite, overwriteSQL, on: db)
        for row in rows {
            try withBound(row, s) { () throws(SQLiteError) in try s.run() }
        }
    }

    /// Creates the document at revision 1; a primary-key constraint error when it exists.
    func insert(_ row: Row, on db: SQLiteConnection) throws(SQLiteError) {
        let s = try statement(.insert, insertSQL, on: db)
        try withBound(row, s) { () throws(SQLiteError) in try s.run() }
    }

    /// Writes only over `revision`; false when the stored revision differs or nothing is stored.
    func update(_ row: Row, at revision: Int64, on db: SQLiteConnection) throws(SQLiteError) -> Bool {
        let s = try statement(.update, updateSQL, on: db)
        return try withBound(row, s) { () throws(SQLiteError) -> Bool in
            try s.bind(Int32(row.parameters.count + 1), revision)
            try s.run()
            return db.changes == 1
        }
    }

    func delete(_ id: String, at revision: Int64?, on db: SQLiteConnection) throws(SQLiteError) -> Bool {
        let s = try revision == nil ? statement(.delete, deleteSQL, on: db) : statement(.deleteAtRevision, deleteAtRevisionSQL, on: db)
        defer { s.reset() }
        try s.bind(1, id)
        if let revision { try s.bind(2, revision) }
        try s.run()
        return db.changes == 1
    }

    func revision(of id: String, on db: SQLiteConnection) throws(SQLiteError) -> Int64? {
        let s = try statement(.revision, revisionSQL, on: db)
        defer { s.reset() }
        try s.bind(1, id)
        return try s.step() ? s.int64(0) : nil
    }

    /// The stored revision and body bytes (parsed by the caller, off the connection thread).
    func get(_ id: String, on db: SQLiteConnection) throws(SQLiteError) -> (revision: Int64, body: [UInt8])? {
        let s = try statement(.get, getSQL, on: db)
        defer { s.reset() }
        try s.bind(1, id)
        guard try s.step() else { return nil }
        return (s.int64(0), s.withText(1) { Array($0) })
    }

    func count(on db: SQLiteConnection) throws(SQLiteError) -> Int {
        let s = try statement(.count, countSQL, on: db)
        defer { s.reset() }
        return try s.step() ? Int(s.int64(0)) : 0
    }

    /// Up to `limit` rows after `rowid`, in rowid order: the keyset a scan walks.
    func scan(after rowid: Int64, limit: Int, on db: SQLiteConnection) throws(SQLiteError) -> [RawDocument] {
        let s = try statement(.scan, scanSQL, on: db)
        defer { s.reset() }
        try s.bind(1, rowid)
        try s.bind(2, Int64(limit))
        var out: [RawDocument] = []
        out.reserveCapacity(limit)
        while try s.step() {
            out.append(RawDocument(key: s.int64(0), id: s.string(1), revision: s.int64(2), body: s.withText(3) { Array($0) }))
        }
        return out
    }

    /// A row as read: body bytes not yet parsed; `key` is the rowid (scan) or the sort value's position (query).
    struct RawDocument: Sendable {
        var key: Int64
        var id: String
        var revision: Int64
        var body: [UInt8]
        var sort: String = ""
    }

    // MARK: - Queries

    /// The SQL of one query shape. Parameters: ?1 partition, ?2 from, ?3 to, ?4 and ?5 the cursor's sort and id, ?6 limit.
    func querySQL(index: Int, from: Bool, to: Bool, after: Bool, descending: Bool) -> String {
        let (p, s) = indexColumns[index]
        var sql = "SELECT id, revision, body, \(s) FROM \(table) WHERE \(p) = ?1"
        if from { sql += " AND \(s) >= ?2" }
        if to { sql += " AND \(s) <= ?3" }
        if after { sql += descending ? " AND (\(s), id) < (?4, ?5)" : " AND (\(s), id) > (?4, ?5)" }
        let dir = descending ? "DESC" : "ASC"
        sql += " ORDER BY \(s) \(dir), id \(dir) LIMIT ?6"
        return sql
    }

    func query(_ q: IndexQuery, index: Int, after: IndexCursor?, on db: SQLiteConnection) throws(SQLiteError) -> [RawDocument] {
        let (from, to, descending) = (q.from != nil, q.to != nil, q.descending)
        let shape = index << 4 | (from ? 8 : 0) | (to ? 4 : 0) | (after != nil ? 2 : 0) | (descending ? 1 : 0)
        let s = try db.cached(StatementKey(table: id, kind: Kind.queries + shape)) {
            querySQL(index: index, from: from, to: to, after: after != nil, descending: descending)
        }
        defer { s.reset() }
        try s.bind(1, q.partition ?? "")
        if let from = q.from { try s.bind(2, from) }
        if let to = q.to { try s.bind(3, to) }
        if let after {
            try s.bind(4, after.sort)
            try s.bind(5, after.id)
        }
        // One more than asked, to know whether a next page exists.
        try s.bind(6, Int64(q.limit) + 1)
        var out: [RawDocument] = []
        while try s.step() {
            out.append(RawDocument(key: 0, id: s.string(0), revision: s.int64(1), body: s.withText(2) { Array($0) }, sort: s.string(3)))
        }
        return out
    }

    // MARK: - Schema

    /// Creates the table and indexes if missing; adds and fills the columns of indexes declared since.
    func ensure(on db: SQLiteConnection) throws {
        try db.writeTransaction {
            for sql in createSQL.prefix(1) { try db.execute(sql) }
            var existing = Set<String>()
            let info = try SQLiteStatement(db, sql: "SELECT name FROM pragma_table_info(?1)", persistent: false)
            try info.bind(1, spec.name)
            while try info.step() { existing.insert(CollectionTable.quote(info.string(0))) }
            let missing = indexColumns.indices.filter { !existing.contains(indexColumns[$0].partition) }
            for i in missing {
                try db.execute("ALTER TABLE \(table) ADD COLUMN \(indexColumns[i].partition) TEXT")
                try db.execute("ALTER TABLE \(table) ADD COLUMN \(indexColumns[i].sort) TEXT")
            }
            if !missing.isEmpty { try backfill(missing, on: db) }
            for sql in createSQL.dropFirst() { try db.execute(sql) }
            if try db.integer("PRAGMA user_version") == 0 {
                try db.execute("PRAGMA user_version = \(SQLiteStore.schemaVersion)")
            }
        }
    }

    /// Computes the values of newly declared indexes for documents already stored.
    private func backfill(_ indexes: [Int], on db: SQLiteConnection) throws {
        let read = try SQLiteStatement(db, sql: "SELECT rowid, body FROM \(table)", persistent: false)
        let sets = indexes.enumerated().map { k, i in
            "\(indexColumns[i].partition) = ?\(2 * k + 2), \(indexColumns[i].sort) = ?\(2 * k + 3)"
        }
        let write = try SQLiteStatement(db, sql: "UPDATE \(table) SET \(sets.joined(separator: ", ")) WHERE rowid = ?1", persistent: false)
        while try read.step() {
            let body = try read.withText(1) { try JSONParser.parse(Array($0)) }
            write.reset()
            try write.bind(1, read.int64(0))
            for (k, i) in indexes.enumerated() {
                let key = spec.indexKey(spec.indexes[i], of: body)
                try write.bind(Int32(2 * k + 2), key?.partition)
                try write.bind(Int32(2 * k + 3), key?.sort)
            }
            try write.run()
        }
    }
}
