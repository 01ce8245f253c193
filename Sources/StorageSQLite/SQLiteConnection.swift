import CSQLite

/// One SQLite connection (`sqlite3`): opened in `init`, closed in `deinit`
/// after its cached statements are finalized.
///
/// Not thread-safe by design: a connection lives on one `ConnectionThread`
/// and is only touched there (it is opened with `SQLITE_OPEN_NOMUTEX`).
/// Names one cached statement: which table layout (`CollectionTable.id`) and which statement of it.
struct StatementKey: Hashable, Sendable {
    var table: Int
    var kind: Int
}

final class SQLiteConnection {
    let handle: OpaquePointer
    /// The database file, for messages.
    let path: String
    private var statements: [StatementKey: SQLiteStatement] = [:]
    /// Objects SQLite holds unretained pointers to (a hook's context): released after the connection closes.
    var keepAlive: [AnyObject] = []

    init(path: String, readOnly: Bool = false) throws(SQLiteError) {
        self.path = path
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard let db else {
            throw SQLiteError(code: rc == SQLITE_OK ? SQLITE_NOMEM : rc, message: "out of memory", file: path, operation: "open")
        }
        guard rc == SQLITE_OK else {
            // Even a failed open returns a handle that must be closed; read its message first.
            let error = SQLiteError(code: sqlite3_extended_errcode(db), message: String(cString: sqlite3_errmsg(db)),
                                    file: path, operation: "open")
            sqlite3_close_v2(db)
            throw error
        }
        self.handle = db
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        statements.removeAll()  // finalize first, or close_v2 keeps the connection alive as a zombie
        sqlite3_close_v2(handle)
    }

    /// The one place return codes are checked: anything but OK, ROW or DONE throws.
    @inline(__always)
    func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(SQLiteError) {
        if rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE { return }
        throw error(rc, doing: operation())
    }

    /// The connection's current error, with the extended code when SQLite has one.
    func error(_ rc: Int32, doing operation: String) -> SQLiteError {
        let extended = sqlite3_extended_errcode(handle)
        let code = (extended & 0xFF) == (rc & 0xFF) ? extended : rc
        return SQLiteError(code: code, message: String(cString: sqlite3_errmsg(handle)), file: path, operation: operation)
    }

    /// A statement prepared once per connection and reused (the caller resets it after use).
    /// Keyed by a small value rather than the SQL text, which would be hashed on every call.
    func cached(_ key: StatementKey, _ sql: () -> String) throws(SQLiteError) -> SQLiteStatement {
        if let s = statements[key] { return s }
        let s = try SQLiteStatement(self, sql: sql(), persistent: true)
        statements[key] = s
        return s
    }

    /// Runs `sql` (one or more statements, no parameters, rows ignored).
    func execute(_ sql: String) throws(SQLiteError) {
        try check(sqlite3_exec(handle, sql, nil, nil, nil), SQLiteStatement.excerpt(sql))
    }

    /// The first column of the first row of a one-off statement, as an integer.
    func integer(_ sql: String) throws(SQLiteError) -> Int64? {
        let s = try SQLiteStatement(self, sql: sql, persistent: false)
        return try s.step() ? s.int64(0) : nil
    }

    /// The first column of the first row of a one-off statement, as text.
    func text(_ sql: String) throws(SQLiteError) -> String? {
        let s = try SQLiteStatement(self, sql: sql, persistent: false)
        return try s.step() ? s.string(0) : nil
    }

    var changes: Int { Int(sqlite3_changes(handle)) }
    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` in a write transaction, taking the write lock up front
    /// (`BEGIN IMMEDIATE`, so the busy timeout applies); rolls back on any error.
    func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if isInTransaction { _ = sqlite3_exec(handle, "ROLLBACK", nil, nil, nil) }
            throw error
        }
    }
}
