import Foundation
import Synchronization

/// The result of a job on a `ConnectionThread`, handed to a caller that
/// either polls for it briefly or suspends until it arrives.
final class PendingResult<T: Sendable>: Sendable {
    private enum State {
        case running
        case done(Result<T, any Error>)
        case awaited(CheckedContinuation<T, any Error>)
        case delivered
    }

    private let state = Mutex<State>(.running)
    /// Set with the result, so polling needs no lock.
    private let ready = Atomic<Bool>(false)

    /// Called once, on the connection thread.
    func complete(_ result: Result<T, any Error>) {
        let waiting: CheckedContinuation<T, any Error>? = state.withLock { s in
            if case .awaited(let c) = s {
                s = .delivered
                return c
            }
            s = .done(result)
            return nil
        }
        ready.store(true, ordering: .releasing)
        waiting?.resume(with: result)
    }

    /// The result if it arrives within `limit` of polling (no system calls, no sleep).
    func poll(for limit: Duration) -> Result<T, any Error>? {
        guard pollBriefly(for: limit, spinningFor: limit / 2, until: { ready.load(ordering: .acquiring) }) else { return nil }
        return take()
    }

    private func take() -> Result<T, any Error>? {
        state.withLock { s in
            guard case .done(let r) = s else { return nil }
            s = .delivered
            return r
        }
    }

    /// Suspends until the result arrives (or returns it at once if it has).
    func value() async throws -> T {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, any Error>) in
            let early: Result<T, any Error>? = state.withLock { s in
                if case .done(let r) = s {
                    s = .delivered
                    return r
                }
                s = .awaited(cont)
                return nil
            }
            if let early { cont.resume(with: early) }
        }
    }
}

/// Polls `done` for up to `limit`: a pure spin for the first `pure`, then yielding the core
/// between polls, so that on a busy machine a poll never starves the work it waits for.
/// True when `done` turned true in time.
func pollBriefly(for limit: Duration, spinningFor pure: Duration, until done: () -> Bool) -> Bool {
    let start = ContinuousClock.now
    let deadline = start + limit, eager = start + pure
    while !done() {
        let now = ContinuousClock.now
        if now > deadline { return false }
        if now > eager { sched_yield() }
    }
    return true
}
