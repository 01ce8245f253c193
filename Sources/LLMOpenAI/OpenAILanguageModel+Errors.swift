import Foundation
import PlugboardKernel

/// Every HTTP error of an OpenAI-compatible endpoint is mapped here, and only here.
///
/// Bodies understood: OpenAI and llama.cpp `{"error": {"message", "type", "param", "code"}}`,
/// Mistral and vLLM `{"object": "error", "message", "type", "code"}`, Mistral's 422
/// `{"detail": [{"loc", "msg", "type"}]}`, Ollama `{"error": "text"}`; anything else is
/// shown as text.
///
/// Beyond the shared table (`PlugboardError(llmStatus:...)`: 401 unauthenticated, 403
/// permission denied, 429 rate limited with `Retry-After`, overloaded → rate limited,
/// context too long → invalid input, 5xx unavailable): a 429 `insufficient_quota` is
/// not retryable (money, not time, fixes it), and a content-policy rejection of the
/// prompt is a refusal.
extension OpenAILanguageModel {
    func mapError(_ response: HTTPResponse) -> PlugboardError {
        let (message, type) = OpenAILanguageModel.errorDetails(response)
        var error = PlugboardError(llmStatus: response.status, operation: "chat completion", message: message,
                                   errorType: type, adapter: Self.provider, headers: response.headers)
        let lowered = (type ?? "").lowercased()
        if response.status == 429, lowered.contains("insufficient_quota") {
            error.isRetryable = false
            error.retryAfter = nil
        }
        if response.status == 400, lowered.contains("content_policy") || lowered.contains("content_filter") {
            return .refusal(error.message, adapter: Self.provider)
        }
        return error
    }

    /// Whether a failed request was refused because of its `response_format` (the
    /// endpoint or this model does not support it), as opposed to anything else.
    func refusesResponseFormat(_ response: HTTPResponse, _ error: PlugboardError) -> Bool {
        guard response.status == 400 || response.status == 422, error.code == .invalidInput else { return false }
        let text = response.text.lowercased()
        return text.contains("response_format") || text.contains("json_schema") || text.contains("json_object")
            || text.contains("structured output")
    }

    /// The server's message and error type/code, from any of the bodies above.
    static func errorDetails(_ response: HTTPResponse) -> (message: String, type: String?) {
        guard let json = try? response.json() else {
            let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
            return (text.isEmpty ? "no message" : String(text.prefix(300)), nil)
        }
        if let e = json["error"], case .object = e {
            let kind = [e["code"]?.stringValue, e["type"]?.stringValue].compactMap { $0 }.first
            return (e["message"]?.stringValue ?? e.snippet, kind)
        }
        if let text = json["error"]?.stringValue { return (text, nil) }
        if let detail = json["detail"]?.arrayValue {
            let parts = detail.map { d -> String in
                let loc = d["loc"]?.arrayValue?.map { $0.stringValue ?? $0.serialized() }.joined(separator: ".") ?? "?"
                return "\(loc): \(d["msg"]?.stringValue ?? "invalid")"
            }
            return (parts.joined(separator: "; "), "validation_error")
        }
        if let text = json["detail"]?.stringValue { return (text, nil) }
        if let text = json["message"]?.stringValue {
            let kind = [json["code"]?.stringValue, json["type"]?.stringValue].compactMap { $0 }.first
            return (text, kind)
        }
        return (json.snippet, nil)
    }
}
