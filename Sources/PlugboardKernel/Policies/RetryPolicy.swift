/// Retry with jittered exponential backoff that honours a server's `retryAfter`.
/// Owned by the kernel and applied from the outside: adapters never retry on
/// their own, so retries never stack.
public struct RetryPolicy: Sendable, Hashable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(30)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// From an adapter's `retry` setting: `{"max_attempts": 3, "base_delay": 0.2, "max_delay": 30}`.
    public init(settings: JSON?, default d: RetryPolicy = RetryPolicy()) {
        self = d
        if let n = settings?["max_attempts"]?.intValue { maxAttempts = max(1, n) }
        if let s = settings?["base_delay"]?.doubleValue { baseDelay = .milliseconds(Int(s * 1000)) }
        if let s = settings?["max_delay"]?.doubleValue { maxDelay = .milliseconds(Int(s * 1000)) }
    }

    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait before attempt `attempt + 1` (attempt counts from 1): full jitter
    /// over base·2^(attempt-1), capped, but never shorter than the server asked.
    public func delay(afterAttempt attempt: Int, error: PlugboardError?) -> Duration {
        let exp = min(attempt - 1, 30)
        let capMs = min(Double(maxDelay.milliseconds), Double(baseDelay.milliseconds) * Double(1 << exp))
        var ms = Double.random(in: capMs / 2...max(capMs / 2, capMs))
        if let ra = error?.retryAfter { ms = max(ms, Double(ra.milliseconds)) }
        return .milliseconds(Int(ms))
    }

    /// Runs `operation`, retrying retryable `PlugboardError`s up to `maxAttempts` in all.
    public func run<T>(_ operation: () async throws -> T,
                       onRetry: (_ attempt: Int, _ error: PlugboardError, _ delay: Duration) -> Void = { _, _, _ in }) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch let e as PlugboardError where e.isRetryable && attempt < maxAttempts {
                let d = delay(afterAttempt: attempt, error: e)
                onRetry(attempt, e, d)
                try await Task.sleep(for: d)
                attempt += 1
            }
        }
    }
}

extension Duration {
    /// Whole milliseconds.
    public var milliseconds: Int64 {
        let (s, a) = components
        return s * 1000 + a / 1_000_000_000_000_000
    }
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
