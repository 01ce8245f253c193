/// An HTTP method (`GET`, `POST`, ...), open to any token a server accepts.
public struct HTTPMethod: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue.uppercased() }
    public init(_ rawValue: String) { self.init(rawValue: rawValue) }
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }

    public static let get: HTTPMethod = "GET"
    public static let head: HTTPMethod = "HEAD"
    public static let post: HTTPMethod = "POST"
    public static let put: HTTPMethod = "PUT"
    public static let patch: HTTPMethod = "PATCH"
    public static let delete: HTTPMethod = "DELETE"
}

/// One HTTP request, as every `HTTPTransport` takes it.
public struct HTTPRequest: Sendable, Hashable {
    public var method: HTTPMethod
    /// An absolute `http://` or `https://` URL, already percent-encoded.
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Overrides the transport's total timeout for this request.
    public var timeout: Duration?
    /// Overrides the transport's response-size limit for this request (bytes).
    public var maxResponseBytes: Int?
    /// The URL's path is a credential (a Slack incoming-webhook URL): logs and
    /// messages show `/***` instead.
    public var pathIsSecret = false

    public init(method: HTTPMethod, url: String, headers: HTTPHeaders = [:], body: [UInt8] = [],
                timeout: Duration? = nil, maxResponseBytes: Int? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// A request with a JSON body and `Content-Type: application/json` (unless set).
    public init(method: HTTPMethod, url: String, headers: HTTPHeaders = [:], json: JSON, timeout: Duration? = nil) {
        self.init(method: method, url: url, headers: headers, body: json.serializedBytes(), timeout: timeout)
        if !self.headers.contains("Content-Type") { self.headers.add("Content-Type", "application/json") }
    }

    /// `METHOD scheme://host:port/path` without the query (which may hold a presigned
    /// signature) and without headers: safe to log.
    public var logDescription: String {
        guard let parts = URLParts(url) else { return "\(method) (invalid URL)" }
        let path = pathIsSecret ? "/***" : (parts.path.isEmpty ? "/" : parts.path)
        return "\(method) \(parts.scheme)://\(parts.authority)\(path)"
    }
}
