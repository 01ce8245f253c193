import CLibPQ
import Foundation
import PlugboardKernel
import Synchronization

/// One libpq connection and the thread that owns it.
///
/// Every call on the `PGconn` happens on `thread`, one at a time: work enters
/// through `run`, which hands the body a `PostgresSession` valid only there.
final class PostgresConnection: @unchecked Sendable {
    // @unchecked: `handle` and `statements` are touched only on `thread` (inside
    // `run` or the stop item), which runs one item at a time; `broken` is atomic.
    private let thread: ConnectionThread
    fileprivate var handle: OpaquePointer?
    /// Prepared statements of this connection: SQL text → statement name.
    fileprivate var statements: [String: String] = [:]
    private let broken = Atomic<Bool>(false)
    /// Where this connection goes, for messages (`127.0.0.1:5432/plugboard`).
    let endpoint: String

    private init(thread: ConnectionThread, endpoint: String) {
        self.thread = thread
        self.endpoint = endpoint
    }

    /// Whether the server connection was lost; the pool drops such a connection.
    var isBroken: Bool { broken.load(ordering: .relaxed) }
    fileprivate func markBroken() { broken.store(true, ordering: .relaxed) }

    /// Opens a connection on a new thread, giving up after `timeout` seconds.
    static func connect(_ parameters: [(String, String)], timeout: Int, endpoint: String, name: String) async throws -> PostgresConnection {
        let c = PostgresConnection(thread: ConnectionThread(name: name), endpoint: endpoint)
        do {
            try await c.thread.run { try c.open(parameters, timeout: timeout) }
        } catch {
            c.close()
            throw error
        }
        return c
    }

    /// Runs `body` on the connection's thread.
    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) throws -> T) async throws -> T {
        try await thread.run { [self] in
            guard handle != nil else {
                throw PlugboardError.unavailable("the PostgreSQL connection to \(endpoint) is closed", adapter: "postgres")
            }
            return try body(PostgresSession(connection: self))
        }
    }

    /// Closes the connection after the work already queued, and ends its thread.
    func close() {
        thread.stop { [self] in
            if let h = handle { PQfinish(h) }
            handle = nil
            statements = [:]
        }
    }

    // MARK: - Connecting (on the thread)

    private func open(_ parameters: [(String, String)], timeout: Int) throws {
        let conn: OpaquePointer? = withCStringArray(parameters.map(\.0)) { keys in
            withCStringArray(parameters.map(\.1)) { values in PQconnectStartParams(keys, values, 0) }
        }
        guard let conn else {
            throw PlugboardError.internal("cannot allocate a PostgreSQL connection (out of memory)", adapter: "postgres")
        }
        handle = conn
        // Verbose messages carry the SQLSTATE of a refused login ("FATAL:  28P01: ..."),
        // which libpq offers no other way to read before a connection exists.
        PQsetErrorVerbosity(conn, PQERRORS_VERBOSE)
        let deadline = ContinuousClock.now + .seconds(timeout)
        var status = PQstatus(conn) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING
        while true {
            switch status {
            case PGRES_POLLING_OK:
                PQsetErrorVerbosity(conn, PQERRORS_DEFAULT)
                // Notices ("relation already exists, skipping") are not errors; keep them off stderr.
                PQsetNoticeProcessor(conn, { _, _ in }, nil)
                return
            case PGRES_POLLING_READING, PGRES_POLLING_WRITING:
                let ready = waitForSocket(PQsocket(conn), write: status == PGRES_POLLING_WRITING, until: deadline)
                if !ready {
                    let (host, port) = target(conn)
                    throw PostgresStore.connectTimeout(host: host, port: port, seconds: timeout)
                }
            default:
                let (host, port) = target(conn)
                throw PostgresStore.connectFailure(libpqMessage: String(cString: PQerrorMessage(conn)), host: host, port: port,
                                                   database: String(cString: PQdb(conn)), user: String(cString: PQuser(conn)))
            }
            status = PQconnectPoll(conn)
        }
    }

    /// The host and port libpq is trying (defaults and environment applied).
    private func target(_ conn: OpaquePointer) -> (String, String) {
        let host = PQhost(conn).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        let port = PQport(conn).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "5432"
        return (host, port)
    }

    /// Waits until the socket is ready or the deadline passes; false on timeout.
    private func waitForSocket(_ fd: Int32, write: Bool, until deadline: ContinuousClock.Instant) -> Bool {
        guard fd >= 0 else { return true }  // let PQconnectPoll report the bad socket
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { return false }
            let ms = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            var pfd = pollfd(fd: fd, events: Int16(write ? POLLOUT : POLLIN), revents: 0)
            let n = poll(&pfd, 1, ms)
            if n > 0 { return true }
            if n < 0 && errno != EINTR { return true }
        }
    }
}

/// The calls of one connection, valid only inside `PostgresConnection.run`.
struct PostgresSession {
    fileprivate let connection: PostgresConnection

    var endpoint: String { connection.endpoint }

    /// Runs a parameterised statement, prepared once per connection.
    @discardableResult
    func execute(_ sql: String, _ parameters: PostgresParameters = PostgresParameters(),
                 _ context: @autoclosure () -> String) throws -> PostgresResult {
        let name = try prepare(sql, count: parameters.count, context())
        let result = parameters.withValuePointers { values in
            PQexecPrepared(connection.handle, name, Int32(parameters.count), values, nil, nil, 0)
        }
        return try check(result, context())
    }

    /// Runs a statement without parameters and without preparing it (`BEGIN`, DDL).
    @discardableResult
    func command(_ sql: String, _ context: @autoclosure () -> String) throws -> PostgresResult {
        try check(PQexec(connection.handle, sql), context())
    }

    /// Sends a prepared statement without waiting for its result, so the caller
    /// can prepare the next one meanwhile; collect it with `finish`.
    /// `prepared: false` sends a one-off statement that is parsed and forgotten.
    func send(_ sql: String, _ parameters: PostgresParameters, _ context: @autoclosure () -> String,
              prepared: Bool = true) throws {
        let ok: Int32
        if prepared {
            let name = try prepare(sql, count: parameters.count, context())
            ok = parameters.withValuePointers { values in
                PQsendQueryPrepared(connection.handle, name, Int32(parameters.count), values, nil, nil, 0)
            }
        } else {
            ok = parameters.withValuePointers { values in
                PQsendQueryParams(connection.handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
            }
        }
        if ok == 0 { throw failure(nil, context()) }
    }

    /// The result of the statement `send` sent.
    @discardableResult
    func finish(_ context: @autoclosure () -> String) throws -> PostgresResult? {
        var first: Result<PostgresResult, PlugboardError>?
        // Drain every result so the connection is ready for the next statement.
        while let r = PQgetResult(connection.handle) {
            let checked = Result { () throws(PlugboardError) in try check(r, context()) }
            if first == nil { first = checked }
        }
        return try first?.get()
    }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    func transaction<T>(_ context: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
        try command("BEGIN", context())
        do {
            let value = try body()
            try command("COMMIT", context())
            return value
        } catch {
            if PQstatus(connection.handle) == CONNECTION_OK { _ = try? command("ROLLBACK", context()) }
            throw error
        }
    }

    private func prepare(_ sql: String, count: Int, _ context: @autoclosure () -> String) throws -> String {
        if let name = connection.statements[sql] { return name }
        let name = "pb\(connection.statements.count + 1)"
        _ = try check(PQprepare(connection.handle, name, sql, Int32(count), nil), context())
        connection.statements[sql] = name
        return name
    }

    private func check(_ result: OpaquePointer?, _ context: @autoclosure () -> String) throws(PlugboardError) -> PostgresResult {
        guard let result else { throw failure(nil, context()) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(result)
        default:
            let error = failure(result, context())
            PQclear(result)
            throw error
        }
    }

    private func failure(_ result: OpaquePointer?, _ context: String) -> PlugboardError {
        func field(_ code: UInt8) -> String? {
            guard let result, let p = PQresultErrorField(result, Int32(code)) else { return nil }
            return String(cString: p)
        }
        let lost = PQstatus(connection.handle) != CONNECTION_OK
        if lost { connection.markBroken() }
        let message = field(UInt8(ascii: "M"))
            ?? String(cString: PQerrorMessage(connection.handle)).split(separator: "\n").first.map(String.init)
            ?? "unknown error"
        return PostgresStore.error(sqlstate: field(UInt8(ascii: "C")), serverMessage: message,
                                   context: context, endpoint: connection.endpoint, connectionLost: lost)
    }
}

@available(*, unavailable, message: "a session belongs to its connection's thread")
extension PostgresSession: Sendable {}

/// Calls `body` with a NULL-terminated C array of `strings`.
private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
