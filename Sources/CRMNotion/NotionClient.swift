import Foundation
import PlugboardKernel

/// Notion's REST API: bearer-token JSON requests with the pinned `Notion-Version`.
/// Never retries (the policy layer does); errors are mapped in `NotionClient+Errors.swift`.
struct NotionClient: Sendable {
    let baseURL: String
    let token: String
    let version: String
    let timeout: Duration
    let transport: any HTTPTransport
    let logger: Logger

    init(baseURL: String, token: String, version: String, timeout: Duration, transport: any HTTPTransport, logger: Logger) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.version = version
        self.timeout = timeout
        self.transport = transport
        self.logger = logger
    }

    /// Sends one request and returns its JSON body, throwing the mapped error for any non-2xx status.
    /// - Parameters:
    ///   - path: starts with `/v1/`, ids already in it (UUIDs need no encoding).
    ///   - what: the operation, for messages (`create ticket page`).
    func json(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSON? = nil, what: String) async throws -> JSON {
        var url = baseURL + path
        if !query.isEmpty {
            url += "?" + query.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        }
        var request = body.map { HTTPRequest(method: method, url: url, json: $0) } ?? HTTPRequest(method: method, url: url)
        request.headers.add("Authorization", "Bearer \(token)")
        request.headers.add("Notion-Version", version)
        let started = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try await transport.send(request, timeout: timeout, adapter: NotionCRM.adapter)
        } catch {
            throw PlugboardError.wrap(error, adapter: NotionCRM.adapter)
        }
        logger.debug("notion \(method) \(path) -> \(response.status) in \((ContinuousClock.now - started).milliseconds) ms")
        guard response.isSuccess else { throw self.error(response, what: what) }
        do {
            return try JSONParser.parse([UInt8](response.body))
        } catch {
            throw PlugboardError(.unavailable, "Notion \(what): the response (HTTP \(response.status)) is not JSON",
                                 adapter: NotionCRM.adapter, cause: "malformed JSON", retryable: true)
        }
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
