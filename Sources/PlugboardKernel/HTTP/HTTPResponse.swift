import Foundation

/// One HTTP response: status, headers and the whole body.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data

    public init(status: Int, headers: HTTPHeaders = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: Int, headers: HTTPHeaders = [:], json: JSON) {
        var h = headers
        if !h.contains("Content-Type") { h.add("Content-Type", "application/json") }
        self.init(status: status, headers: h, body: Data(json.serializedBytes()))
    }

    /// The first value of a header (case-insensitive).
    public func header(_ name: String) -> String? { headers[name] }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as UTF-8 text (invalid sequences replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON with the kernel's exact-number parser.
    public func json() throws -> JSON {
        do {
            return try JSONParser.parse([UInt8](body))
        } catch {
            let snippet = text.prefix(80)
            throw PlugboardError(.internal, "HTTP \(status) response is not JSON: \(error.message) (body starts \"\(snippet)\")",
                                 cause: "HTTP \(status)")
        }
    }
}
