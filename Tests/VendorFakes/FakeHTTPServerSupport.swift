import Foundation
import PlugboardKernel

/// A request as the fakes route it: method, path segments, decoded query, JSON body.
struct RoutedRequest {
    let method: String
    let path: String
    let segments: [String]
    let query: [String: [String]]
    let headers: HTTPHeaders
    let rawBody: [UInt8]

    init(_ r: HTTPRequest) {
        method = r.method.rawValue
        let parts = URLParts(r.url)
        path = parts?.path ?? ""
        segments = path.split(separator: "/").map { URIEncoding.decode(String($0)) }
        var q: [String: [String]] = [:]
        for pair in (parts?.query ?? "").split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            q[URIEncoding.decode(kv[0]), default: []].append(kv.count > 1 ? URIEncoding.decode(kv[1]) : "")
        }
        query = q
        headers = r.headers
        rawBody = r.body
    }

    func queryValue(_ name: String) -> String? { query[name]?.first }

    /// The body as JSON, nil when empty or not JSON.
    var json: JSON? { rawBody.isEmpty ? nil : try? JSONParser.parse(rawBody) }

    /// `segments` matches `pattern`, where `*` matches any one segment; returns the wildcards.
    func match(_ method: String, _ pattern: String) -> [String]? {
        guard self.method == method else { return nil }
        let p = pattern.split(separator: "/").map(String.init)
        guard p.count == segments.count else { return nil }
        var captured: [String] = []
        for (a, b) in zip(p, segments) {
            if a == "*" { captured.append(b) } else if a != b { return nil }
        }
        return captured
    }
}

/// A scripted failure a fake serves instead of its normal answer.
enum InjectedFault: Sendable {
    /// A response with this status, headers and raw body.
    case response(Int, HTTPHeaders, String)
    /// A 200 whose body is not JSON.
    case malformedJSON
    /// Waits this long before answering normally (past the adapter's timeout).
    case stall(Duration)
}

/// Milliseconds-resolution wall clock that never repeats an instant, so successive writes get increasing times.
struct FakeClock {
    var last: Double = 0
    mutating func tick() -> Double {
        let now = (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000
        last = max(now, last + 0.001)
        return last
    }
}
