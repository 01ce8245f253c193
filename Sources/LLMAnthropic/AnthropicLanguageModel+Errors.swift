import Foundation
import PlugboardKernel

/// Every HTTP error of the Messages API is mapped here, and only here.
///
/// Body: `{"type": "error", "error": {"type", "message"}, "request_id"}`. Types:
/// 400 `invalid_request_error` (a prompt over the context window says "prompt is too
/// long" → invalid input, not retried), 401 `authentication_error` → unauthenticated,
/// 403 `permission_error`, 404 `not_found_error`, 413 `request_too_large` → invalid
/// input, 429 `rate_limit_error` → rate limited after `retry-after`, 500 `api_error` →
/// unavailable, 529 `overloaded_error` → rate limited, retryable
/// (`PlugboardError(llmStatus:...)` holds the shared rules).
extension AnthropicLanguageModel {
    func mapError(_ response: HTTPResponse) -> PlugboardError {
        let (message, type) = AnthropicLanguageModel.errorDetails(response)
        var error = PlugboardError(llmStatus: response.status, operation: "messages", message: message, errorType: type,
                                   adapter: Self.provider, headers: response.headers)
        if let id = response.header("request-id") { error.cause = "HTTP \(response.status), request \(id)" }
        return error
    }

    /// Whether a 400 was about `output_config` (a model without structured outputs).
    func refusesStructuredOutput(_ response: HTTPResponse, _ error: PlugboardError) -> Bool {
        guard response.status == 400, error.code == .invalidInput else { return false }
        let text = response.text.lowercased()
        return text.contains("output_config") || text.contains("output_format") || text.contains("structured output")
    }

    static func errorDetails(_ response: HTTPResponse) -> (message: String, type: String?) {
        guard let json = try? response.json() else {
            let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
            return (text.isEmpty ? "no message" : String(text.prefix(300)), nil)
        }
        if let e = json["error"], case .object = e {
            return (e["message"]?.stringValue ?? e.snippet, e["type"]?.stringValue)
        }
        return (json.snippet, nil)
    }
}
