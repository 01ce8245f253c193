import Foundation
import PlugboardKernel

/// Notion's REST API: bearer-token JSON requests with the pinned `Notion-Version` (`JSONAPIClient`).
/// Never retries (the policy layer does); errors are mapped in `NotionClient+Errors.swift`.
struct NotionClient: Sendable {
    let api: JSONAPIClient
    let token: String
    var baseURL: String { api.baseURL }

    init(baseURL: String, token: String, version: String, timeout: Duration, transport: any HTTPTransport, logger: Logger) {
        self.token = token
        // Notion always answers with an object: an empty 2xx body is a broken response.
        self.api = JSONAPIClient(vendor: "Notion", adapter: NotionCRM.adapter, baseURL: baseURL,
                                 headers: ["Authorization": "Bearer \(token)", "Notion-Version": version],
                                 timeout: timeout, emptyBodyIsNull: false, transport: transport, logger: logger)
    }

    /// Sends one request and returns its JSON body, throwing the mapped error for any non-2xx status.
    /// - Parameters:
    ///   - path: starts with `/v1/`, ids already in it (UUIDs need no encoding).
    ///   - what: the operation, for messages (`create ticket page`).
    func json(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSON? = nil, what: String) async throws -> JSON {
        try await api.json(method, path, query: query, body: body, what: what) { error($0, what: what) }
    }

    /// Every result of a paginated list (`POST …/query` or `GET …/children`), following `next_cursor`.
    func all(_ method: HTTPMethod, _ path: String, body: [String: JSON] = [:], what: String) async throws -> [JSON] {
        var results: [JSON] = []
        var cursor: String?
        repeat {
            let page: JSON
            if method == .get {
                var query = [("page_size", "100")]
                if let cursor { query.append(("start_cursor", cursor)) }
                page = try await json(.get, path, query: query, what: what)
            } else {
                var b = body
                b["page_size"] = 100
                if let cursor { b["start_cursor"] = .string(cursor) }
                page = try await json(method, path, body: .object(b), what: what)
            }
            results += page["results"]?.arrayValue ?? []
            cursor = page["has_more"]?.boolValue == true ? page["next_cursor"]?.stringValue : nil
        } while cursor != nil
        return results
    }
}
