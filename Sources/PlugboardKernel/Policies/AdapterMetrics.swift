import Synchronization

/// Counters of adapter calls, kept per port, adapter and operation by the policy
/// layer (`CallPolicy`). One process-wide registry (`shared`) feeds
/// `plugboard stats` (`snapshot()`) and `/metrics` (`prometheusText()`); tests
/// give their policies a registry of their own.
///
/// What counts as a call: one attempt, i.e. one request the adapter made. A
/// logical call retried twice is three calls (statuses of each) and two
/// retries, so `calls - retries` is the number of logical calls.
public final class AdapterMetrics: Sendable {
    /// The registry `CallPolicy` uses unless given another.
    public static let shared = AdapterMetrics()

    /// Upper bounds (seconds) of the latency histogram buckets; `+Inf` is implied.
    public static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Which calls a row counts.
    public struct Key: Sendable, Hashable, Comparable {
        public var port: String
        public var adapter: String
        public var operation: String

        public init(port: String, adapter: String, operation: String) {
            self.port = port
            self.adapter = adapter
            self.operation = operation
        }

        public static func < (a: Key, b: Key) -> Bool {
            (a.port, a.adapter, a.operation) < (b.port, b.adapter, b.operation)
        }
    }

    /// The counters of one port/adapter/operation, as of a snapshot.
    public struct Operation: Sendable, Hashable {
        public var key: Key
        /// Calls by outcome: `"ok"` or an error code (`"rateLimited"`, `"unavailable"`, ...).
        public var outcomes: [String: Int] = [:]
        /// Attempts beyond the first.
        public var retries = 0
        /// Calls that had to wait for the rate budget, and how long they waited in all.
        public var rateLimitWaits = 0
        public var rateLimitWaitSeconds = 0.0
        /// Calls per latency bucket (not cumulative): `latencyBucketCounts[i]` counts
        /// latencies in `(latencyBuckets[i-1], latencyBuckets[i]]`; the last entry is the overflow beyond 10 s.
        public var latencyBucketCounts = [Int](repeating: 0, count: AdapterMetrics.latencyBuckets.count + 1)
        /// Total latency of all calls, seconds.
        public var latencySum = 0.0

        public init(key: Key) { self.key = key }

        public var calls: Int { outcomes.values.reduce(0, +) }
        public var errors: Int { calls - outcomes["ok", default: 0] }
        public var meanLatency: Double { calls == 0 ? 0 : latencySum / Double(calls) }

        /// An upper bound of the given quantile (0...1) from the histogram: the
        /// bound of the bucket it falls in (`.infinity` beyond the last bucket).
        public func latencyQuantileBound(_ q: Double) -> Double {
            let total = latencyBucketCounts.reduce(0, +)
            guard total > 0 else { return 0 }
            let rank = max(1, Int((q * Double(total)).rounded(.up)))
            var seen = 0
            for (i, n) in latencyBucketCounts.enumerated() {
                seen += n
                if seen >= rank { return i < AdapterMetrics.latencyBuckets.count ? AdapterMetrics.latencyBuckets[i] : .infinity }
            }
            return .infinity
        }
    }

    private let rows = Mutex<[Key: Operation]>([:])

    public init() {}

    // MARK: - Recording (the policy layer)

    /// One call (attempt) finished with `status` (`"ok"` or an error code) after `latency`.
    public func recordCall(_ key: Key, status: String, latency: Duration) {
        let seconds = max(0, latency.seconds)
        let bucket = AdapterMetrics.latencyBuckets.firstIndex { seconds <= $0 } ?? AdapterMetrics.latencyBuckets.count
        // One lookup of the key (three strings hashed), not three: this runs on every adapter call.
        func add(_ op: inout Operation) {
            op.outcomes[status, default: 0] += 1
            op.latencyBucketCounts[bucket] += 1
            op.latencySum += seconds
        }
        rows.withLock { r in add(&r[key, default: Operation(key: key)]) }
    }

    public func recordRetry(_ key: Key) {
        rows.withLock { $0[key, default: Operation(key: key)].retries += 1 }
    }

    public func recordRateLimitWait(_ key: Key, _ waited: Duration) {
        rows.withLock { r in
            r[key, default: Operation(key: key)].rateLimitWaits += 1
            r[key]!.rateLimitWaitSeconds += max(0, waited.seconds)
        }
    }

    // MARK: - Reading

    /// Every row, ordered by port, adapter, operation.
    public func snapshot() -> [Operation] {
        rows.withLock { Array($0.values) }.sorted { $0.key < $1.key }
    }

    /// The counters of one operation, if it was called.
    public func operation(port: String, adapter: String, operation: String) -> Operation? {
        rows.withLock { $0[Key(port: port, adapter: adapter, operation: operation)] }
    }

    /// Forgets everything (tests; a server's metrics are never reset).
    public func reset() {
        rows.withLock { $0.removeAll() }
    }
}
