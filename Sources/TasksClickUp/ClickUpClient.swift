import Foundation
import PlugboardKernel

/// ClickUp's REST API v2: token-authenticated JSON requests under one base URL (`JSONAPIClient`).
/// Never retries (the policy layer does); errors are mapped in `ClickUpClient+Errors.swift`.
struct ClickUpClient: Sendable {
    let api: JSONAPIClient
    let token: String
    var baseURL: String { api.baseURL }

    init(baseURL: String, token: String, timeout: Duration, transport: any HTTPTransport, logger: Logger) {
        self.token = token
        // Personal tokens go as is; OAuth tokens carry their own "Bearer ".
        self.api = JSONAPIClient(vendor: "ClickUp", adapter: ClickUpTaskTracker.adapter, baseURL: baseURL,
                                 headers: ["Authorization": token, "Accept": "application/json"],
                                 timeout: timeout, transport: transport, logger: logger)
    }

    static func segment(_ s: String) -> String { URIEncoding.encode(s) }

    /// Sends one request and returns its JSON body (`.null` when empty), throwing
    /// the mapped error for any non-2xx status.
    /// - Parameters:
    ///   - path: starts with `/v2/`, segments already encoded.
    ///   - what: the operation, for messages (`create task`).
    func json(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSON? = nil, what: String) async throws -> JSON {
        try await api.json(method, path, query: query, body: body, what: what) { error($0, what: what) }
    }
}
