import Foundation

/// A vendor's JSON-over-HTTP API under one base URL: the request plumbing the
/// HubSpot, ClickUp and Notion adapters share (URL building, fixed headers such
/// as the credential, the per-call timeout, transport-error wrapping, a debug log
/// line, JSON decoding of the answer).
///
/// It never retries (the policy layer does) and maps no HTTP status itself: each
/// adapter hands its own mapping (its `+Errors.swift`) to `json(...)`, so a
/// vendor's error rules stay in one place per adapter.
public struct JSONAPIClient: Sendable {
    /// The vendor as messages name it (`HubSpot`); lowercased in log lines.
    public let vendor: String
    /// The adapter named in errors (`hubspot`).
    public let adapter: String
    /// The API root without a trailing `/`.
    public let baseURL: String
    /// Sent with every request, after `Content-Type` (the credential, `Accept`, a version pin).
    public let headers: HTTPHeaders
    public let timeout: Duration
    /// Whether a 2xx with an empty body is `.null` (true) or a broken, non-JSON response.
    public let emptyBodyIsNull: Bool
    let transport: any HTTPTransport
    let logger: Logger

    public init(vendor: String, adapter: String, baseURL: String, headers: HTTPHeaders, timeout: Duration,
                emptyBodyIsNull: Bool = true, transport: any HTTPTransport, logger: Logger) {
        self.vendor = vendor
        self.adapter = adapter
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.headers = headers
        self.timeout = timeout
        self.emptyBodyIsNull = emptyBodyIsNull
        self.transport = transport
        self.logger = logger
    }

    /// Sends one request and returns the response, whatever its status.
    /// - Parameters:
    ///   - path: starts with `/`, segments already encoded.
    ///   - query: name/value pairs, encoded here.
    public func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSON? = nil) async throws -> HTTPResponse {
        var url = baseURL + path
        if !query.isEmpty {
            url += "?" + query.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        }
        var request = body.map { HTTPRequest(method: method, url: url, json: $0) } ?? HTTPRequest(method: method, url: url)
        for field in headers { request.headers.add(field.name, field.value) }
        let started = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try await transport.send(request, timeout: timeout, adapter: adapter)
        } catch {
            throw PlugboardError.wrap(error, adapter: adapter)
        }
        logger.debug("\(vendor.lowercased()) \(method) \(path) -> \(response.status) in \((ContinuousClock.now - started).milliseconds) ms")
        return response
    }

    /// Sends one request and returns its JSON body, throwing `mapError`'s error for any non-2xx status.
    /// - Parameters:
    ///   - what: the operation, for messages (`create ticket`).
    ///   - mapError: the adapter's one mapping of a failed response.
    public func json(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSON? = nil,
                     what: String, mapError: (HTTPResponse) -> PlugboardError) async throws -> JSON {
        let response = try await send(method, path, query: query, body: body)
        guard response.isSuccess else { throw mapError(response) }
        return try parse(response, what: what)
    }

    /// The JSON body of a successful response (`.null` when empty, if `emptyBodyIsNull`).
    public func parse(_ response: HTTPResponse, what: String) throws -> JSON {
        if emptyBodyIsNull, response.body.isEmpty { return .null }
        do {
            return try JSONParser.parse([UInt8](response.body))
        } catch {
            throw PlugboardError(.unavailable, "\(vendor) \(what): the response (HTTP \(response.status)) is not JSON",
                                 adapter: adapter, cause: "malformed JSON", retryable: true)
        }
    }
}
