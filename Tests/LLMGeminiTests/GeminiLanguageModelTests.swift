import Foundation
import PlugboardKernel
import Synchronization
import Testing
@testable import LLMGemini

/// generateContent responses and Google RPC errors shaped as the Gemini API
/// reference describes them (`shared/reference/notes/llm-apis.md`).
enum GenerateContentFake {
    static func response(_ text: String?, finish: String = "STOP", thought: String? = nil, blocked: String? = nil) -> HTTPResponse {
        var parts: [JSON] = []
        if let thought { parts.append(["text": .string(thought), "thought": true]) }
        if let text { parts.append(["text": .string(text)]) }
        var body: [String: JSON] = [
            "usageMetadata": ["promptTokenCount": 210, "candidatesTokenCount": 40, "totalTokenCount": 262, "thoughtsTokenCount": 12],
            "modelVersion": "gemini-2.5-flash", "responseId": "mAitaLmkHPPlz7IPvtfUqQ4",
        ]
        if let blocked {
            body["promptFeedback"] = ["blockReason": .string(blocked), "safetyRatings": []]
        } else {
            body["candidates"] = [[
                "content": ["role": "model", "parts": .array(parts)], "finishReason": .string(finish), "index": 0,
                "safetyRatings": [["category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"]],
            ]]
        }
        return HTTPResponse(status: 200, json: .object(body))
    }

    static func error(_ code: Int, _ status: String, _ message: String, details: [JSON] = [], headers: HTTPHeaders = [:]) -> HTTPResponse {
        HTTPResponse(status: code, headers: headers, json: [
            "error": ["code": JSON(code), "message": .string(message), "status": .string(status), "details": .array(details)],
        ])
    }

    static func body(_ r: HTTPRequest) -> JSON { (try? JSONParser.parse(r.body)) ?? .null }
}

let analyseSchema: JSON = [
    "type": "object", "required": ["sentiment", "urgency", "summary"], "additionalProperties": false,
    "properties": [
        "sentiment": ["enum": ["positive", "neutral", "negative"]],
        "urgency": ["enum": ["low", "medium", "high"]],
        "summary": ["type": "string", "maxLength": 300],
        "order_number": ["type": ["string", "null"]],
    ],
]

let analyseRequest = LLMRequest(task: "analyse", system: "You work in customer support.",
                                prompt: "<ticket>\nMon colis n'est jamais arrivé, c'est urgent.\n</ticket>",
                                schema: analyseSchema, maxOutputTokens: 400)

let goodAnswer: JSON = ["sentiment": "negative", "urgency": "high", "summary": "Parcel never arrived; urgent.", "order_number": .null]

@Suite("gemini: generateContent in JSON mode")
struct GeminiLanguageModelTests {
    func model(_ http: FakeHTTPTransport, format: GeminiLanguageModel.SchemaFormat = .openAPI) -> GeminiLanguageModel {
        GeminiLanguageModel(.init(apiKey: "AIza-test", model: "models/gemini-2.5-flash", schemaFormat: format), transport: http)
    }

    func failure(_ m: GeminiLanguageModel) async -> PlugboardError? {
        do {
            _ = try await m.generate(analyseRequest)
            return nil
        } catch {
            return error as? PlugboardError
        }
    }

    @Test func theRequestAsksForJSONWithAResponseSchema() async throws {
        let http = FakeHTTPTransport { _ in GenerateContentFake.response(goodAnswer.serialized(), thought: "Let me think") }
        let r = try await model(http).generate(analyseRequest)
        #expect(r.object == goodAnswer, "thought parts are not the answer")
        #expect(r.inputTokens == 210 && r.outputTokens == 52, "thinking tokens are billed as output")
        #expect(r.provider == "gemini" && r.model == "gemini-2.5-flash")

        let sent = try #require(http.requests.first)
        #expect(sent.url == "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent")
        #expect(sent.headers["x-goog-api-key"] == "AIza-test" && !sent.url.contains("key="), "the key never goes in the URL")
        let body = GenerateContentFake.body(sent)
        #expect(body["contents"] == [["role": "user", "parts": [["text": .string(analyseRequest.prompt)]]]])
        #expect(body["systemInstruction"] == ["parts": [["text": "You work in customer support."]]])
        let config = try #require(body["generationConfig"])
        #expect(config["responseMimeType"] == "application/json" && config["maxOutputTokens"] == 400)
        let schema = try #require(config["responseSchema"])
        #expect(schema["type"] == "OBJECT" && schema["additionalProperties"] == nil)
        #expect(schema["properties"]?["sentiment"] == ["type": "STRING", "enum": ["positive", "neutral", "negative"]])
        #expect(schema["properties"]?["summary"] == ["type": "STRING", "maxLength": 300])
        #expect(schema["properties"]?["order_number"] == ["type": "STRING", "nullable": true])
        #expect(schema["required"] == ["sentiment", "urgency", "summary"])
        #expect(config["responseJsonSchema"] == nil)
    }

    @Test func jsonSchemaFormatSendsTheSchemaAsIs() async throws {
        let http = FakeHTTPTransport { _ in GenerateContentFake.response(goodAnswer.serialized()) }
        _ = try await model(http, format: .jsonSchema).generate(analyseRequest)
        let config = GenerateContentFake.body(http.requests[0])["generationConfig"]
        #expect(config?["responseJsonSchema"] == analyseSchema && config?["responseSchema"] == nil)
    }

    @Test func schemaConversionInlinesReferencesAndConstants() {
        let s: JSON = [
            "$defs": ["level": ["enum": ["low", "high"]]],
            "type": "object",
            "properties": ["urgency": ["$ref": "#/$defs/level"], "kind": ["const": "ticket"],
                           "tags": ["type": "array", "items": ["type": "string"], "maxItems": 3],
                           "score": ["type": "number", "exclusiveMinimum": 0]],
        ]
        let g = GeminiSchema.openAPI(s)
        #expect(g["properties"]?["urgency"] == ["type": "STRING", "enum": ["low", "high"]])
        #expect(g["properties"]?["kind"] == ["type": "STRING", "enum": ["ticket"]])
        #expect(g["properties"]?["tags"] == ["type": "ARRAY", "items": ["type": "STRING"], "maxItems": 3])
        #expect(g["properties"]?["score"] == ["type": "NUMBER"], "keywords outside the subset are dropped (validated locally)")
        #expect(g["$defs"] == nil)
    }

    @Test func blockedPromptsSafetyStopsProseAndCutOffs() async throws {
        let blocked = FakeHTTPTransport { _ in GenerateContentFake.response(nil, blocked: "SAFETY") }
        let a = try #require(await failure(model(blocked)))
        #expect(a.isRefusal && a.message.contains("SAFETY"))

        let stopped = FakeHTTPTransport { _ in GenerateContentFake.response(nil, finish: "PROHIBITED_CONTENT") }
        #expect(try #require(await failure(model(stopped))).isRefusal)

        let prose = FakeHTTPTransport { _ in GenerateContentFake.response("Here is my analysis: the customer is angry.") }
        #expect(try #require(await failure(model(prose))).isInvalidAnswer)

        let breaking = FakeHTTPTransport { _ in GenerateContentFake.response(#"{"sentiment": "angry", "urgency": "high", "summary": "x", "extra": 1}"#) }
        let d = try #require(await failure(model(breaking)))
        #expect(d.isInvalidAnswer && d.message.contains("/sentiment") && d.message.contains("extra"), "\(d.message)")

        let cut = FakeHTTPTransport { _ in GenerateContentFake.response(#"{"sentiment": "neg"#, finish: "MAX_TOKENS") }
        #expect(try #require(await failure(model(cut))).message.contains("cut off at the output limit (400 tokens)"))
    }

    @Test(arguments: [
        (429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", "rateLimited", true, 37_000),
        (400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", "unauthenticated", false, nil),
        (400, "INVALID_ARGUMENT", "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).", "invalidInput", false, nil),
        (403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers.", "permissionDenied", false, nil),
        (404, "NOT_FOUND", "models/gemini-9 is not found for API version v1beta.", "notFound", false, nil),
        (500, "INTERNAL", "An internal error has occurred.", "unavailable", true, nil),
        (503, "UNAVAILABLE", "The model is overloaded. Please try again later.", "rateLimited", true, nil),
        (504, "DEADLINE_EXCEEDED", "Deadline exceeded", "unavailable", true, nil),
    ] as [(Int, String, String, String, Bool, Int?)])
    func errorsAreMapped(code: Int, status: String, message: String, expected: String, retryable: Bool, delayMs: Int?) async throws {
        var details: [JSON] = []
        if code == 429 {
            details = [["@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []],
                       ["@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"]]
        }
        if message.hasPrefix("API key") {
            details = [["@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com"]]
        }
        let response = GenerateContentFake.error(code, status, message, details: details)
        let http = FakeHTTPTransport { _ in response }
        let e = try #require(await failure(model(http)))
        #expect(e.code.description == expected, "\(e)")
        #expect(e.isRetryable == retryable)
        #expect(e.retryAfter == delayMs.map { .milliseconds($0) })
        #expect(e.message.contains(status) && !e.description.contains("AIza-test"))
        #expect(http.requests.count == 1)
    }

    @Test func rateLimitsAreRetriedByThePolicyLayerAfterTheirDelay() async throws {
        let calls = Mutex(0)
        let http = FakeHTTPTransport { _ in
            if calls.withLock({ $0 += 1; return $0 }) == 1 {
                return GenerateContentFake.error(429, "RESOURCE_EXHAUSTED", "Quota exceeded",
                                                 details: [["@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.05s"]])
            }
            return GenerateContentFake.response(goodAnswer.serialized())
        }
        let policy = CallPolicy(port: .llm, adapter: "gemini",
                                retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), maxDelay: .seconds(1)))
        let started = ContinuousClock.now
        #expect(try await PolicyLanguageModel(model(http), policy: policy).generate(analyseRequest).object == goodAnswer)
        #expect(ContinuousClock.now - started >= .milliseconds(50), "the server's retryDelay was honoured")
        #expect(http.requests.count == 2)
    }

    @Test func settingsUseTheEnvironmentKeyOnlyForGoogle() throws {
        let loader = ConfigLoader(registry: Registry([GeminiLanguageModel.registryEntry]), environment: [:])
        let env = ["GEMINI_API_KEY": "AIza-env"]
        func build(_ section: JSON, _ env: [String: String]) throws -> GeminiLanguageModel {
            try GeminiLanguageModel(settings: loader.settings(port: .llm, section: section), environment: env)
        }
        #expect(try build(["adapter": "gemini", "model": "gemini-2.5-flash"], env).configuration.apiKey == "AIza-env")
        #expect(try build(["adapter": "gemini", "model": "g", "base_url": "http://127.0.0.1:9/v1beta"], env).configuration.apiKey == "")
        #expect(throws: PlugboardError.self) { try build(["adapter": "gemini", "model": "g"], [:]) }
    }
}
