import Foundation
import PlugboardKernel

/// The table of one collection in one schema, and the SQL that reads and writes it.
///
/// Columns: `id TEXT COLLATE "C" PRIMARY KEY`, `revision BIGINT`, `body TEXT`
/// (the canonical JSON text), then per declared index a partition and a sort
/// column (`"status-created_at.partition"`, `"status-created_at.sort"`), both
/// NULL when the document is not in the index, with a btree index on
/// (partition, sort, id). Ids and index values are stored through
/// `PostgresKeyText`. All SQL is built here from names alone; values always
/// travel as parameters.
struct CollectionTable: Sendable {
    struct IndexColumns: Sendable {
        let index: IndexSpec
        let partition: String
        let sort: String
        /// The btree index's name (unquoted).
        let btreeName: String
    }

    let spec: CollectionSpec
    let schema: String
    /// `"schema"."collection"`.
    let table: String
    let indexes: [IndexColumns]

    init(_ spec: CollectionSpec, schema: String) {
        self.spec = spec
        self.schema = schema
        table = PostgresSQL.quote(schema) + "." + PostgresSQL.quote(spec.name)
        indexes = spec.indexes.map { i in
            IndexColumns(index: i,
                         partition: PostgresSQL.quote(PostgresSQL.identifier(i.name + ".partition")),
                         sort: PostgresSQL.quote(PostgresSQL.identifier(i.name + ".sort")),
                         btreeName: PostgresSQL.identifier(spec.name + "." + i.name))
        }
    }

    func columns(of index: IndexSpec) -> IndexColumns { indexes.first { $0.index.name == index.name }! }

    /// Index columns, in order, after id, revision and body.
    private var indexColumnList: [String] { indexes.flatMap { [$0.partition, $0.sort] } }
    private var allColumns: String { (["id", "revision", "body"] + indexColumnList).joined(separator: ", ") }
    /// Parameters per written row: id, body, then two per index.
    var valuesPerRow: Int { 2 + 2 * indexes.count }

    private func placeholders(from first: Int) -> [String] {
        (0..<(2 * indexes.count)).map { "$\(first + $0)" }
    }
    private var setIndexColumnsFromExcluded: String {
        indexColumnList.map { ", \($0) = EXCLUDED.\($0)" }.joined()
    }

    // MARK: - DDL

    var createTable: String {
        var cols = ["id TEXT COLLATE \"C\" PRIMARY KEY", "revision BIGINT NOT NULL", "body TEXT NOT NULL"]
        for i in indexes { cols += ["\(i.partition) TEXT COLLATE \"C\"", "\(i.sort) TEXT COLLATE \"C\""] }
        return "CREATE TABLE IF NOT EXISTS \(table) (\(cols.joined(separator: ", ")))"
    }

    func addColumns(_ i: IndexColumns) -> [String] {
        ["ALTER TABLE \(table) ADD COLUMN IF NOT EXISTS \(i.partition) TEXT COLLATE \"C\"",
         "ALTER TABLE \(table) ADD COLUMN IF NOT EXISTS \(i.sort) TEXT COLLATE \"C\""]
    }

    func createBtree(_ i: IndexColumns) -> String {
        "CREATE INDEX IF NOT EXISTS \(PostgresSQL.quote(i.btreeName)) ON \(table) (\(i.partition), \(i.sort), id)"
    }

    /// Removes an index that is no longer declared, by its stored name.
    func dropIndex(named name: String) -> [String] {
        let p = PostgresSQL.quote(PostgresSQL.identifier(name + ".partition"))
        let s = PostgresSQL.quote(PostgresSQL.identifier(name + ".sort"))
        return ["DROP INDEX IF EXISTS \(PostgresSQL.quote(schema)).\(PostgresSQL.quote(PostgresSQL.identifier(spec.name + "." + name)))",
                "ALTER TABLE \(table) DROP COLUMN IF EXISTS \(p), DROP COLUMN IF EXISTS \(s)"]
    }

    /// The declared indexes as stored in `plugboard_collections`, to detect changes.
    var indexDescription: JSON {
        .object(Dictionary(uniqueKeysWithValues: spec.indexes.map { i in
            (i.name, JSON.object(["partition": i.partitionField.map(JSON.string) ?? .null,
                                  "sort": i.sortField.map(JSON.string) ?? .null,
                                  "timestamp": .bool(i.sortIsTimestamp)]))
        }))
    }

    // MARK: - Statements

    var get: String { "SELECT revision, body FROM \(table) WHERE id = $1" }

    /// $1 id, $2 body, then index values; returns the new revision.
    var upsert: String {
        "INSERT INTO \(table) AS t (\(allColumns)) VALUES ($1, 1, $2\(placeholders(from: 3).map { ", " + $0 }.joined())) "
            + "ON CONFLICT (id) DO UPDATE SET revision = t.revision + 1, body = EXCLUDED.body\(setIndexColumnsFromExcluded) "
            + "RETURNING revision"
    }

    /// Like `upsert`, but writes nothing (and returns no row) when the id exists.
    var insertIfAbsent: String {
        "INSERT INTO \(table) (\(allColumns)) VALUES ($1, 1, $2\(placeholders(from: 3).map { ", " + $0 }.joined())) "
            + "ON CONFLICT (id) DO NOTHING RETURNING revision"
    }

    /// $1 id, $2 body, index values, then the expected revision last.
    var updateAtRevision: String {
        let sets = zip(indexColumnList, placeholders(from: 3)).map { ", \($0) = \($1)" }.joined()
        return "UPDATE \(table) SET revision = revision + 1, body = $2\(sets) "
            + "WHERE id = $1 AND revision = $\(3 + 2 * indexes.count) RETURNING revision"
    }

    var revisionOf: String { "SELECT revision FROM \(table) WHERE id = $1" }
    var deleteAny: String { "DELETE FROM \(table) WHERE id = $1" }
    var deleteAtRevision: String { "DELETE FROM \(table) WHERE id = $1 AND revision = $2" }
    var count: String { "SELECT count(*) FROM \(table)" }
    var scanFirst: String { "SELECT id, revision, body FROM \(table) ORDER BY id LIMIT $1" }
    var scanNext: String { "SELECT id, revision, body FROM \(table) WHERE id > $1 ORDER BY id LIMIT $2" }

    /// `rows` rows of (id, body, index values..., occurrences); an existing row's
    /// revision grows by the number of times the id occurred in the batch.
    func batchUpsert(rows: Int) -> String {
        let per = valuesPerRow + 1
        var sql = "INSERT INTO \(table) AS t (\(allColumns)) VALUES "
        sql.reserveCapacity(sql.utf8.count + rows * per * 8)
        for r in 0..<rows {
            let b = r * per
            if r > 0 { sql += ", " }
            sql += "($\(b + 1), $\(b + per)::bigint, $\(b + 2)"
            for k in 0..<(2 * indexes.count) { sql += ", $\(b + 3 + k)" }
            sql += ")"
        }
        sql += " ON CONFLICT (id) DO UPDATE SET revision = t.revision + EXCLUDED.revision, body = EXCLUDED.body"
        sql += setIndexColumnsFromExcluded
        return sql
    }

    /// A page of an index: $1 partition, then the optional bounds and cursor, the limit last.
    func query(_ index: IndexSpec, from: Bool, to: Bool, after: Bool, descending: Bool) -> String {
        let c = columns(of: index)
        var n = 1
        func next() -> String { n += 1; return "$\(n)" }
        var sql = "SELECT id, revision, body FROM \(table) WHERE \(c.partition) = $1"
        if from { sql += " AND \(c.sort) >= \(next())" }
        if to { sql += " AND \(c.sort) <= \(next())" }
        if after {
            let s = next(), i = next()
            sql += " AND (\(c.sort), id) \(descending ? "<" : ">") (\(s), \(i))"
        }
        let dir = descending ? " DESC" : ""
        sql += " ORDER BY \(c.sort)\(dir), id\(dir) LIMIT \(next())"
        return sql
    }

    /// Due jobs, locked, skipping rows another transaction holds: $1 state, $2 due before, $3 limit.
    func claimDue(_ index: IndexSpec) -> String {
        let c = columns(of: index)
        return "SELECT id, revision, body FROM \(table) WHERE \(c.partition) = $1 AND \(c.sort) <= $2 "
            + "ORDER BY \(c.sort), id LIMIT $3 FOR UPDATE SKIP LOCKED"
    }

    /// Appends the (partition, sort) parameters of every index for `body`.
    func appendIndexValues(of body: JSON, to params: inout PostgresParameters) {
        for i in indexes {
            if let key = spec.indexKey(i.index, of: body) {
                params.append(PostgresKeyText.encode(key.partition))
                params.append(PostgresKeyText.encode(key.sort))
            } else {
                params.appendNull()
                params.appendNull()
            }
        }
    }
}

/// Identifier helpers: every name in SQL text is quoted, values never appear.
enum PostgresSQL {
    /// `"name"`, with inner quotes doubled.
    static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `raw` if PostgreSQL keeps it whole (63 bytes), else a prefix and a hash,
    /// so long names never collide by silent truncation.
    static func identifier(_ raw: String) -> String {
        guard raw.utf8.count > 63 else { return raw }
        var hash: UInt64 = 0xcbf29ce484222325
        for b in raw.utf8 { hash = (hash ^ UInt64(b)) &* 0x100000001b3 }
        var prefix = ""
        for ch in raw.unicodeScalars {
            if prefix.utf8.count + String(ch).utf8.count > 46 { break }
            prefix.unicodeScalars.append(ch)
        }
        let hex = String(hash, radix: 16)
        return prefix + "~" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
