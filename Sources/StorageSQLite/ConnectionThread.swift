import Foundation
import PlugboardKernel
import Synchronization

/// A dedicated OS thread that owns one `SQLiteConnection` and runs jobs on it
/// one at a time, so blocking SQLite calls never run on Swift's cooperative threads.
///
/// Waking a sleeping thread costs more on a busy or virtualized machine
/// (5–30 µs) than a point read takes, so both sides poll briefly before
/// sleeping: the thread after its last job (`idleSpin`), and a caller of
/// `runSpinning` while its short job runs.
///
/// `@unchecked Sendable`: the job queue and flags are only touched under
/// `condition`'s lock (or are atomics), and the connection is created, used
/// and destroyed on the thread alone (jobs receive it as an argument and
/// must not keep it).
final class ConnectionThread: @unchecked Sendable {
    typealias Job = (SQLiteConnection?) -> Void

    /// How long the thread polls for a next job before sleeping.
    static let idleSpin = Duration.microseconds(50)
    /// How long a caller of `runSpinning` polls for its result before suspending.
    static let callerSpin = Duration.microseconds(30)

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var stopping = false
    private var stopped = false
    private var openError: (any Error)?
    private var finished: [CheckedContinuation<Void, Never>] = []
    /// Jobs are queued: lets the thread poll without taking the lock.
    private let hasWork = Atomic<Bool>(false)
    /// The thread is running jobs (as opposed to polling or sleeping).
    private let busy = Atomic<Bool>(false)

    /// Starts the thread and opens the connection on it with `open`.
    static func start(name: String, open: @escaping @Sendable () throws -> SQLiteConnection) async throws -> ConnectionThread {
        let t = ConnectionThread()
        let thread = Thread { t.main(open) }
        thread.name = name
        thread.start()
        // The first job reports whether the connection opened; if not, the thread ends.
        do {
            try await t.run { _ in }
        } catch {
            await t.stop()
            throw error
        }
        return t
    }

    private func main(_ open: () throws -> SQLiteConnection) {
        var connection: SQLiteConnection?
        do { connection = try open() } catch {
            condition.lock()
            openError = error
            condition.unlock()
        }
        while true {
            pollForWork()
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
            busy.store(true, ordering: .relaxed)
            hasWork.store(false, ordering: .relaxed)
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job(connection) }
            busy.store(false, ordering: .relaxed)
        }
    }

    private func pollForWork() {
        let deadline = ContinuousClock.now + ConnectionThread.idleSpin
        while !hasWork.load(ordering: .acquiring) {
            if ContinuousClock.now > deadline { return }
        }
    }

    /// Queues a job; false when the thread is stopping. `idle` tells whether
    /// nothing was queued or running, so the job starts at once.
    private func enqueue(_ job: @escaping Job) -> (accepted: Bool, idle: Bool) {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return (false, false) }
        let idle = jobs.isEmpty && !busy.load(ordering: .relaxed)
        jobs.append(job)
        hasWork.store(true, ordering: .releasing)
        condition.signal()
        return (true, idle)
    }

    private func closedError() -> PlugboardError {
        PlugboardError.unavailable("the SQLite store is closed", adapter: SQLiteStore.adapterName)
    }

    /// The job wrapper: the connection, or why there is none.
    private func perform<T>(_ connection: SQLiteConnection?, _ body: (SQLiteConnection) throws -> T) -> Result<T, any Error> {
        guard let connection else {
            condition.lock()
            let e = openError
            condition.unlock()
            return .failure(e ?? closedError())
        }
        return Result { try body(connection) }
    }

    /// Runs `body` on the thread with the connection and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, any Error>) in
            let (accepted, _) = enqueue { [self] connection in cont.resume(with: perform(connection, body)) }
            if !accepted { cont.resume(throwing: closedError()) }
        }
    }

    /// Like `run`, for jobs of a few microseconds (a point read): when the
    /// thread is idle, the caller polls for the result for up to `callerSpin`
    /// before suspending, saving two thread wake-ups per call.
    func runSpinning<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        let pending = PendingResult<T>()
        let (accepted, idle) = enqueue { [self] connection in pending.complete(perform(connection, body)) }
        guard accepted else { throw closedError() }
        if idle, let result = pending.poll(for: ConnectionThread.callerSpin) { return try result.get() }
        return try await pending.value()
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
