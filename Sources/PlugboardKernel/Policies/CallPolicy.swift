/// The policy layer around one adapter: rate budget, retry, optional timeout,
/// metrics and a debug log line per call. Owned once by the kernel and applied
/// from the outside by the `Policy*` decorators (`PolicyStore`, `PolicyCRM`, ...),
/// so no adapter retries on its own and retries never stack.
///
/// Each attempt: wait for the rate budget → run the call (under the timeout, if
/// one is set) → count it and log it. A retryable `PlugboardError` is retried up
/// to `retry.maxAttempts` attempts in all (the first call counts), after the
/// jittered back-off of `RetryPolicy`, never sooner than the error's
/// `retryAfter`. A `.rateLimited` error with a `retryAfter` also pauses the
/// adapter's whole budget, so every caller backs off, not just this one.
///
/// Nested adapters (an LLM fallback chain) give each link its own layer, built
/// from the link's own section with `CallPolicy(settings:logger:)`; the chain's
/// outer layer then only measures and logs (see `AdapterDescriptor.nestedPolicies`).
public struct CallPolicy: Sendable {
    public var port: Port
    /// The adapter's name (`hubspot`), for metrics, logs and errors.
    public var adapter: String
    public var retry: RetryPolicy
    /// Shared by every copy of this policy: one budget per adapter instance.
    public var budget: RateBudget
    /// A limit on each attempt, enforced by cancelling it. `nil` (the default):
    /// adapters with a `timeout` setting apply it themselves (HTTP adapters hand it
    /// to the transport), and the policy layer adds none.
    public var timeout: Duration?
    public var metrics: AdapterMetrics
    public var logger: Logger
    public var clock: any PolicyClock

    public init(port: Port, adapter: String, retry: RetryPolicy = RetryPolicy(), budget: RateBudget? = nil,
                timeout: Duration? = nil, metrics: AdapterMetrics = .shared,
                logger: Logger = Logger(label: "plugboard"), clock: any PolicyClock = ContinuousPolicyClock()) {
        self.port = port
        self.adapter = adapter
        self.retry = retry
        self.budget = budget ?? RateBudget(limit: nil, clock: clock)
        self.timeout = timeout
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
    }

    /// Runs one port operation under the policy. `operation` names the port
    /// method (`"createTicket"`); it labels metrics and logs, never arguments.
    public func call<T: Sendable>(operation: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let key = AdapterMetrics.Key(port: port.rawValue, adapter: adapter, operation: operation)
        var attempt = 1
        while true {
            let waited = try await budget.acquire()
            if waited > .zero { metrics.recordRateLimitWait(key, waited) }
            let started = clock.now
            do {
                let value = try await runAttempt(operation, body)
                finished(key, status: "ok", latency: clock.now - started, attempt: attempt, waited: waited)
                return value
            } catch {
                let latency = clock.now - started
                let failure = error as? PlugboardError
                finished(key, status: AdapterMetrics.status(of: error), latency: latency, attempt: attempt, waited: waited)
                if let failure, failure.code == .rateLimited, let after = failure.retryAfter {
                    budget.pause(until: clock.now + after)
                }
                guard let failure, failure.isRetryable, attempt < retry.maxAttempts else {
                    throw attributed(error)
                }
                let delay = retry.delay(afterAttempt: attempt, error: failure)
                metrics.recordRetry(key)
                try await clock.sleep(until: clock.now + delay)
                attempt += 1
            }
        }
    }

    /// One attempt, under the timeout when there is one.
    private func runAttempt<T: Sendable>(_ operation: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let timeout else { return try await body() }
        let deadline = clock.now + timeout
        let clock = self.clock
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await clock.sleep(until: deadline)
                return nil
            }
            defer { group.cancelAll() }
            // The first child to finish decides; `.some(nil)` is a body that returned nil.
            if case .some(.some(let value)) = try await group.next() { return value }
            throw PlugboardError(.unavailable, "\(operation) timed out after \(timeout.seconds) s", adapter: adapter,
                                 cause: "timeout", retryable: true)
        }
    }

    private func finished(_ key: AdapterMetrics.Key, status: String, latency: Duration, attempt: Int, waited: Duration) {
        metrics.recordCall(key, status: status, latency: latency)
        guard logger.isEnabled(.debug) else { return }
        // Names and codes only: arguments may hold personal data or secrets.
        var fields = ["adapter": adapter, "port": port.rawValue, "operation": key.operation, "status": status,
                      "latency_ms": CallPolicy.milliseconds(latency), "attempt": String(attempt)]
        if waited > .zero { fields["rate_wait_ms"] = CallPolicy.milliseconds(waited) }
        logger.debug("adapter call", fields)
    }

    /// The error as the caller sees it: a `PlugboardError` names this adapter; others pass unchanged.
    private func attributed(_ error: any Error) -> any Error {
        guard var e = error as? PlugboardError else { return error }
        if e.adapter == nil { e.adapter = adapter }
        return e
    }

    static func milliseconds(_ d: Duration) -> String {
        let ms = d.seconds * 1000
        return ms < 10 ? String(Double(Int(ms * 100)) / 100) : String(Int(ms.rounded()))
    }
}

extension AdapterMetrics {
    /// The status label of a failed call: the error code, `cancelled`, or `internal` for a foreign error.
    static func status(of error: any Error) -> String {
        if let e = error as? PlugboardError { return e.code.description }
        if error is CancellationError { return "cancelled" }
        return PlugboardError.Code.internal.description
    }
}
