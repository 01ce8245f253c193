import PlugboardKernel
import Synchronization

/// The server's own counters: requests by route, method and status, their
/// latency, and open connections; rendered in the Prometheus text format.
public final class HTTPMetrics: Sendable {
    public static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct Key: Hashable, Comparable {
        var route: String, method: String, status: Int
        static func < (a: Key, b: Key) -> Bool { (a.route, a.method, a.status) < (b.route, b.method, b.status) }
    }
    struct Latency {
        var counts = [Int](repeating: 0, count: HTTPMetrics.buckets.count)
        var sum = 0.0
        var total = 0
    }
    struct State {
        var requests: [Key: Int] = [:]
        var latency: [String: Latency] = [:]
        var dropped: [String: Int] = [:]
    }
    /// One shard per event loop (and a few spare), so loops never wait on each other to count; merged when read.
    private final class Shard: Sendable { let state = Mutex(State()) }
    private let shards: [Shard] = (0..<16).map { _ in Shard() }
    let connections = Atomic<Int>(0)

    public init() {}

    func record(route: String, method: String, status: Int, seconds: Double, shard: Int = 0) {
        shards[shard & 15].state.withLock { s in
            s.requests[Key(route: route, method: method, status: status), default: 0] += 1
            var l = s.latency[route] ?? Latency()
            if let i = HTTPMetrics.buckets.firstIndex(where: { seconds <= $0 }) { l.counts[i] += 1 }
            l.sum += seconds
            l.total += 1
            s.latency[route] = l
        }
    }

    /// A connection closed without an answer: `timeout` (slow client), `limit` (too many connections).
    func dropped(_ reason: String) {
        shards[0].state.withLock { $0.dropped[reason, default: 0] += 1 }
    }

    /// The shards added together.
    private func merged() -> State {
        var m = State()
        for shard in shards {
            let s = shard.state.withLock { $0 }
            for (k, v) in s.requests { m.requests[k, default: 0] += v }
            for (k, v) in s.dropped { m.dropped[k, default: 0] += v }
            for (route, l) in s.latency {
                var t = m.latency[route] ?? Latency()
                for i in t.counts.indices { t.counts[i] += l.counts[i] }
                t.sum += l.sum
                t.total += l.total
                m.latency[route] = t
            }
        }
        return m
    }

    /// Requests answered with `status` on `route` so far (for tests).
    public func count(route: String, status: Int) -> Int {
        merged().requests.filter { $0.key.route == route && $0.key.status == status }.values.reduce(0, +)
    }

    public func prometheusText() -> String {
        let s = merged()
        func esc(_ v: String) -> String { AdapterMetrics.escapeLabelValue(v) }
        var out = "# HELP plugboard_http_requests_total HTTP requests answered, by route, method and status.\n"
        out += "# TYPE plugboard_http_requests_total counter\n"
        for k in s.requests.keys.sorted() {
            out += "plugboard_http_requests_total{route=\"\(esc(k.route))\",method=\"\(esc(k.method))\",status=\"\(k.status)\"} \(s.requests[k]!)\n"
        }
        out += "# HELP plugboard_http_request_duration_seconds Time from a complete request to its response, by route.\n"
        out += "# TYPE plugboard_http_request_duration_seconds histogram\n"
        for route in s.latency.keys.sorted() {
            let l = s.latency[route]!
            var cumulative = 0
            for (i, b) in HTTPMetrics.buckets.enumerated() {
                cumulative += l.counts[i]
                out += "plugboard_http_request_duration_seconds_bucket{route=\"\(esc(route))\",le=\"\(b)\"} \(cumulative)\n"
            }
            out += "plugboard_http_request_duration_seconds_bucket{route=\"\(esc(route))\",le=\"+Inf\"} \(l.total)\n"
            out += "plugboard_http_request_duration_seconds_sum{route=\"\(esc(route))\"} \(l.sum)\n"
            out += "plugboard_http_request_duration_seconds_count{route=\"\(esc(route))\"} \(l.total)\n"
        }
        out += "# HELP plugboard_http_connections_dropped_total Connections closed without a response, by reason.\n"
        out += "# TYPE plugboard_http_connections_dropped_total counter\n"
        for r in s.dropped.keys.sorted() { out += "plugboard_http_connections_dropped_total{reason=\"\(esc(r))\"} \(s.dropped[r]!)\n" }
        out += "# HELP plugboard_http_open_connections Connections open now.\n# TYPE plugboard_http_open_connections gauge\n"
        out += "plugboard_http_open_connections \(connections.load(ordering: .relaxed))\n"
        return out
    }
}
