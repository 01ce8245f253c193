import Foundation
import PlugboardKernel

/// ClickUp's REST API v2: token-authenticated JSON requests under one base URL.
/// Never retries (the policy layer does); errors are mapped in `ClickUpClient+Errors.swift`.
struct ClickUpClient: Sendable {
    let baseURL: String
    let token: String
    let timeout: Duration
    let transport: any HTTPTransport
    let logger: Logger

    init(baseURL: String, token: String, timeout: Duration, transport: any HTTPTransport, logger: Logger) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.timeout = timeout
        self.transport = transport
        self.logger = logger
    }

    static func segment(_ s: String) -> String { URIEncoding.encode(s) }

    /// Sends one request and returns its JSON body (`.null` when empty), throwing
    /// the mapped error for any non-2xx status.
    /// - Parameters:
    ///   - path: starts with `/v2/`, segments already encoded.
    ///   - what: the operation, for messages (`create task`).
    func json(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSON? = nil, what: String) async throws -> JSON {
        var url = baseURL + path
        if !query.isEmpty {
            url += "?" + query.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        }
        var request = body.map { HTTPRequest(method: method, url: url, json: $0) } ?? HTTPRequest(method: method, url: url)
        // Personal tokens go as is; OAuth tokens carry their own "Bearer ".
        request.headers.add("Authorization", token)
        request.headers.add("Accept", "application/json")
        let started = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try await transport.send(request, timeout: timeout, adapter: ClickUpTaskTracker.adapter)
        } catch {
            throw PlugboardError.wrap(error, adapter: ClickUpTaskTracker.adapter)
        }
        logger.debug("clickup \(method) \(path) -> \(response.status) in \((ContinuousClock.now - started).milliseconds) ms")
        guard response.isSuccess else { throw self.error(response, what: what) }
        if response.body.isEmpty { return .null }
        do {
            return try JSONParser.parse([UInt8](response.body))
        } catch {
            throw PlugboardError(.unavailable, "ClickUp \(what): the response (HTTP \(response.status)) is not JSON",
                                 adapter: ClickUpTaskTracker.adapter, cause: "malformed JSON", retryable: true)
        }
    }
}
