import CSQLite
import PlugboardKernel

/// A failed SQLite call: the (extended) result code, SQLite's message, the file and what we were doing.
struct SQLiteError: Error, Sendable, CustomStringConvertible {
    var code: Int32
    var message: String
    var file: String
    var operation: String

    /// The primary result code (`SQLITE_CONSTRAINT` for `SQLITE_CONSTRAINT_PRIMARYKEY`).
    var primary: Int32 { code & 0xFF }
    /// `SQLITE_CONSTRAINT_PRIMARYKEY (1555)`, or the primary name when the extended one is not known here.
    var codeName: String {
        let name = SQLiteError.names[code] ?? SQLiteError.names[primary] ?? "SQLITE_ERROR"
        return "\(name) (\(code))"
    }
    var description: String { "\(operation): \(message) [\(codeName)] in \(file)" }

    static let names: [Int32: String] = [
        SQLITE_ERROR: "SQLITE_ERROR", SQLITE_INTERNAL: "SQLITE_INTERNAL", SQLITE_PERM: "SQLITE_PERM",
        SQLITE_ABORT: "SQLITE_ABORT", SQLITE_BUSY: "SQLITE_BUSY", SQLITE_LOCKED: "SQLITE_LOCKED",
        SQLITE_NOMEM: "SQLITE_NOMEM", SQLITE_READONLY: "SQLITE_READONLY", SQLITE_INTERRUPT: "SQLITE_INTERRUPT",
        SQLITE_IOERR: "SQLITE_IOERR", SQLITE_CORRUPT: "SQLITE_CORRUPT", SQLITE_FULL: "SQLITE_FULL",
        SQLITE_CANTOPEN: "SQLITE_CANTOPEN", SQLITE_PROTOCOL: "SQLITE_PROTOCOL", SQLITE_SCHEMA: "SQLITE_SCHEMA",
        SQLITE_TOOBIG: "SQLITE_TOOBIG", SQLITE_CONSTRAINT: "SQLITE_CONSTRAINT", SQLITE_MISMATCH: "SQLITE_MISMATCH",
        SQLITE_MISUSE: "SQLITE_MISUSE", SQLITE_NOLFS: "SQLITE_NOLFS", SQLITE_AUTH: "SQLITE_AUTH",
        SQLITE_RANGE: "SQLITE_RANGE", SQLITE_NOTADB: "SQLITE_NOTADB",
        SQLITE_CONSTRAINT_PRIMARYKEY: "SQLITE_CONSTRAINT_PRIMARYKEY", SQLITE_CONSTRAINT_UNIQUE: "SQLITE_CONSTRAINT_UNIQUE",
        SQLITE_BUSY_RECOVERY: "SQLITE_BUSY_RECOVERY", SQLITE_BUSY_SNAPSHOT: "SQLITE_BUSY_SNAPSHOT",
        SQLITE_BUSY_TIMEOUT: "SQLITE_BUSY_TIMEOUT", SQLITE_CANTOPEN_ISDIR: "SQLITE_CANTOPEN_ISDIR",
        SQLITE_READONLY_DIRECTORY: "SQLITE_READONLY_DIRECTORY",
    ]
}

// The extended codes we name or test: C macros with casts, which Swift does not import.
let SQLITE_CONSTRAINT_PRIMARYKEY = SQLITE_CONSTRAINT | (6 << 8)
let SQLITE_CONSTRAINT_UNIQUE = SQLITE_CONSTRAINT | (8 << 8)
let SQLITE_BUSY_RECOVERY = SQLITE_BUSY | (1 << 8)
let SQLITE_BUSY_SNAPSHOT = SQLITE_BUSY | (2 << 8)
let SQLITE_BUSY_TIMEOUT = SQLITE_BUSY | (3 << 8)
let SQLITE_CANTOPEN_ISDIR = SQLITE_CANTOPEN | (2 << 8)
let SQLITE_READONLY_DIRECTORY = SQLITE_READONLY | (6 << 8)

// MARK: - The one place SQLite result codes become PlugboardErrors

extension SQLiteStore {
    /// Maps any error thrown on a connection thread to a `PlugboardError`.
    /// `subject` names the document or collection concerned (`tickets/T1`).
    static func plugboardError(_ error: any Error, subject: String? = nil) -> PlugboardError {
        guard let e = error as? SQLiteError else { return PlugboardError.wrap(error, adapter: adapterName) }
        let cause = e.codeName
        let about = subject.map { "\($0): " } ?? ""
        func make(_ code: PlugboardError.Code, _ message: String, retryable: Bool? = nil) -> PlugboardError {
            PlugboardError(code, message, adapter: adapterName, cause: cause, retryable: retryable)
        }
        switch e.primary {
        case SQLITE_CONSTRAINT:
            return make(.conflict, "\(about)\(e.message)")
        case SQLITE_BUSY, SQLITE_LOCKED:
            return make(.unavailable, "\(about)database \(e.file) is locked by another connection (\(e.message)); try again",
                        retryable: true)
        case SQLITE_CANTOPEN:
            return make(.invalidConfiguration,
                        "cannot open SQLite database \(e.file): \(e.message) (is the path a writable file in an existing folder?)")
        case SQLITE_PERM, SQLITE_AUTH:
            return make(.permissionDenied, "\(about)no permission for \(e.operation) on SQLite database \(e.file): \(e.message)")
        case SQLITE_READONLY:
            return make(.permissionDenied, "\(about)SQLite database \(e.file) is read-only: \(e.message)")
        case SQLITE_NOTADB:
            return make(.invalidConfiguration, "\(e.file) is not a SQLite database (\(e.message))")
        case SQLITE_CORRUPT:
            return make(.internal, "SQLite database \(e.file) is corrupt: \(e.message)")
        case SQLITE_FULL:
            return make(.unavailable, "\(about)disk full writing SQLite database \(e.file)", retryable: false)
        case SQLITE_IOERR, SQLITE_PROTOCOL, SQLITE_INTERRUPT:
            return make(.unavailable, "\(about)I/O error on SQLite database \(e.file) during \(e.operation): \(e.message)")
        case SQLITE_TOOBIG:
            return make(.invalidInput, "\(about)too large for SQLite (\(e.message))")
        default:
            return make(.internal, "\(about)\(e.operation) failed on SQLite database \(e.file): \(e.message)")
        }
    }
}
