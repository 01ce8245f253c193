import PlugboardKernel

/// Creating and upgrading the schema, idempotently and safely when several
/// processes start at once.
extension PostgresStore {
    /// The layout this build writes; `plugboard_schema.version`.
    static let schemaVersion: Int64 = 1
    /// First key of the advisory lock guarding DDL ("PLBG"); the second is the schema name's hash.
    static let lockClass = 0x504C_4247

    /// Names the adapter uses in every schema; no collection may take them.
    static let reservedTables: Set<String> = ["plugboard_schema", "plugboard_collections"]

    /// Makes sure the schema and its bookkeeping tables exist at a version this build knows.
    func prepareSchema() async throws {
        let schema = self.schema
        try await pool.run { s in
            let what = "prepare schema \(schema)"
            let q = PostgresSQL.quote(schema)
            // Fast path, read-only: a role allowed to write but not to create passes here.
            if try PostgresStore.tableExists(s, schema, "plugboard_schema", what),
               let v = try PostgresStore.storedVersion(s, schema, what), v == PostgresStore.schemaVersion {
                return
            }
            try s.transaction(what) {
                try PostgresStore.lock(s, schema, what)
                var p = PostgresParameters()
                p.append(schema)
                if try s.execute("SELECT 1 FROM pg_namespace WHERE nspname = $1", p, what).rowCount == 0 {
                    try s.command("CREATE SCHEMA \(q)", what)
                }
                try s.command("CREATE TABLE IF NOT EXISTS \(q).plugboard_schema (version BIGINT NOT NULL)", what)
                try s.command("CREATE TABLE IF NOT EXISTS \(q).plugboard_collections "
                              + "(name TEXT PRIMARY KEY, indexes TEXT NOT NULL)", what)
                switch try PostgresStore.storedVersion(s, schema, what) {
                case nil:
                    var v = PostgresParameters()
                    v.append(PostgresStore.schemaVersion)
                    try s.execute("INSERT INTO \(q).plugboard_schema (version) VALUES ($1)", v, what)
                case let v? where v > PostgresStore.schemaVersion:
                    throw PlugboardError.invalidConfiguration(
                        "schema \(schema) at \(s.endpoint) holds plugboard data of layout version \(v); "
                            + "this build knows up to \(PostgresStore.schemaVersion): upgrade plugboard", adapter: "postgres")
                default:
                    // Version 1 is the first layout: nothing older to migrate yet.
                    break
                }
            }
        }
    }

    /// The table of `c`, created, or upgraded to the declared indexes.
    func prepareTable(_ c: CollectionSpec) async throws -> CollectionTable {
        guard !PostgresStore.reservedTables.contains(c.name) else {
            throw PlugboardError.invalidInput("collection name \(c.name) is reserved by the postgres adapter", adapter: "postgres")
        }
        let t = CollectionTable(c, schema: schema)
        let schema = self.schema
        let want = t.indexDescription
        try await pool.run { s in
            let what = "prepare table \(c.name) in schema \(schema)"
            if try PostgresStore.storedIndexes(s, t, what) == want { return }
            try s.transaction(what) {
                try PostgresStore.lock(s, schema, what)
                let stored = try PostgresStore.storedIndexes(s, t, what)
                if stored == want { return }
                try s.command(t.createTable, what)
                var changed = t.indexes
                if let stored {
                    let old = stored.objectValue ?? [:]
                    // An index whose definition changed is rebuilt; one no longer declared is dropped.
                    for (name, definition) in old where want[name] != definition {
                        for sql in t.dropIndex(named: name) { try s.command(sql, what) }
                    }
                    changed = t.indexes.filter { old[$0.index.name] != want[$0.index.name] }
                    for i in changed { for sql in t.addColumns(i) { try s.command(sql, what) } }
                    try PostgresStore.fillIndexColumns(s, t, changed, what)
                }
                for i in changed { try s.command(t.createBtree(i), what) }
                var p = PostgresParameters()
                p.append(c.name)
                p.append(json: want)
                try s.execute("INSERT INTO \(PostgresSQL.quote(schema)).plugboard_collections (name, indexes) VALUES ($1, $2) "
                              + "ON CONFLICT (name) DO UPDATE SET indexes = EXCLUDED.indexes", p, what)
            }
        }
        return t
    }

    /// Computes new index columns from the stored bodies (an index added to a collection with data).
    static func fillIndexColumns(_ s: PostgresSession, _ t: CollectionTable, _ indexes: [CollectionTable.IndexColumns],
                                 _ what: String) throws {
        guard !indexes.isEmpty else { return }
        let sets = indexes.enumerated().map { k, i in "\(i.partition) = $\(2 * k + 2), \(i.sort) = $\(2 * k + 3)" }
        let update = "UPDATE \(t.table) SET \(sets.joined(separator: ", ")) WHERE id = $1"
        var lastID: String?
        while true {
            var p = PostgresParameters()
            if let lastID { p.append(lastID) }
            p.append(1000)
            let r = try s.execute(lastID == nil ? t.scanFirst : t.scanNext, p, what)
            if r.rowCount == 0 { return }
            for row in 0..<r.rowCount {
                let id = String(decoding: r.bytes(row, 0), as: UTF8.self)
                let body = try PostgresStore.body(r, row, 2, t.spec, id)
                var u = PostgresParameters()
                u.append(id)
                for i in indexes {
                    let key = t.spec.indexKey(i.index, of: body)
                    u.append(key.map { PostgresKeyText.encode($0.partition) })
                    u.append(key.map { PostgresKeyText.encode($0.sort) })
                }
                try s.execute(update, u, what)
            }
            lastID = String(decoding: r.bytes(r.rowCount - 1, 0), as: UTF8.self)
        }
    }

    /// Serializes DDL on one schema across every process, until the transaction ends.
    static func lock(_ s: PostgresSession, _ schema: String, _ what: String) throws {
        var p = PostgresParameters()
        p.append(lockClass)
        p.append(schema)
        try s.execute("SELECT pg_advisory_xact_lock($1::int, hashtext($2))", p, what)
    }

    static func tableExists(_ s: PostgresSession, _ schema: String, _ name: String, _ what: String) throws -> Bool {
        var p = PostgresParameters()
        p.append(PostgresSQL.quote(schema) + "." + PostgresSQL.quote(name))
        return try s.execute("SELECT to_regclass($1) IS NOT NULL", p, what).string(0, 0) == "t"
    }

    static func storedVersion(_ s: PostgresSession, _ schema: String, _ what: String) throws -> Int64? {
        try s.execute("SELECT max(version) FROM \(PostgresSQL.quote(schema)).plugboard_schema", PostgresParameters(), what)
            .int64(0, 0)
    }

    /// The index description recorded for a table, nil if it was never created.
    static func storedIndexes(_ s: PostgresSession, _ t: CollectionTable, _ what: String) throws -> JSON? {
        var p = PostgresParameters()
        p.append(t.spec.name)
        let r = try s.execute("SELECT indexes FROM \(PostgresSQL.quote(t.schema)).plugboard_collections WHERE name = $1", p, what)
        guard r.rowCount == 1 else { return nil }
        return try? JSONParser.parse(Array(r.bytes(0, 0)))
    }
}
