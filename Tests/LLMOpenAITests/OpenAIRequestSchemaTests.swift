import Foundation
import PlugboardKernel
import Testing
@testable import LLMOpenAI

/// Every request body the adapter sends, checked against the request schema of the
/// vendor's published OpenAPI file, and every fake response against its response schema.
@Suite("openai: request bodies against the published OpenAPI schemas")
struct OpenAIRequestSchemaTests {
    /// The bodies of every format, with and without the optional fields, as sent through a fake.
    static func sentBodies(baseURL: String) async throws -> [JSON] {
        let http = FakeHTTPTransport { r in
            // Refuse json_schema once so the step-down path is sent too.
            let body = ChatCompletionsFake.body(r)
            if body["response_format"]?["type"] == "json_schema", body["temperature"] != nil {
                return ChatCompletionsFake.error(400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
                                                 type: "invalid_request_error", code: nil, param: "response_format")
            }
            return ChatCompletionsFake.ok(.string(goodAnswer.serialized()))
        }
        let requests = [
            analyseRequest,
            LLMRequest(task: "classify", prompt: "<ticket>Refund please</ticket>",
                       schema: ["type": "object", "required": ["category"], "additionalProperties": false,
                                "properties": ["category": ["type": "string", "enum": ["refund", "other"]]]]),
        ]
        let configurations = [
            OpenAILanguageModel.Configuration(baseURL: baseURL, apiKey: "sk-test", model: "m"),
            OpenAILanguageModel.Configuration(baseURL: baseURL, apiKey: "sk-test", model: "m", maxTokens: 300, temperature: 0.2),
            OpenAILanguageModel.Configuration(baseURL: baseURL, apiKey: nil, model: "m", responseFormat: .jsonObject),
            OpenAILanguageModel.Configuration(baseURL: baseURL, model: "m", responseFormat: .text),
        ]
        for c in configurations {
            let model = OpenAILanguageModel(c, transport: http)
            for r in requests {
                _ = try? await model.generate(r)
            }
        }
        return http.requests.map(ChatCompletionsFake.body)
    }

    @Test func openAIBodiesMatchCreateChatCompletionRequest() async throws {
        let spec = try OpenAPIReference.openAI()
        let validator = try OpenAPIReference.validator(spec, schema: "CreateChatCompletionRequest")
        // The schema leaves unknown fields open: check the names against what it declares too.
        let declared = OpenAPIReference.declaredProperties(spec, schema: "CreateChatCompletionRequest")
        #expect(declared.contains("response_format") && declared.contains("max_completion_tokens"))
        let bodies = try await Self.sentBodies(baseURL: "https://api.openai.com/v1")
        #expect(bodies.count >= 9, "every configuration, request and the step-down were sent")
        let formats = Set(bodies.map { $0["response_format"]?["type"]?.stringValue ?? "none" })
        #expect(formats == ["json_schema", "json_object", "none"])
        for body in bodies {
            let violations = validator.validate(body)
            #expect(violations.isEmpty, "\(body.serialized()):\n\(SchemaViolation.render(violations))")
            let unknown = Set(body.objectValue!.keys).subtracting(declared)
            #expect(unknown.isEmpty, "fields OpenAI does not define: \(unknown.sorted())")
            #expect(body["max_completion_tokens"] != nil && body["max_tokens"] == nil, "OpenAI's own host gets max_completion_tokens")
        }
    }

    @Test func mistralBodiesMatchChatCompletionRequest() async throws {
        let spec = try OpenAPIReference.mistral()
        let validator = try OpenAPIReference.validator(spec, schema: "ChatCompletionRequest")
        let bodies = try await Self.sentBodies(baseURL: "https://api.mistral.ai/v1")
        #expect(bodies.count >= 9)
        for body in bodies {
            let violations = validator.validate(body)
            #expect(violations.isEmpty, "\(body.serialized()):\n\(SchemaViolation.render(violations))")
            #expect(body["max_tokens"] != nil, "Mistral has no max_completion_tokens")
        }
    }

    /// The validators are not vacuous: bodies that break the schemas are caught.
    @Test func brokenBodiesAreCaught() throws {
        let openAI = try OpenAPIReference.validator(try OpenAPIReference.openAI(), schema: "CreateChatCompletionRequest")
        let mistral = try OpenAPIReference.validator(try OpenAPIReference.mistral(), schema: "ChatCompletionRequest")
        let good: JSON = ["model": "m", "messages": [["role": "user", "content": "hi"]]]
        #expect(openAI.validate(good).isEmpty && mistral.validate(good).isEmpty)
        var noMessages = good
        noMessages["messages"] = []
        #expect(!openAI.validate(noMessages).isEmpty, "OpenAI wants at least one message")
        var badFormat = good
        badFormat["response_format"] = ["type": "yaml"]
        #expect(!openAI.validate(badFormat).isEmpty && !mistral.validate(badFormat).isEmpty)
        var noSchema = good
        noSchema["response_format"] = ["type": "json_schema", "json_schema": ["name": "x"]]
        #expect(!mistral.validate(noSchema).isEmpty, "Mistral's json_schema needs its schema")
        var openAIField = good
        openAIField["max_completion_tokens"] = 10
        #expect(!mistral.validate(openAIField).isEmpty, "Mistral refuses fields it does not define")
        var developer = good
        developer["messages"] = [["role": "developer", "content": "x"], ["role": "user", "content": "hi"]]
        #expect(!mistral.validate(developer).isEmpty, "Mistral has no developer role")
    }

    @Test func fakeResponsesMatchTheResponseSchemas() throws {
        let openAI = try OpenAPIReference.openAI()
        let response = try OpenAPIReference.validator(openAI, schema: "CreateChatCompletionResponse")
        for r in [ChatCompletionsFake.ok(.string("{}")), ChatCompletionsFake.ok(.null, refusal: "I can't help with that."),
                  ChatCompletionsFake.ok(.string("{\"a\":"), finish: "length")] {
            let v = response.validate(try r.json())
            #expect(v.isEmpty, "\(SchemaViolation.render(v))")
        }
        let error = try OpenAPIReference.validator(openAI, schema: "ErrorResponse")
        let e = error.validate(ChatCompletionsFake.errorBody("Rate limit reached", type: "requests", code: "rate_limit_exceeded"))
        #expect(e.isEmpty, "\(SchemaViolation.render(e))")

        let mistral = try OpenAPIReference.mistral()
        let choice = try OpenAPIReference.validator(mistral, schema: "ChatCompletionChoice")
        let chunks: JSON = [["type": "text", "text": "{}"]]
        for content in [JSON.string("{}"), chunks] {
            let body = try ChatCompletionsFake.mistral(content).json()
            let v = choice.validate(body["choices"]![0] ?? .null)
            #expect(v.isEmpty, "\(SchemaViolation.render(v))")
        }
        let validation = try OpenAPIReference.validator(mistral, schema: "HTTPValidationError")
        #expect(validation.validate(try ChatCompletionsFake.mistralValidation(["body", "model"], "Field required").json()).isEmpty)
        let usage = try OpenAPIReference.validator(mistral, schema: "UsageInfo")
        #expect(usage.validate(try ChatCompletionsFake.mistral("{}").json()["usage"]!).isEmpty)
    }
}

extension JSON {
    /// Array element, for tests.
    subscript(index: Int) -> JSON? {
        guard case .array(let a) = self, index < a.count else { return nil }
        return a[index]
    }
}
