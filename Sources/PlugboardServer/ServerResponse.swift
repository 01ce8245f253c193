import Foundation
import PlugboardKernel

/// One HTTP response: status, headers, body. `Content-Length`, `Date`,
/// `Connection` and `Server` are added when it is written.
public struct ServerResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Close the connection after this response (errors that leave the stream unparseable).
    public var closeConnection = false

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status; self.headers = headers; self.body = body
    }

    /// A JSON body (sorted keys, UTF-8).
    public static func json(_ status: Int, _ value: JSON, headers: [(name: String, value: String)] = []) -> ServerResponse {
        var body = value.serializedBytes()
        body.append(0x0A)
        return ServerResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
    }

    /// The JSON error body every failure uses: `{"error": code, "message": text}` plus `extra` fields.
    /// Messages name what was wrong, never a header's or a secret's value.
    public static func error(_ status: Int, _ code: String, _ message: String, extra: [String: JSON] = [:],
                             headers: [(name: String, value: String)] = []) -> ServerResponse {
        var o = extra
        o["error"] = .string(code)
        o["message"] = .string(message)
        return json(status, .object(o), headers: headers)
    }

    public static func text(_ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8") -> ServerResponse {
        ServerResponse(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Serializes status line, headers and body onto `out`. `head` omits the body (HEAD requests).
    func write(to out: inout [UInt8], keepAlive: Bool, date: [UInt8], head: Bool = false) {
        out.append(contentsOf: ServerResponse.statusLine(status))
        for (n, v) in headers {
            out.append(contentsOf: n.utf8); out.append(0x3A); out.append(0x20)
            out.append(contentsOf: v.utf8); out.append(0x0D); out.append(0x0A)
        }
        out.append(contentsOf: ServerResponse.contentLengthPrefix)
        out.append(contentsOf: String(body.count).utf8)
        out.append(0x0D); out.append(0x0A)
        out.append(contentsOf: date)
        out.append(contentsOf: keepAlive ? ServerResponse.keepAliveLine : ServerResponse.closeLine)
        if !head { out.append(contentsOf: body) }
    }

    static let contentLengthPrefix = Array("Content-Length: ".utf8)
    static let keepAliveLine = Array("Server: plugboard\r\n\r\n".utf8)
    static let closeLine = Array("Server: plugboard\r\nConnection: close\r\n\r\n".utf8)

    static let reasons: [Int: String] = [
        200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
        404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict", 411: "Length Required",
        413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type", 422: "Unprocessable Content",
        429: "Too Many Requests", 431: "Request Header Fields Too Large", 500: "Internal Server Error",
        501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable", 505: "HTTP Version Not Supported",
    ]
    /// Status lines built once: the hot path only copies bytes.
    static let statusLines: [Int: [UInt8]] = reasons.mapValues { _ in [] }.reduce(into: [:]) { d, kv in
        d[kv.key] = Array("HTTP/1.1 \(kv.key) \(reasons[kv.key]!)\r\n".utf8)
    }
    static func statusLine(_ s: Int) -> [UInt8] {
        statusLines[s] ?? Array("HTTP/1.1 \(s) Status\r\n".utf8)
    }

    /// `Date: ...\r\n` for the current second (RFC 9110 IMF-fixdate).
    static func dateLine(_ t: time_t) -> [UInt8] {
        var t = t
        var tmv = tm()
        gmtime_r(&t, &tmv)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let s = "Date: \(days[Int(tmv.tm_wday)]), \(two(tmv.tm_mday)) \(months[Int(tmv.tm_mon)]) \(tmv.tm_year + 1900) "
            + "\(two(tmv.tm_hour)):\(two(tmv.tm_min)):\(two(tmv.tm_sec)) GMT\r\n"
        return Array(s.utf8)
    }
}
