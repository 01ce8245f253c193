import CSQLite
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
/// Group commit (the writer): point writes queued together run in one
/// transaction, each inside its own savepoint, and their callers hear back
/// only after the COMMIT. A write that fails rolls back to its savepoint alone;
/// a failed COMMIT fails every write of the group. One commit then pays the
/// file locks and the WAL append for all of them.
///
/// `@unchecked Sendable`: the job queue and flags are only touched under
/// `condition`'s lock (or are atomics), and the connection is created, used
/// and destroyed on the thread alone (jobs receive it as an argument and
/// must not keep it).
final class ConnectionThread: @unchecked Sendable {
    /// Runs on the thread with the connection (nil when it failed to open) and
    /// returns how to tell its caller, called once the outcome is durable.
    typealias Work = (SQLiteConnection?) -> Outcome

    struct Job {
        /// May share a transaction with other jobs (a single-statement write or a read).
        var groupable: Bool
        var work: Work
    }

    struct Outcome {
        /// The job threw: its savepoint was rolled back and `deliver` reports its own error.
        var failed: Bool
        /// Tells the caller; `override` is the error of a failed group commit, which undoes the job.
        var deliver: (_ override: (any Error)?) -> Void

        init(failed: Bool, deliver: @escaping (_ override: (any Error)?) -> Void) {
            self.failed = failed
            self.deliver = deliver
        }

        /// The outcome of a job that produced `result`.
        init<T>(_ result: Result<T, any Error>, deliver: @escaping (_ override: (any Error)?) -> Void) {
            if case .failure = result { failed = true } else { failed = false }
            self.deliver = deliver
        }
    }

    /// Most jobs in one transaction: bounds how long a caller waits behind others.
    static let maxGroup = 64

    /// How long the thread polls for a next job before sleeping: worth it for point
    /// reads (microseconds each), not for writes, where the poll only takes a core away.
    let idleSpin: Duration
    /// How long a caller of `runSpinning` polls for its result before suspending.
    static let callerSpin = Duration.microseconds(30)

    private init(idleSpin: Duration) { self.idleSpin = idleSpin }

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
    /// The thread is polling for work: a job queued now starts within a microsecond or two,
    /// so its caller's own poll will likely see the result (asleep, the wake-up alone takes longer).
    private let polling = Atomic<Bool>(false)

    /// Starts the thread and opens the connection on it with `open`.
    static func start(name: String, idleSpin: Duration, open: @escaping @Sendable () throws -> SQLiteConnection) async throws -> ConnectionThread {
        let t = ConnectionThread(idleSpin: idleSpin)
        let thread = Thread {
            // Named at the OS level too (Foundation's name is not), so `top -H` tells the threads apart.
            ThreadName.set(name)
            t.main(open)
        }
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
        // How long the thread last waited for work: it polls only when work came back quickly
        // (a caller reading in a loop), not when jobs are sparse and a poll would mostly burn a core.
        var lastGap = Duration.zero
        let clock = ContinuousClock()
        while true {
            let idleSince = clock.now
            if lastGap < idleSpin { pollForWork() }
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            lastGap = clock.now - idleSince
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
            execute(batch, on: connection)
            busy.store(false, ordering: .relaxed)
        }
    }

    /// Runs the jobs in order: runs of groupable jobs share a transaction, others run alone.
    private func execute(_ batch: [Job], on connection: SQLiteConnection?) {
        var i = 0
        while i < batch.count {
            var end = i
            while end < batch.count && batch[end].groupable && end - i < ConnectionThread.maxGroup { end += 1 }
            if end - i >= 2, let connection {
                i = runGroup(batch[i..<end], on: connection)
            } else {
                batch[i].work(connection).deliver(nil)
                i += 1
            }
        }
    }

    /// Runs a run of groupable jobs in one transaction; returns the index of the first job it did not run.
    /// If the transaction cannot start (the write lock stays busy), the first job runs alone and reports it.
    private func runGroup(_ jobs: ArraySlice<Job>, on db: SQLiteConnection) -> Int {
        guard sqlite3_exec(db.handle, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK else {
            jobs.first!.work(db).deliver(nil)
            return jobs.startIndex + 1
        }
        var done: [Outcome] = []
        var next = jobs.startIndex
        while next < jobs.endIndex {
            guard sqlite3_exec(db.handle, "SAVEPOINT job", nil, nil, nil) == SQLITE_OK else { break }
            let outcome = jobs[next].work(db)
            next += 1
            if outcome.failed {
                guard db.isInTransaction else {
                    // SQLite rolled the whole transaction back (an I/O error, a full disk):
                    // the jobs before this one are undone too.
                    let e = db.error(SQLITE_ABORT, doing: "group commit (rolled back by an earlier error)")
                    for o in done { o.deliver(e) }
                    outcome.deliver(nil)
                    return next
                }
                _ = sqlite3_exec(db.handle, "ROLLBACK TO job", nil, nil, nil)
            }
            _ = sqlite3_exec(db.handle, "RELEASE job", nil, nil, nil)
            done.append(outcome)
        }
        let rc = sqlite3_exec(db.handle, "COMMIT", nil, nil, nil)
        if rc == SQLITE_OK {
            for o in done { o.deliver(nil) }
        } else {
            let e = db.error(rc, doing: "COMMIT")
            if db.isInTransaction { _ = sqlite3_exec(db.handle, "ROLLBACK", nil, nil, nil) }
            for o in done { o.deliver(o.failed ? nil : e) }
        }
        return next
    }

    private func pollForWork() {
        guard idleSpin > .zero else { return }
        polling.store(true, ordering: .relaxed)
        defer { polling.store(false, ordering: .relaxed) }
        _ = pollBriefly(for: idleSpin, spinningFor: idleSpin / 4, until: { hasWork.load(ordering: .acquiring) })
    }

    /// Queues a job; false when the thread is stopping. `idle` tells whether
    /// nothing was queued or running, so the job starts at once.
    private func enqueue(_ job: Job) -> (accepted: Bool, idle: Bool) {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return (false, false) }
        let idle = jobs.isEmpty && !busy.load(ordering: .relaxed) && polling.load(ordering: .relaxed)
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
    /// `grouped`: `body` is one statement (or reads), never opens a transaction itself,
    /// and may share one with other jobs (see the type's comment).
    func run<T: Sendable>(grouped: Bool = false, _ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, any Error>) in
            let job = Job(groupable: grouped) { [self] connection in
                let result = perform(connection, body)
                return Outcome(result) { override in
                    if let override { cont.resume(throwing: override) } else { cont.resume(with: result) }
                }
            }
            let (accepted, _) = enqueue(job)
            if !accepted { cont.resume(throwing: closedError()) }
        }
    }

    /// Queues `body` without waiting for it (nothing is reported back); false when the
    /// thread is stopping or its connection failed to open.
    @discardableResult
    func submit(_ body: @escaping @Sendable (SQLiteConnection) -> Void) -> Bool {
        enqueue(Job(groupable: false) { connection in
            if let connection { body(connection) }
            return Outcome(failed: false) { _ in }
        }).accepted
    }

    /// Like `run`, for jobs of a few microseconds (a point read): when the
    /// thread is idle and polling, the caller polls for the result for up to `callerSpin`
    /// before suspending, saving two thread wake-ups per call.
    func runSpinning<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        let pending = PendingResult<T>()
        let job = Job(groupable: false) { [self] connection in
            let result = perform(connection, body)
            return Outcome(result) { _ in pending.complete(result) }
        }
        let (accepted, idle) = enqueue(job)
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
