import Foundation
import PlugboardKernel

/// The one place Notion's error responses become `PlugboardError`s.
extension NotionClient {
    /// The error for a non-2xx response to `what`. Notion's body is
    /// `{"object": "error", "status", "code", "message", "request_id"}`.
    /// 429 `rate_limited` and 529 `service_overload` carry `Retry-After` (seconds);
    /// 409 `conflict_error` (a concurrent edit) is worth retrying as is.
    func error(_ response: HTTPResponse, what: String, now: Date = Date()) -> PlugboardError {
        let body = try? JSONParser.parse([UInt8](response.body))
        let code = body?["code"]?.stringValue
        let said = (body?["message"]?.stringValue ?? String(response.text.prefix(200))).replacingOccurrences(of: token, with: "***")
        let detail = said.isEmpty ? "" : ": \(said)"
        let host = URLParts.authority(of: baseURL)
        var message: String
        switch response.status {
        case 401: message = "Notion \(what) at \(host): the token was rejected (check crm.token or NOTION_TOKEN)\(detail)"
        case 403: message = "Notion \(what): the integration may not do this\(detail)"
        case 404: message = "Notion \(what): not found, or not shared with the integration\(detail)"
        case 429: message = "Notion \(what): rate limited\(detail)"
        case 529: message = "Notion \(what): service overloaded\(detail)"
        default: message = "Notion \(what) at \(host) failed (HTTP \(response.status))\(detail)"
        }
        if let id = body?["request_id"]?.stringValue { message += " [request_id \(id)]" }
        var error = PlugboardError(httpStatus: response.status, message: message, adapter: NotionCRM.adapter,
                                   headers: response.headers, now: now)
        error.cause = "HTTP \(response.status)" + (code.map { " \($0)" } ?? "")
        if response.status == 529, let v = response.header("Retry-After") {
            error.retryAfter = PlugboardError.retryAfter(v, now: now)
        }
        if code == "conflict_error" { error.isRetryable = true }
        return error
    }
}
