/// Sends HTTP requests: the one seam between HTTP adapters and the network.
///
/// ## Implementation requirements
/// - Returns every response a server sends, whatever its status; throws only
///   when no response arrived (connection, TLS, timeout, size limit), as a
///   `PlugboardError` (`.unavailable`, retryable, for network failures).
/// - Never retries: retries are the policy layer's, so they never stack.
/// - Never logs header values that carry secrets (`HTTPHeaders.isSensitive`).
/// - Blocking I/O never runs on Swift's cooperative threads.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}
