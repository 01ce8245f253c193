import Foundation
import PlugboardKernel

/// A dedicated OS thread that owns one `SQLiteConnection` and runs jobs on it
/// one at a time, so blocking SQLite calls never run on Swift's cooperative threads.
///
/// `@unchecked Sendable`: the job queue and flags are only touched under
/// `condition`'s lock, and the connection is created, used and destroyed on
/// the thread alone (jobs receive it as an argument and must not keep it).
final class ConnectionThread: @unchecked Sendable {
    typealias Job = (SQLiteConnection?) -> Void

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var stopping = false
    private var stopped = false
    private var finished: [CheckedContinuation<Void, Never>] = []

    /// Starts the thread and opens the connection on it with `open`.
    static func start(name: String, open: @escaping @Sendable () throws -> SQLiteConnection) async throws -> ConnectionThread {
        let t = ConnectionThread()
        let thread = Thread { t.main(open) }
        thread.name = name
        thread.start()
        // The first job reports whether the connection opened.
        try await t.run { _ in }
        return t
    }

    private var openError: (any Error)?

    private func main(_ open: () throws -> SQLiteConnection) {
        var connection: SQLiteConnection?
        do { connection = try open() } catch {
            condition.lock()
            openError = error
            condition.unlock()
        }
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping {
                connection = nil  // closes the database before anyone waiting on stop() resumes
                stopped = true
                let waiters = finished
                finished = []
                condition.unlock()
                for w in waiters { w.resume() }
                return
            }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job(connection) }
        }
    }

    /// Runs `body` on the thread with the connection and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, any Error>) in
            let job: Job = { [self] connection in
                guard let connection else {
                    condition.lock()
                    let e = openError
                    condition.unlock()
                    return cont.resume(throwing: e ?? PlugboardError.unavailable("the SQLite store is closed", adapter: SQLiteStore.adapterName))
                }
                cont.resume(with: Result { try body(connection) })
            }
            condition.lock()
            guard !stopping else {
                condition.unlock()
                return cont.resume(throwing: PlugboardError.unavailable("the SQLite store is closed", adapter: SQLiteStore.adapterName))
            }
            jobs.append(job)
            condition.signal()
            condition.unlock()
        }
    }

    /// Finishes the queued jobs, closes the connection and ends the thread. Idempotent.
    func stop() async {
        await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
            condition.lock()
            if stopped {
                condition.unlock()
                return cont.resume()
            }
            stopping = true
            finished.append(cont)
            condition.signal()
            condition.unlock()
        }
    }

    /// Asks the thread to end without waiting (from a `deinit`).
    func stopSoon() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }
}
