/// The time source of the policy layer: rate budgets, retry back-off and
/// timeouts read and wait through it, so tests inject a virtual clock and run
/// hours of back-off in microseconds, deterministically.
///
/// ## Implementation requirements
/// - `now` never goes backwards.
/// - `sleep(until:)` returns at or after `deadline` (at once when it has passed),
///   suspends the task without blocking a thread, and throws `CancellationError`
///   promptly when the task is cancelled.
public protocol PolicyClock: Sendable {
    var now: ContinuousClock.Instant { get }
    func sleep(until deadline: ContinuousClock.Instant) async throws
}

/// The production clock: `ContinuousClock` (keeps counting while the machine sleeps,
/// so a server's `Retry-After` is honoured across a suspend).
public struct ContinuousPolicyClock: PolicyClock {
    public init() {}
    public var now: ContinuousClock.Instant { ContinuousClock.now }
    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await ContinuousClock().sleep(until: deadline, tolerance: nil)
    }
}
