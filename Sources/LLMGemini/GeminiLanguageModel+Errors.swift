import Foundation
import PlugboardKernel

/// Every HTTP error of the Gemini API is mapped here, and only here.
///
/// Body (Google RPC): `{"error": {"code", "message", "status", "details": [...]}}`.
/// 400 `INVALID_ARGUMENT` / `FAILED_PRECONDITION` → invalid input (an input over the
/// model's token limit says so: not retried), except a bad key (400 with reason
/// `API_KEY_INVALID`, or "API key not valid") → unauthenticated; 403
/// `PERMISSION_DENIED`; 404 `NOT_FOUND`; 429 `RESOURCE_EXHAUSTED` → rate limited after
/// `RetryInfo.retryDelay` (`"37s"`) or `Retry-After`; 500 `INTERNAL`, 504
/// `DEADLINE_EXCEEDED` → unavailable; 503 `UNAVAILABLE` "model is overloaded" → rate
/// limited (`PlugboardError(llmStatus:...)` holds the shared rules).
extension GeminiLanguageModel {
    func mapError(_ response: HTTPResponse) -> PlugboardError {
        let json = try? response.json()
        let e = json?["error"]
        let message = e?["message"]?.stringValue ?? {
            let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? "no message" : String(text.prefix(300))
        }()
        let status = e?["status"]?.stringValue
        var error = PlugboardError(llmStatus: response.status, operation: "generateContent", message: message,
                                   errorType: status, adapter: Self.provider, headers: response.headers)
        let details = e?["details"]?.arrayValue ?? []
        let reasons = details.compactMap { $0["reason"]?.stringValue }
        if reasons.contains("API_KEY_INVALID") || message.lowercased().contains("api key not valid") {
            error.code = .unauthenticated
            error.isRetryable = false
        }
        if error.code == .rateLimited || error.code == .unavailable,
           let delay = details.first(where: { $0["@type"]?.stringValue?.hasSuffix("google.rpc.RetryInfo") == true })?["retryDelay"]?.stringValue,
           let after = GeminiLanguageModel.duration(delay) {
            error.retryAfter = after
        }
        return error
    }

    /// A protobuf JSON duration (`"37s"`, `"1.5s"`).
    static func duration(_ text: String) -> Duration? {
        guard text.hasSuffix("s"), let seconds = Double(text.dropLast()), seconds.isFinite, seconds >= 0 else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
