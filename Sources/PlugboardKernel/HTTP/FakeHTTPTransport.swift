import Synchronization

/// A transport for tests of HTTP adapters: a handler answers each request,
/// and every request is recorded for assertions.
///
/// ```swift
/// let http = FakeHTTPTransport { req in HTTPResponse(status: 200, json: ["ok": true]) }
/// ```
public final class FakeHTTPTransport: HTTPTransport {
    public typealias Handler = @Sendable (HTTPRequest) async throws -> HTTPResponse

    private let handler: Handler
    private let recorded = Mutex<[HTTPRequest]>([])

    public init(_ handler: @escaping Handler) { self.handler = handler }

    /// Every request sent so far, in order.
    public var requests: [HTTPRequest] { recorded.withLock { $0 } }

    public func reset() { recorded.withLock { $0.removeAll() } }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        recorded.withLock { $0.append(request) }
        return try await handler(request)
    }
}
