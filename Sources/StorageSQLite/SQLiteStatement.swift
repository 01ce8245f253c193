import CSQLite

/// One prepared statement (`sqlite3_stmt`): prepared in `init`, finalized in
/// `deinit`. Used only on its connection's thread, like the connection.
final class SQLiteStatement {
    let handle: OpaquePointer
    /// The connection's handle, for error messages (`sqlite3_errmsg`).
    private unowned let connection: SQLiteConnection
    let sql: String

    init(_ connection: SQLiteConnection, sql: String, persistent: Bool) throws(SQLiteError) {
        self.connection = connection
        self.sql = sql
        var stmt: OpaquePointer?
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let rc = sqlite3_prepare_v3(connection.handle, sql, -1, flags, &stmt, nil)
        do {
            try connection.check(rc, "prepare \(SQLiteStatement.excerpt(sql))")
        } catch {
            sqlite3_finalize(stmt)  // NULL after a failed prepare; harmless either way
            throw error
        }
        // SQLite leaves stmt NULL for a string holding only whitespace or comments.
        guard let stmt else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "empty statement", file: connection.path, operation: "prepare")
        }
        self.handle = stmt
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: - Binding (1-based parameter indexes)

    /// Binds text with its explicit byte length, so NUL characters inside survive.
    func bind(_ i: Int32, _ text: String) throws(SQLiteError) {
        var text = text
        let rc = text.withUTF8 { bindText(i, $0) }
        try connection.check(rc, "bind in \(SQLiteStatement.excerpt(sql))")
    }

    /// Binds UTF-8 bytes as text.
    func bind(_ i: Int32, utf8 bytes: [UInt8]) throws(SQLiteError) {
        let rc = bytes.withUnsafeBufferPointer { bindText(i, $0) }
        try connection.check(rc, "bind in \(SQLiteStatement.excerpt(sql))")
    }

    /// Binds UTF-8 bytes as text without a copy (`SQLITE_STATIC`), or NULL for nil:
    /// the bytes must stay valid until the statement is reset (which clears bindings).
    func bind(_ i: Int32, inPlace bytes: UnsafeBufferPointer<UInt8>?) throws(SQLiteError) {
        let rc: Int32
        if let bytes {
            if let base = bytes.baseAddress, bytes.count > 0 {
                rc = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    sqlite3_bind_text64(handle, i, $0, sqlite3_uint64(bytes.count), csqlite_static(), UInt8(SQLITE_UTF8))
                }
            } else {
                rc = sqlite3_bind_text(handle, i, "", 0, csqlite_transient())
            }
        } else {
            rc = sqlite3_bind_null(handle, i)
        }
        try connection.check(rc, "bind in \(SQLiteStatement.excerpt(sql))")
    }

    /// SQLite copies the bytes (`SQLITE_TRANSIENT`), so the buffer may go once this returns.
    private func bindText(_ i: Int32, _ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            // A NULL pointer would bind SQL NULL; an empty string needs a real (empty) one.
            return sqlite3_bind_text(handle, i, "", 0, csqlite_transient())
        }
        return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            sqlite3_bind_text64(handle, i, $0, sqlite3_uint64(bytes.count), csqlite_transient(), UInt8(SQLITE_UTF8))
        }
    }

    func bind(_ i: Int32, _ text: String?) throws(SQLiteError) {
        guard let text else {
            return try connection.check(sqlite3_bind_null(handle, i), "bind in \(SQLiteStatement.excerpt(sql))")
        }
        try bind(i, text)
    }

    func bind(_ i: Int32, _ value: Int64) throws(SQLiteError) {
        try connection.check(sqlite3_bind_int64(handle, i, value), "bind in \(SQLiteStatement.excerpt(sql))")
    }

    // MARK: - Stepping

    /// One step: true when a row is ready, false when the statement is done.
    func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        try connection.check(rc, SQLiteStatement.excerpt(sql))
        return false
    }

    /// Runs a statement that returns no rows.
    func run() throws(SQLiteError) {
        while try step() {}
    }

    /// Ready for the next use: releases the read snapshot a half-read query holds, clears bindings.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: - Columns (0-based)

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// The column's text as a String, NUL characters included (length from `sqlite3_column_bytes`).
    func string(_ column: Int32) -> String {
        withText(column) { String(decoding: $0, as: UTF8.self) }
    }

    /// The column's UTF-8 bytes, valid only inside `body`.
    func withText<T>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        // Ask for the text first, then its length, as SQLite's documentation advises.
        let p = sqlite3_column_text(handle, column)
        let n = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeBufferPointer(start: p, count: p == nil ? 0 : n))
    }

    static func excerpt(_ sql: String) -> String {
        sql.count > 80 ? String(sql.prefix(77)) + "..." : sql
    }
}
