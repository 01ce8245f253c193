import Foundation
import PlugboardKernel

/// A thread of its own that runs submitted work one item at a time.
///
/// Every libpq call blocks (network round trips, `poll`), so each connection
/// owns one of these and its calls never run on Swift's cooperative threads;
/// callers await the result through a continuation.
final class ConnectionThread: @unchecked Sendable {
    // @unchecked: `work` and `stopping` are only read or written with `condition` locked.
    private let condition = NSCondition()
    private var work: [@Sendable () -> Void] = []
    private var stopping = false

    init(name: String) {
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, any Error>) in
            let accepted = submit { cont.resume(with: Result { try body() }) }
            if !accepted {
                cont.resume(throwing: PlugboardError.unavailable("the PostgreSQL connection is closed", adapter: "postgres"))
            }
        }
    }

    /// Queues `body`; false once the thread was told to stop.
    @discardableResult
    func submit(_ body: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return false }
        work.append(body)
        condition.signal()
        return true
    }

    /// Runs `last` after the work already queued, then ends the thread.
    func stop(after last: @escaping @Sendable () -> Void) {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return }
        work.append(last)
        stopping = true
        condition.signal()
    }

    private func loop() {
        while true {
            condition.lock()
            while work.isEmpty && !stopping { condition.wait() }
            if work.isEmpty {
                condition.unlock()
                return
            }
            let next = work.removeFirst()
            condition.unlock()
            next()
        }
    }
}
