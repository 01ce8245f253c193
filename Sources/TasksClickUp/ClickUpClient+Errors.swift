import Foundation
import PlugboardKernel

/// The one place ClickUp's error responses become `PlugboardError`s.
extension ClickUpClient {
    /// The error for a non-2xx response to `what`. ClickUp's body is
    /// `{"err": "…", "ECODE": "…"}`; a 429 carries `X-RateLimit-Reset` (Unix seconds).
    func error(_ response: HTTPResponse, what: String, now: Date = Date()) -> PlugboardError {
        let body = try? JSONParser.parse([UInt8](response.body))
        let said = (body?["err"]?.stringValue ?? String(response.text.prefix(200))).replacingOccurrences(of: token, with: "***")
        let ecode = body?["ECODE"]?.stringValue
        let detail = said.isEmpty ? "" : ": \(said)"
        let host = URLParts.authority(of: baseURL)
        // ITEM_015 is ClickUp's "task not found", whatever status carries it.
        let status = ecode == "ITEM_015" && (400..<500).contains(response.status) && response.status != 429 ? 404 : response.status
        let message: String
        switch status {
        case 401: message = "ClickUp \(what) at \(host): the token was rejected (check tasks.token or CLICKUP_TOKEN)\(detail)"
        case 403: message = "ClickUp \(what) at \(host): not allowed for this token\(detail)"
        case 404: message = "ClickUp \(what): not found\(detail)"
        case 429: message = "ClickUp \(what): rate limited\(detail)"
        default: message = "ClickUp \(what) at \(host) failed (HTTP \(response.status))\(detail)"
        }
        var error = PlugboardError(httpStatus: status, message: message, adapter: ClickUpTaskTracker.adapter,
                                   headers: response.headers, now: now)
        error.cause = "HTTP \(response.status)" + (ecode.map { " \($0)" } ?? "")
        if response.status == 429, error.retryAfter == nil,
           let reset = response.header("X-RateLimit-Reset").flatMap(Double.init) {
            // Sleep until the window resets (a reset in the past: go again now).
            error.retryAfter = .milliseconds(Int64(max(0, reset - now.timeIntervalSince1970) * 1000))
        }
        return error
    }
}
