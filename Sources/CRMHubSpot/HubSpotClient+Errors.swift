import Foundation
import PlugboardKernel

/// The one place HubSpot's error responses become `PlugboardError`s.
extension HubSpotClient {
    /// HubSpot's `Error` body: `{"status": "error", "category", "message", "correlationId", ...}`,
    /// and on 429 `errorType: RATE_LIMIT` with `policyName` (SECONDLY, TEN_SECONDLY_ROLLING, DAILY).
    struct ServiceError {
        var message: String
        var category: String?
        var policyName: String?
        var correlationId: String?
    }

    static func parse(_ response: HTTPResponse) -> ServiceError {
        if let json = try? JSONParser.parse([UInt8](response.body)), case .object(let o) = json {
            return ServiceError(message: o["message"]?.stringValue ?? "", category: o["category"]?.stringValue ?? o["errorType"]?.stringValue,
                                policyName: o["policyName"]?.stringValue, correlationId: o["correlationId"]?.stringValue)
        }
        return ServiceError(message: String(response.text.prefix(200)), category: nil, policyName: nil, correlationId: nil)
    }

    /// The error for a non-2xx response to `what` (`create ticket`).
    func error(_ response: HTTPResponse, what: String, now: Date = Date()) -> PlugboardError {
        let e = HubSpotClient.parse(response)
        // A server message could quote the request; the token never leaves this process in an error.
        let said = e.message.replacingOccurrences(of: token, with: "***")
        let detail = said.isEmpty ? "" : ": \(said)"
        let host = URLParts.authority(of: baseURL)
        var message: String
        switch response.status {
        case 401:
            message = "HubSpot \(what) at \(host): the token was rejected (check crm.token or HUBSPOT_TOKEN)\(detail)"
        case 403:
            message = "HubSpot \(what) at \(host): not allowed; the private app may lack a scope\(detail)"
        case 404:
            message = "HubSpot \(what): not found\(detail)"
        case 429:
            message = "HubSpot \(what): rate limited (\(e.policyName ?? "limit"))\(detail)"
        default:
            message = "HubSpot \(what) at \(host) failed (HTTP \(response.status))\(detail)"
        }
        if let id = e.correlationId { message += " [correlationId \(id)]" }
        var error = PlugboardError(httpStatus: response.status, message: message, adapter: HubSpotCRM.adapter,
                                   headers: response.headers, now: now)
        error.cause = "HTTP \(response.status)" + (e.category.map { " \($0)" } ?? "")
        if response.status == 429 {
            switch e.policyName {
            case "DAILY":
                // The daily allowance resets at midnight in the account's time zone: no point retrying soon.
                error.isRetryable = false
            default:
                // Without Retry-After, wait for the next rolling window (10 s; 1 s for the secondly limit).
                if error.retryAfter == nil {
                    let interval = response.header("X-HubSpot-RateLimit-Interval-Milliseconds").flatMap { Int64($0) }
                    error.retryAfter = e.policyName == "SECONDLY" ? .seconds(1) : .milliseconds(interval ?? 10_000)
                }
            }
        }
        return error
    }
}
