import Foundation
import PlugboardKernel
import Synchronization
import Testing
@testable import LLMOpenAI

@Suite("openai: answers, errors, response-format step-down, settings")
struct OpenAILanguageModelTests {
    func model(_ http: FakeHTTPTransport, base: String = "https://api.openai.com/v1", key: String? = "sk-test",
               format: OpenAILanguageModel.ResponseFormat = .jsonSchema) -> OpenAILanguageModel {
        OpenAILanguageModel(.init(baseURL: base, apiKey: key, model: "gpt-4o-mini", responseFormat: format), transport: http)
    }

    func failure(_ m: OpenAILanguageModel, _ r: LLMRequest = analyseRequest) async -> PlugboardError? {
        do {
            _ = try await m.generate(r)
            return nil
        } catch {
            return error as? PlugboardError
        }
    }

    @Test func aValidAnswerComesBackWithUsageAndTheRequestIsWellFormed() async throws {
        let http = FakeHTTPTransport { _ in ChatCompletionsFake.ok(.string(goodAnswer.serialized()), prompt: 120, completion: 31) }
        let r = try await model(http).generate(analyseRequest)
        #expect(r.object == goodAnswer)
        #expect(r.inputTokens == 120 && r.outputTokens == 31)
        #expect(r.provider == "openai" && r.model == "gpt-4o-mini-2024-07-18", "the model that answered, as the response names it")
        let sent = try #require(http.requests.first)
        #expect(sent.method == .post && sent.url == "https://api.openai.com/v1/chat/completions")
        #expect(sent.headers["Authorization"] == "Bearer sk-test")
        #expect(sent.headers["Content-Type"] == "application/json")
        let body = ChatCompletionsFake.body(sent)
        #expect(body["model"] == "gpt-4o-mini")
        #expect(body["messages"]?[0]?["role"] == "system" && body["messages"]?[0]?["content"] == "You work in customer support.")
        #expect(body["messages"]?[1]?["role"] == "user" && body["messages"]?[1]?["content"] == .string(analyseRequest.prompt))
        #expect(body["response_format"]?["json_schema"]?["schema"] == analyseSchema)
        #expect(body["response_format"]?["json_schema"]?["name"] == "analyse")
        #expect(body["response_format"]?["json_schema"]?["strict"] == false, "the schema does not meet strict mode's rules")
        #expect(body["max_completion_tokens"] == 256)
    }

    @Test func aFencedAnswerIsAcceptedButProseIsNot() async throws {
        let fenced = FakeHTTPTransport { _ in ChatCompletionsFake.ok(.string("```json\n\(goodAnswer.serialized())\n```")) }
        #expect(try await model(fenced).generate(analyseRequest).object == goodAnswer)

        let prose = FakeHTTPTransport { _ in ChatCompletionsFake.ok("Sure! The customer is unhappy and it is urgent.") }
        let e = try #require(await failure(model(prose)))
        #expect(e.isInvalidAnswer && !e.isRetryable)
        #expect(e.message.contains("prose"))
        #expect(!e.message.contains("unhappy"), "the answer itself stays out of messages and logs")
    }

    @Test func jsonThatBreaksTheSchemaIsAnInvalidAnswerNamingEachViolation() async throws {
        let http = FakeHTTPTransport { _ in
            ChatCompletionsFake.ok(.string(#"{"sentiment": "furious", "summary": "x"}"#))
        }
        let e = try #require(await failure(model(http)))
        #expect(e.isInvalidAnswer)
        #expect(e.message.contains("/sentiment") && e.message.contains("urgency"), "\(e.message)")
    }

    @Test func refusalsAndContentFilterStops() async throws {
        let refused = FakeHTTPTransport { _ in ChatCompletionsFake.ok(.null, refusal: "I'm sorry, I can't help with that.") }
        let a = try #require(await failure(model(refused)))
        #expect(a.isRefusal && a.code == .permissionDenied && !a.isRetryable)

        let filtered = FakeHTTPTransport { _ in ChatCompletionsFake.ok(.null, finish: "content_filter") }
        #expect(try #require(await failure(model(filtered))).isRefusal)

        let policy = FakeHTTPTransport { _ in
            ChatCompletionsFake.error(400, "Your request was rejected as a result of our safety system.",
                                      type: "invalid_request_error", code: "content_policy_violation")
        }
        #expect(try #require(await failure(model(policy))).isRefusal)
    }

    @Test func aCutOffAnswerSaysSo() async throws {
        let http = FakeHTTPTransport { _ in ChatCompletionsFake.ok(#"{"sentiment": "neg"#, finish: "length") }
        let e = try #require(await failure(model(http)))
        #expect(e.isInvalidAnswer && e.message.contains("cut off at the output limit (256 tokens)"))
    }

    @Test(arguments: [
        (401, "Incorrect API key provided: sk-test.", "invalid_request_error", "invalid_api_key", "unauthenticated", false),
        (403, "Project does not have access to model", "invalid_request_error", "model_not_found", "permissionDenied", false),
        (429, "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota", "rateLimited", false),
        (400, "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.", "invalid_request_error", "context_length_exceeded", "invalidInput", false),
        (503, "The engine is currently overloaded, please try again later", "server_error", nil, "rateLimited", true),
        (500, "The server had an error while processing your request.", "server_error", nil, "unavailable", true),
    ] as [(Int, String, String, String?, String, Bool)])
    func errorsAreMapped(status: Int, message: String, type: String, code: String?, expected: String, retryable: Bool) async throws {
        let http = FakeHTTPTransport { _ in ChatCompletionsFake.error(status, message, type: type, code: code) }
        let e = try #require(await failure(model(http)))
        #expect(e.code.description == expected, "\(e)")
        #expect(e.isRetryable == retryable)
        #expect(e.message.contains("HTTP \(status)"))
        #expect(!e.message.contains("Bearer"), "no credentials in messages")
        if code == "context_length_exceeded" { #expect(e.message.contains("context too long")) }
        #expect(http.requests.count == 1, "the adapter never retries by itself")
    }

    @Test func rateLimitsCarryRetryAfter() async throws {
        let http = FakeHTTPTransport { _ in
            ChatCompletionsFake.error(429, "Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3.",
                                      type: "requests", code: "rate_limit_exceeded", headers: ["Retry-After": "7"])
        }
        let e = try #require(await failure(model(http)))
        #expect(e.code == .rateLimited && e.isRetryable && e.retryAfter == .seconds(7))

        let precise = FakeHTTPTransport { _ in
            ChatCompletionsFake.error(429, "Rate limit reached", type: "tokens", code: "rate_limit_exceeded",
                                      headers: ["Retry-After": "1", "retry-after-ms": "350"])
        }
        #expect(try #require(await failure(model(precise))).retryAfter == .milliseconds(350))
    }

    @Test func mistralValidationErrorsAndChunkedContent() async throws {
        let invalid = FakeHTTPTransport { _ in ChatCompletionsFake.mistralValidation(["body", "temperature"], "Input should be less than or equal to 1.5") }
        let e = try #require(await failure(model(invalid, base: "https://api.mistral.ai/v1")))
        #expect(e.code == .invalidInput && !e.isRetryable)
        #expect(e.message.contains("body.temperature: Input should be less than or equal to 1.5"))

        let chunks: JSON = [["type": "thinking", "thinking": [["type": "text", "text": "hmm"]]],
                            ["type": "text", "text": .string(goodAnswer.serialized())]]
        let chunked = FakeHTTPTransport { _ in ChatCompletionsFake.mistral(chunks) }
        let r = try await model(chunked, base: "https://api.mistral.ai/v1").generate(analyseRequest)
        #expect(r.object == goodAnswer && r.inputTokens == 16 && r.outputTokens == 34)
        #expect(ChatCompletionsFake.body(chunked.requests[0])["max_tokens"] == 256)
    }

    @Test func aRefusedJSONSchemaStepsDownToJSONObjectOnceForGood() async throws {
        let http = FakeHTTPTransport { r in
            if ChatCompletionsFake.body(r)["response_format"]?["type"] == "json_schema" {
                return ChatCompletionsFake.error(400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
                                                 type: "invalid_request_error", code: nil, param: "response_format")
            }
            return ChatCompletionsFake.ok(.string(goodAnswer.serialized()))
        }
        let m = model(http, base: "http://127.0.0.1:8080/v1", key: nil)
        #expect(try await m.generate(analyseRequest).object == goodAnswer)
        #expect(try await m.generate(analyseRequest).object == goodAnswer)
        let formats = http.requests.map { ChatCompletionsFake.body($0)["response_format"]?["type"]?.stringValue }
        #expect(formats == ["json_schema", "json_object", "json_object"], "refused once, remembered after")
        let system = ChatCompletionsFake.body(http.requests[1])["messages"]?[0]?["content"]?.stringValue ?? ""
        #expect(system.contains("JSON Schema") && system.contains("\"urgency\""), "json_object mode carries the schema in the prompt")
        #expect(http.requests.allSatisfy { $0.headers["Authorization"] == nil }, "no key, no header")
    }

    @Test func otherBadRequestsDoNotStepDown() async throws {
        let http = FakeHTTPTransport { _ in
            ChatCompletionsFake.error(400, "Invalid value for 'temperature'", type: "invalid_request_error", code: nil, param: "temperature")
        }
        let e = try #require(await failure(model(http)))
        #expect(e.code == .invalidInput && http.requests.count == 1)
    }

    @Test func thePolicyLayerRetriesRateLimitsButNotContextOverflows() async throws {
        let calls = Counter()
        let http = FakeHTTPTransport { _ in
            if calls.next() == 1 {
                return ChatCompletionsFake.error(429, "Rate limit reached", type: "requests", code: "rate_limit_exceeded",
                                                 headers: ["Retry-After": "0"])
            }
            return ChatCompletionsFake.ok(.string(goodAnswer.serialized()))
        }
        let policy = CallPolicy(port: .llm, adapter: "openai",
                                retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5)))
        let layered = PolicyLanguageModel(model(http), policy: policy)
        #expect(try await layered.generate(analyseRequest).object == goodAnswer)
        #expect(http.requests.count == 2, "one 429, then the retry")

        let long = FakeHTTPTransport { _ in
            ChatCompletionsFake.error(400, "This model's maximum context length is 8192 tokens.", type: "invalid_request_error",
                                      code: "context_length_exceeded")
        }
        await #expect(throws: PlugboardError.self) { try await PolicyLanguageModel(model(long), policy: policy).generate(analyseRequest) }
        #expect(long.requests.count == 1, "a context overflow is not retried")
    }

    @Test func settingsKeysNeverLeaveTheirVendor() throws {
        let loader = ConfigLoader(registry: Registry([OpenAILanguageModel.registryEntry]), environment: [:])
        let env = ["OPENAI_API_KEY": "sk-from-env", "MISTRAL_API_KEY": "mistral-env"]
        func build(_ section: JSON) throws -> OpenAILanguageModel {
            try OpenAILanguageModel(settings: loader.settings(port: .llm, section: section), environment: env,
                                    transport: FakeHTTPTransport { _ in HTTPResponse(status: 500) })
        }
        #expect(try build(["adapter": "openai", "model": "gpt-4o-mini"]).configuration.apiKey == "sk-from-env")
        #expect(try build(["adapter": "openai", "model": "m", "base_url": "https://api.mistral.ai/v1"]).configuration.apiKey == "mistral-env")
        let local = try build(["adapter": "openai", "model": "llama3.1", "base_url": "http://127.0.0.1:11434/v1"])
        #expect(local.configuration.apiKey == nil, "an OpenAI key is never sent to another host")
        #expect(local.configuration.maxTokensField == "max_tokens")
        #expect(try build(["adapter": "openai", "model": "m", "api_key": "sk-given"]).configuration.apiKey == "sk-given")

        #expect(throws: PlugboardError.self) {
            _ = try OpenAILanguageModel(settings: loader.settings(port: .llm, section: ["adapter": "openai", "model": "m"]),
                                        environment: [:])
        }
        do {
            _ = try loader.settings(port: .llm, section: ["adapter": "openai"])
            Issue.record("model is required")
        } catch let e as PlugboardError {
            #expect(e.message.contains("llm.model"))
        }
    }
}

final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
