import PlugboardConformance
import PlugboardKernel

/// An LLM vendor's API in memory for the llm conformance suite: answers every request
/// with one `ScriptedAnswer` (nil: `LanguageModelConformance.validAnswer`) in the
/// vendor's wire shapes, as `shared/reference/notes/llm-apis.md` and the vendors'
/// references describe them, and counts the requests.
public struct ScriptedLLMBackend: Sendable {
    public enum Vendor: String, Sendable, CaseIterable {
        case openai, anthropic, gemini
    }

    public let vendor: Vendor
    public let script: ScriptedAnswer?
    /// The transport to hand the adapter; `transport.requests` is what it sent.
    public let transport: FakeHTTPTransport

    public init(_ vendor: Vendor, script: ScriptedAnswer?) {
        self.vendor = vendor
        self.script = script
        transport = FakeHTTPTransport { request in
            ScriptedLLMBackend.response(vendor, script ?? .object(LanguageModelConformance.validAnswer, inputTokens: 57, outputTokens: 17),
                                        to: request)
        }
    }

    /// The number of requests received so far.
    public var requestCount: Int { transport.requests.count }

    static func response(_ vendor: Vendor, _ script: ScriptedAnswer, to request: HTTPRequest) -> HTTPResponse {
        switch vendor {
        case .openai: openAI(script)
        case .anthropic: anthropic(script, request: (try? JSONParser.parse(request.body)) ?? .null)
        case .gemini: gemini(script)
        }
    }

    // MARK: - OpenAI Chat Completions (`CreateChatCompletionResponse`, `ErrorResponse`)

    static func openAI(_ script: ScriptedAnswer) -> HTTPResponse {
        func completion(content: JSON, refusal: JSON, finish: String, prompt: Int, completion: Int) -> HTTPResponse {
            HTTPResponse(status: 200, headers: ["x-request-id": "req_123"], json: [
                "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG", "object": "chat.completion", "created": 1_741_569_952,
                "model": "gpt-4o-mini-2024-07-18", "system_fingerprint": "fp_06737a9306",
                "choices": [["index": 0, "message": ["role": "assistant", "content": content, "refusal": refusal, "annotations": []],
                             "logprobs": .null, "finish_reason": .string(finish)]],
                "usage": ["prompt_tokens": JSON(prompt), "completion_tokens": JSON(completion), "total_tokens": JSON(prompt + completion)],
            ])
        }
        func error(_ status: Int, _ message: String, type: String, code: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
            HTTPResponse(status: status, headers: headers, json: [
                "error": ["message": .string(message), "type": .string(type), "param": .null, "code": .string(code)],
            ])
        }
        switch script {
        case .object(let o, let input, let output):
            return completion(content: .string(o.serialized()), refusal: .null, finish: "stop", prompt: input, completion: output)
        case .refusal:
            return completion(content: .null, refusal: "I'm sorry, I can't help with that.", finish: "stop", prompt: 40, completion: 9)
        case .rateLimited(let seconds):
            return error(429, "Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3.", type: "requests",
                         code: "rate_limit_exceeded", headers: ["Retry-After": String(seconds)])
        case .contextTooLong:
            return error(400, "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.",
                         type: "invalid_request_error", code: "context_length_exceeded")
        }
    }

    // MARK: - Anthropic Messages (a forced tool's `tool_use`, or text in structured-output mode)

    static func anthropic(_ script: ScriptedAnswer, request: JSON) -> HTTPResponse {
        func message(_ content: [JSON], stop: String, input: Int, output: Int) -> HTTPResponse {
            HTTPResponse(status: 200, headers: ["request-id": "req_011CSHoEeqs5C35K2UUqR7Fy"], json: [
                "id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant",
                "model": "claude-sonnet-4-5-20250929", "content": .array(content), "stop_reason": .string(stop), "stop_sequence": .null,
                "usage": ["input_tokens": JSON(input), "output_tokens": JSON(output), "cache_creation_input_tokens": 0,
                          "cache_read_input_tokens": 0],
            ])
        }
        func error(_ status: Int, _ type: String, _ message: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
            var h = headers
            h.add("request-id", "req_018EeWyXxfu5pfWkrYcMdjWG")
            return HTTPResponse(status: status, headers: h, json: [
                "type": "error", "error": ["type": .string(type), "message": .string(message)], "request_id": "req_018EeWyXxfu5pfWkrYcMdjWG",
            ])
        }
        switch script {
        case .object(let o, let input, let output):
            if let tool = request["tools"]?.arrayValue?.first?["name"] {
                return message([["type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": tool, "input": o]],
                               stop: "tool_use", input: input, output: output)
            }
            return message([["type": "text", "text": .string(o.serialized())]], stop: "end_turn", input: input, output: output)
        case .refusal:
            return message([["type": "text", "text": "I can't help with that."]], stop: "refusal", input: 40, output: 9)
        case .rateLimited(let seconds):
            return error(429, "rate_limit_error", "This request would exceed the rate limit for your organization.",
                         headers: ["retry-after": String(seconds)])
        case .contextTooLong:
            return error(400, "invalid_request_error", "prompt is too long: 215093 tokens > 200000 maximum")
        }
    }

    // MARK: - Gemini generateContent (Google RPC errors)

    static func gemini(_ script: ScriptedAnswer) -> HTTPResponse {
        func response(text: String, finish: String, prompt: Int, candidates: Int) -> HTTPResponse {
            HTTPResponse(status: 200, json: [
                "candidates": [["content": ["role": "model", "parts": [["text": .string(text)]]], "finishReason": .string(finish),
                                "index": 0]],
                "usageMetadata": ["promptTokenCount": JSON(prompt), "candidatesTokenCount": JSON(candidates),
                                  "totalTokenCount": JSON(prompt + candidates)],
                "modelVersion": "gemini-2.5-flash", "responseId": "mAitaLmkHPPlz7IPvtfUqQ4",
            ])
        }
        func error(_ code: Int, _ status: String, _ message: String, details: [JSON] = []) -> HTTPResponse {
            HTTPResponse(status: code, json: [
                "error": ["code": JSON(code), "message": .string(message), "status": .string(status), "details": .array(details)],
            ])
        }
        switch script {
        case .object(let o, let input, let output):
            return response(text: o.serialized(), finish: "STOP", prompt: input, candidates: output)
        case .refusal:
            return HTTPResponse(status: 200, json: [
                "promptFeedback": ["blockReason": "SAFETY", "safetyRatings": []],
                "usageMetadata": ["promptTokenCount": 40, "totalTokenCount": 40], "modelVersion": "gemini-2.5-flash",
            ])
        case .rateLimited(let seconds):
            // Google sends the delay as RetryInfo, not as a header.
            return error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", details: [
                ["@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []],
                ["@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": .string("\(seconds)s")],
            ])
        case .contextTooLong:
            return error(400, "INVALID_ARGUMENT",
                         "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).")
        }
    }
}
