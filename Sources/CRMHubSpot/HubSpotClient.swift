import Foundation
import PlugboardKernel

/// HubSpot's REST API: bearer-token JSON requests under one base URL.
/// Never retries (the policy layer does); errors are mapped in `HubSpotClient+Errors.swift`.
struct HubSpotClient: Sendable {
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

    /// One path segment, percent-encoded (ids and e-mails go into paths).
    static func segment(_ s: String) -> String { URIEncoding.encode(s) }

    /// Sends one request and returns the response, whatever its status.
    /// - Parameters:
    ///   - path: starts with `/`, segments already encoded.
    ///   - query: name/value pairs, encoded here.
    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSON? = nil) async throws -> HTTPResponse {
        var url = baseURL + path
        if !query.isEmpty {
            url += "?" + query.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        }
        var request = body.map { HTTPRequest(method: method, url: url, json: $0) } ?? HTTPRequest(method: method, url: url)
        request.headers.add("Authorization", "Bearer \(token)")
        request.headers.add("Accept", "application/json")
        let started = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try await transport.send(request, timeout: timeout, adapter: HubSpotCRM.adapter)
        } catch {
            throw PlugboardError.wrap(error, adapter: HubSpotCRM.adapter)
        }
        logger.debug("hubspot \(method) \(path) -> \(response.status) in \((ContinuousClock.now - started).milliseconds) ms")
        return response
    }

    /// Sends one request and returns its JSON body, throwing the mapped error for any non-2xx status.
    /// - Parameter what: the operation, for messages (`create ticket`).
    func json(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSON? = nil,
              what: String) async throws -> JSON {
        let response = try await send(method, path, query: query, body: body)
        guard response.isSuccess else { throw error(response, what: what) }
        return try parse(response, what: what)
    }

    /// The JSON body of a successful response (`.null` when empty).
    func parse(_ response: HTTPResponse, what: String) throws -> JSON {
        if response.body.isEmpty { return .null }
        do {
            return try JSONParser.parse([UInt8](response.body))
        } catch {
            throw PlugboardError(.unavailable, "HubSpot \(what): the response (HTTP \(response.status)) is not JSON",
                                 adapter: HubSpotCRM.adapter, cause: "malformed JSON", retryable: true)
        }
    }
}
