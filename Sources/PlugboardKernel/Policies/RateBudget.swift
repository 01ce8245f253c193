import Synchronization

/// A per-adapter budget of `requests` calls per `per` window, shared by every
/// caller of one adapter.
///
/// Sliding-log semantics, exact: in any window of length `per`, at most
/// `requests` calls are admitted. (A fixed-window counter or a token bucket would
/// let twice the budget through around a window edge, and the vendors' limits
/// — HubSpot's 100 per 10 s, Notion's 3 per second — count a sliding window.)
///
/// Callers over the budget reserve the earliest slot that keeps the invariant
/// and sleep until it (an async sleep through the injected clock; no thread is
/// blocked), so waiters are served first come, first served, each waking once.
/// "Admitted" is the reserved instant; a real wake-up may come a little later,
/// which only spreads calls further apart.
///
/// A call that fails with `.rateLimited` and a `retryAfter` pauses the whole
/// budget (`pause(until:)`): every caller of the adapter backs off together,
/// instead of each finding out with its own 429.
public final class RateBudget: Sendable {
    /// `requests` calls per `per`.
    public struct Limit: Sendable, Hashable, CustomStringConvertible {
        public var requests: Int
        public var per: Duration

        public init(requests: Int, per: Duration) {
            precondition(requests > 0, "a rate limit needs at least one request per window")
            self.requests = requests
            self.per = per
        }

        public var description: String { "\(requests) per \(per.seconds) s" }

        /// The vendors' published limits, used when an adapter's config has no `rate_limit`.
        /// HubSpot: 100 per 10 s (private apps); ClickUp: 100 per minute (free plan);
        /// Notion: an average of 3 per second. Other adapters are unlimited.
        public static func vendorDefault(forAdapter name: String) -> Limit? {
            switch name {
            case "hubspot": return Limit(requests: 100, per: .seconds(10))
            case "clickup": return Limit(requests: 100, per: .seconds(60))
            case "notion": return Limit(requests: 3, per: .seconds(1))
            default: return nil
            }
        }

        /// From an adapter's `rate_limit` setting (`{"requests": 100, "per_seconds": 10}`,
        /// validated by the config loader), falling back to the vendor default field
        /// by field (`per_seconds` alone falls back to 1 s). `nil`: unlimited, also
        /// when `per_seconds` is 0.
        public static func from(settings: JSON?, adapter: String) -> Limit? {
            let base = vendorDefault(forAdapter: adapter)
            guard let settings, case .object = settings else { return base }
            let requests = settings["requests"]?.intValue ?? base?.requests
            let seconds = settings["per_seconds"]?.doubleValue ?? base?.per.seconds ?? 1
            guard let requests, requests > 0, seconds > 0 else { return nil }
            return Limit(requests: requests, per: .seconds(seconds))
        }
    }

    /// `nil`: no budget (calls wait only for a shared back-off).
    public let limit: Limit?
    let clock: any PolicyClock

    private struct State {
        /// Admitted and reserved start instants, ascending; entries a full window old are pruned.
        var slots: [ContinuousClock.Instant] = []
        var head = 0
        /// The shared back-off from a `Retry-After`.
        var pausedUntil: ContinuousClock.Instant?

        var live: ArraySlice<ContinuousClock.Instant> { slots[head...] }

        mutating func prune(before cutoff: ContinuousClock.Instant) {
            while head < slots.count, slots[head] <= cutoff { head += 1 }
            if head > 64, head * 2 > slots.count {
                slots.removeFirst(head)
                head = 0
            }
        }

        mutating func remove(_ slot: ContinuousClock.Instant) {
            // Removing any entry keeps the invariant (windows only lose members).
            if let i = slots[head...].lastIndex(of: slot) { slots.remove(at: i) }
        }
    }
    private let state = Mutex(State())

    public init(limit: Limit?, clock: any PolicyClock = ContinuousPolicyClock()) {
        self.limit = limit
        self.clock = clock
    }

    /// Waits until the caller may start a call, and returns how long it waited.
    /// Throws `CancellationError` when the task is cancelled while waiting (the
    /// reserved slot is given back).
    @discardableResult
    public func acquire() async throws -> Duration {
        let start = clock.now
        while true {
            let now = clock.now
            let slot = state.withLock { reserve(&$0, now: now) }
            if slot <= now { return now - start }
            do {
                try await clock.sleep(until: slot)
            } catch {
                if limit != nil { state.withLock { $0.remove(slot) } }
                throw error
            }
            // A pause that arrived while we slept moves us behind it: give the slot back and queue again.
            let keep = state.withLock { s -> Bool in
                guard let p = s.pausedUntil, p > slot else { return true }
                if limit != nil { s.remove(slot) }
                return false
            }
            if keep { return clock.now - start }
        }
    }

    /// The instant the next caller may start, recorded as taken when there is a limit.
    private func reserve(_ s: inout State, now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        var slot = now
        if let p = s.pausedUntil {
            if p > now { slot = p } else { s.pausedUntil = nil }
        }
        guard let limit else { return slot }
        s.prune(before: now - limit.per)
        let live = s.live
        if let last = live.last { slot = max(slot, last) }
        // With n slots already in the log, the new one must be a full window after
        // the n+1-requests'th from the end: then no window of `per` holds requests+1.
        if live.count >= limit.requests {
            slot = max(slot, live[live.endIndex - limit.requests] + limit.per)
        }
        s.slots.append(slot)
        return slot
    }

    /// Holds every caller until `instant` (a server's `Retry-After`). Pauses only extend.
    public func pause(until instant: ContinuousClock.Instant) {
        state.withLock { s in
            if s.pausedUntil.map({ $0 < instant }) ?? true { s.pausedUntil = instant }
        }
    }

    /// Until when callers are held, if they are.
    public var pausedUntil: ContinuousClock.Instant? {
        let now = clock.now
        return state.withLock { s in s.pausedUntil.flatMap { $0 > now ? $0 : nil } }
    }
}
