import PlugboardKernel
import Synchronization

/// Up to `size` connections, opened on demand and reused. Callers wait in
/// line when all are busy; a connection that lost its server is dropped and
/// its place given to the next caller, who opens a fresh one.
final class PostgresConnectionPool: Sendable {
    /// What a waiting caller is handed: a connection, or the right to open one.
    private enum Grant: Sendable {
        case connection(PostgresConnection)
        case slot
    }

    private struct State {
        var idle: [PostgresConnection] = []
        /// Connections open or being opened.
        var open = 0
        var waiters: [CheckedContinuation<Grant, any Error>] = []
        var closed = false
    }

    let size: Int
    private let state = Mutex(State())
    private let connector: @Sendable () async throws -> PostgresConnection

    init(size: Int, connector: @escaping @Sendable () async throws -> PostgresConnection) {
        self.size = size
        self.connector = connector
    }

    /// Runs `body` on a pooled connection's thread.
    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let value = try await connection.run(body)
            release(connection)
            return value
        } catch {
            release(connection)
            throw error
        }
    }

    func acquire() async throws -> PostgresConnection {
        let grant: Grant = try await withCheckedThrowingContinuation { cont in
            let now: Result<Grant, any Error>? = state.withLock { s in
                if s.closed { return .failure(PostgresConnectionPool.closedError) }
                if let c = s.idle.popLast() { return .success(.connection(c)) }
                if s.open < size {
                    s.open += 1
                    return .success(.slot)
                }
                s.waiters.append(cont)
                return nil
            }
            if let now { cont.resume(with: now) }
        }
        switch grant {
        case .connection(let c):
            return c
        case .slot:
            do {
                return try await connector()
            } catch {
                releaseSlot()
                throw error
            }
        }
    }

    func release(_ connection: PostgresConnection) {
        if connection.isBroken {
            connection.close()
            releaseSlot()
            return
        }
        let (waiter, closeIt): (CheckedContinuation<Grant, any Error>?, Bool) = state.withLock { s in
            if s.closed {
                s.open -= 1
                return (nil, true)
            }
            if !s.waiters.isEmpty { return (s.waiters.removeFirst(), false) }
            s.idle.append(connection)
            return (nil, false)
        }
        if closeIt { connection.close() }
        waiter?.resume(returning: .connection(connection))
    }

    /// Gives up a place (a failed or dropped connection): the next waiter may open one.
    private func releaseSlot() {
        let waiter: CheckedContinuation<Grant, any Error>? = state.withLock { s in
            if !s.closed, !s.waiters.isEmpty { return s.waiters.removeFirst() }
            s.open -= 1
            return nil
        }
        waiter?.resume(returning: .slot)
    }

    /// Closes idle connections now and busy ones when they come back; later
    /// callers get an error. Idempotent.
    func close() {
        let (idle, waiters) = state.withLock { s in
            s.closed = true
            let out = (s.idle, s.waiters)
            s.open -= s.idle.count
            s.idle = []
            s.waiters = []
            return out
        }
        for c in idle { c.close() }
        for w in waiters { w.resume(throwing: PostgresConnectionPool.closedError) }
    }

    static var closedError: PlugboardError {
        PlugboardError(.unavailable, "the postgres store is closed", adapter: "postgres", retryable: false)
    }
}
