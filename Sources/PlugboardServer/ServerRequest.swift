import PlugboardKernel

/// One parsed HTTP/1.x request: method, target split into path and query,
/// headers (names lower-cased, in order), and the whole body.
public struct ServerRequest: Sendable {
    public var method: String
    /// The path as sent (still percent-encoded), without the query.
    public var path: String
    /// Decoded query parameters; the last of repeated names wins.
    public var query: [String: String]
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, path: String, query: [String: String] = [:], minorVersion: Int = 1,
                headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method; self.path = path; self.query = query
        self.minorVersion = minorVersion; self.headers = headers; self.body = body
    }

    /// The first value of a header (`name` lower-case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// Whether the connection stays open after the response (HTTP/1.1 default on, 1.0 default off).
    public var keepAlive: Bool {
        guard let connection = header("connection") else { return minorVersion >= 1 }
        let tokens = connection.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if tokens.contains("close") { return false }
        return minorVersion >= 1 || tokens.contains("keep-alive")
    }

    /// The media type of the body without parameters, lower-cased.
    public var mediaType: String? {
        header("content-type").map { $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "" }
    }

    static func parseQuery(_ q: Substring) -> [String: String] {
        var out: [String: String] = [:]
        for pair in q.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = URIEncoding.decode(String(parts[0]).replacingOccurrences(of: "+", with: " "))
            let value = parts.count > 1 ? URIEncoding.decode(String(parts[1]).replacingOccurrences(of: "+", with: " ")) : ""
            out[name] = value
        }
        return out
    }
}
