import Foundation
import PlugboardKernel
import Synchronization
import Testing
@testable import LLMAnthropic

@Suite("anthropic: Messages API through a forced tool or structured output")
struct AnthropicLanguageModelTests {
    func model(_ http: FakeHTTPTransport, mode: AnthropicLanguageModel.JSONMode = .tool) -> AnthropicLanguageModel {
        AnthropicLanguageModel(.init(apiKey: "sk-ant-test", model: "claude-sonnet-4-5", jsonMode: mode), transport: http)
    }

    func failure(_ m: AnthropicLanguageModel) async -> PlugboardError? {
        do {
            _ = try await m.generate(analyseRequest)
            return nil
        } catch {
            return error as? PlugboardError
        }
    }

    @Test func aForcedToolCarriesTheSchemaAndItsInputIsTheAnswer() async throws {
        let http = FakeHTTPTransport { _ in
            MessagesFake.message([MessagesFake.toolUse("analyse", goodAnswer)], stop: "tool_use", input: 400, output: 60, cacheRead: 100)
        }
        let r = try await model(http).generate(analyseRequest)
        #expect(r.object == goodAnswer)
        #expect(r.inputTokens == 500 && r.outputTokens == 60, "cache reads count as input")
        #expect(r.provider == "anthropic" && r.model == "claude-sonnet-4-5-20250929")

        let sent = try #require(http.requests.first)
        #expect(sent.url == "https://api.anthropic.com/v1/messages")
        #expect(sent.headers["x-api-key"] == "sk-ant-test" && sent.headers["anthropic-version"] == "2023-06-01")
        #expect(sent.headers["Authorization"] == nil)
        #expect(sent.headers["content-type"] == "application/json")
        let body = MessagesFake.body(sent)
        #expect(body["max_tokens"] == 300, "max_tokens is required by the API")
        #expect(body["system"] == "You work in customer support.", "system is top level, never a message role")
        #expect(body["messages"] == [["role": "user", "content": .string(analyseRequest.prompt)]])
        #expect(body["tools"]?[0]?["name"] == "analyse")
        #expect(body["tools"]?[0]?["input_schema"] == analyseSchema)
        #expect(body["tool_choice"] == ["type": "tool", "name": "analyse"])
        #expect(body["output_config"] == nil)
    }

    @Test func structuredOutputReadsTheText() async throws {
        let http = FakeHTTPTransport { _ in MessagesFake.message([MessagesFake.text(goodAnswer.serialized())]) }
        #expect(try await model(http, mode: .structuredOutput).generate(analyseRequest).object == goodAnswer)
        let body = MessagesFake.body(http.requests[0])
        #expect(body["output_config"] == ["format": ["type": "json_schema", "schema": analyseSchema]])
        #expect(body["tools"] == nil && body["tool_choice"] == nil)
    }

    @Test func aModelWithoutStructuredOutputGetsTheToolFromThenOn() async throws {
        let http = FakeHTTPTransport { r in
            if MessagesFake.body(r)["output_config"] != nil {
                return MessagesFake.error(400, "invalid_request_error", "output_config: Extra inputs are not permitted")
            }
            return MessagesFake.message([MessagesFake.toolUse("analyse", goodAnswer)], stop: "tool_use")
        }
        let m = model(http, mode: .structuredOutput)
        #expect(try await m.generate(analyseRequest).object == goodAnswer)
        #expect(try await m.generate(analyseRequest).object == goodAnswer)
        let modes = http.requests.map { MessagesFake.body($0)["output_config"] == nil ? "tool" : "structured" }
        #expect(modes == ["structured", "tool", "tool"])
    }

    @Test func refusalsProseBrokenInputAndCutOffs() async throws {
        let refused = FakeHTTPTransport { _ in MessagesFake.message([MessagesFake.text("I can't help with that.")], stop: "refusal") }
        let a = try #require(await failure(model(refused)))
        #expect(a.isRefusal && !a.isRetryable)

        let prose = FakeHTTPTransport { _ in MessagesFake.message([MessagesFake.text("The customer seems upset.")]) }
        let b = try #require(await failure(model(prose)))
        #expect(b.isInvalidAnswer && b.message.contains("prose"))

        let broken = FakeHTTPTransport { _ in
            MessagesFake.message([MessagesFake.toolUse("analyse", ["sentiment": "negative", "urgency": "critical"])], stop: "tool_use")
        }
        let c = try #require(await failure(model(broken)))
        #expect(c.isInvalidAnswer && c.message.contains("/urgency") && c.message.contains("summary"), "\(c.message)")

        let cut = FakeHTTPTransport { _ in
            MessagesFake.message([MessagesFake.toolUse("analyse", ["sentiment": "negative"])], stop: "max_tokens")
        }
        let d = try #require(await failure(model(cut)))
        #expect(d.isInvalidAnswer && d.message.contains("cut off at the output limit (300 tokens)"))
    }

    @Test(arguments: [
        (400, "invalid_request_error", "prompt is too long: 215093 tokens > 200000 maximum", "invalidInput", false, nil),
        (401, "authentication_error", "invalid x-api-key", "unauthenticated", false, nil),
        (403, "permission_error", "Your API key does not have permission to use the specified resource.", "permissionDenied", false, nil),
        (404, "not_found_error", "model: claude-nope", "notFound", false, nil),
        (413, "request_too_large", "Request exceeds the maximum allowed number of bytes.", "invalidInput", false, nil),
        (429, "rate_limit_error", "This request would exceed the rate limit for your organization.", "rateLimited", true, 12),
        (500, "api_error", "Internal server error", "unavailable", true, nil),
        (529, "overloaded_error", "Overloaded", "rateLimited", true, 3),
    ] as [(Int, String, String, String, Bool, Int?)])
    func errorsAreMapped(status: Int, type: String, message: String, expected: String, retryable: Bool, retryAfter: Int?) async throws {
        let headers: HTTPHeaders = retryAfter.map { ["retry-after": String($0)] } ?? [:]
        let http = FakeHTTPTransport { _ in MessagesFake.error(status, type, message, headers: headers) }
        let e = try #require(await failure(model(http)))
        #expect(e.code.description == expected, "\(e)")
        #expect(e.isRetryable == retryable)
        #expect(e.retryAfter == retryAfter.map { .seconds($0) })
        #expect(e.message.contains(type) && e.description.contains("req_018EeWyXxfu5pfWkrYcMdjWG"), "the request id helps support")
        if status == 400 { #expect(e.message.contains("context too long")) }
        #expect(!e.description.contains("sk-ant-test"))
        #expect(http.requests.count == 1)
    }

    @Test func overloadIsRetriedByThePolicyLayer() async throws {
        let calls = Mutex(0)
        let http = FakeHTTPTransport { _ in
            let n = calls.withLock { $0 += 1; return $0 }
            if n < 3 { return MessagesFake.error(529, "overloaded_error", "Overloaded", headers: ["retry-after": "0"]) }
            return MessagesFake.message([MessagesFake.toolUse("analyse", goodAnswer)], stop: "tool_use")
        }
        let policy = CallPolicy(port: .llm, adapter: "anthropic",
                                retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5)))
        #expect(try await PolicyLanguageModel(model(http), policy: policy).generate(analyseRequest).object == goodAnswer)
        #expect(http.requests.count == 3)
    }

    @Test func settingsUseTheEnvironmentKeyOnlyForAnthropic() throws {
        let loader = ConfigLoader(registry: Registry([AnthropicLanguageModel.registryEntry]), environment: [:])
        let env = ["ANTHROPIC_API_KEY": "sk-ant-env"]
        func build(_ section: JSON, _ env: [String: String]) throws -> AnthropicLanguageModel {
            try AnthropicLanguageModel(settings: loader.settings(port: .llm, section: section), environment: env)
        }
        #expect(try build(["adapter": "anthropic", "model": "claude-haiku-4-5"], env).configuration.apiKey == "sk-ant-env")
        let proxy = try build(["adapter": "anthropic", "model": "c", "base_url": "http://127.0.0.1:9000/v1"], env)
        #expect(proxy.configuration.apiKey == "" && proxy.configuration.baseURL == "http://127.0.0.1:9000")
        #expect(throws: PlugboardError.self) { try build(["adapter": "anthropic", "model": "c"], [:]) }
        #expect(throws: PlugboardError.self) { try loader.settings(port: .llm, section: ["adapter": "anthropic", "model": "c", "json_mode": "xml"]) }
    }
}

extension JSON {
    subscript(index: Int) -> JSON? {
        guard case .array(let a) = self, index < a.count else { return nil }
        return a[index]
    }
}
