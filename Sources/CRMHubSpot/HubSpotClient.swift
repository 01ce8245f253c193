import Foundation
import PlugboardKernel

/// HubSpot's REST API: bearer-token JSON requests under one base URL (`JSONAPIClient`).
/// Never retries (the policy layer does); errors are mapped in `HubSpotClient+Errors.swift`.
struct HubSpotClient: Sendable {
    let api: JSONAPIClient
    let token: String
    var baseURL: String { api.baseURL }

    init(baseURL: String, token: String, timeout: Duration, transport: any HTTPTransport, logger: Logger) {
        self.token = token
        self.api = JSONAPIClient(vendor: "HubSpot", adapter: HubSpotCRM.adapter, baseURL: baseURL,
                                 headers: ["Authorization": "Bearer \(token)", "Accept": "application/json"],
                                 timeout: timeout, transport: transport, logger: logger)
    }

    /// One path segment, percent-encoded (ids and e-mails go into paths).
    static func segment(_ s: String) -> String { URIEncoding.encode(s) }

    /// Sends one request and returns the response, whatever its status.
    /// - Parameters:
    ///   - path: starts with `/`, segments already encoded.
    ///   - query: name/value pairs, encoded here.
    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSON? = nil) async throws -> HTTPResponse {
        try await api.send(method, path, query: query, body: body)
    }

    /// Sends one request and returns its JSON body, throwing the mapped error for any non-2xx status.
    /// - Parameter what: the operation, for messages (`create ticket`).
    func json(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSON? = nil,
              what: String) async throws -> JSON {
        try await api.json(method, path, query: query, body: body, what: what) { error($0, what: what) }
    }

    /// The JSON body of a successful response (`.null` when empty).
    func parse(_ response: HTTPResponse, what: String) throws -> JSON {
        try api.parse(response, what: what)
    }
}
