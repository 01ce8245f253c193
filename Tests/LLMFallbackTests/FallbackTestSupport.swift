import Foundation
import LLMAnthropic
import LLMFallback
import LLMGemini
import LLMOpenAI
import LLMRules
import PlugboardKernel
import Synchronization

/// One fake per vendor, each answering from a script of responses (the last one
/// repeats), and a registry whose vendor adapters send to them.
final class VendorFakes: Sendable {
    let openai: FakeHTTPTransport
    let anthropic: FakeHTTPTransport
    let gemini: FakeHTTPTransport

    init(openai: [HTTPResponse] = [], anthropic: [HTTPResponse] = [], gemini: [HTTPResponse] = []) {
        self.openai = VendorFakes.scripted(openai)
        self.anthropic = VendorFakes.scripted(anthropic)
        self.gemini = VendorFakes.scripted(gemini)
    }

    static func scripted(_ responses: [HTTPResponse]) -> FakeHTTPTransport {
        let next = Mutex(0)
        return FakeHTTPTransport { _ in
            guard !responses.isEmpty else { return HTTPResponse(status: 599, body: Data("no script".utf8)) }
            let i = next.withLock { n in defer { n += 1 }; return min(n, responses.count - 1) }
            return responses[i]
        }
    }

    var registry: Registry {
        let (o, a, g) = (openai, anthropic, gemini)
        return Registry([
            Registry.Entry(OpenAILanguageModel.descriptor, .llm { s, _ in try OpenAILanguageModel(settings: s, environment: [:], transport: o) }),
            Registry.Entry(AnthropicLanguageModel.descriptor, .llm { s, _ in try AnthropicLanguageModel(settings: s, environment: [:], transport: a) }),
            Registry.Entry(GeminiLanguageModel.descriptor, .llm { s, _ in try GeminiLanguageModel(settings: s, environment: [:], transport: g) }),
            RulesLanguageModel.registryEntry,
            FallbackLanguageModel.registryEntry,
        ])
    }

    /// The chain built from one `llm` section, as the kernel builds it.
    func model(_ section: JSON, environment: [String: String] = [:]) async throws -> any LanguageModel {
        let registry = self.registry
        let settings = try ConfigLoader(registry: registry, environment: environment).settings(port: .llm, section: section)
        return try await registry.makeLLM(settings, AdapterContext(registry: registry))
    }
}

/// Fast retries for links, so tests that exhaust them stay quick.
let fastRetry: JSON = ["max_attempts": 3, "base_delay": 0.001]

func openAISection(_ extra: [String: JSON] = [:]) -> JSON {
    var o: [String: JSON] = ["adapter": "openai", "base_url": "http://127.0.0.1:8000/v1", "model": "local-model", "retry": fastRetry]
    for (k, v) in extra { o[k] = v }
    return .object(o)
}

func anthropicSection() -> JSON {
    ["adapter": "anthropic", "api_key": "sk-ant-test", "model": "claude-sonnet-4-5", "retry": fastRetry]
}

func geminiSection() -> JSON {
    ["adapter": "gemini", "api_key": "AIza-test", "model": "gemini-2.5-flash", "retry": fastRetry]
}

// MARK: - Vendor responses (shapes from the references; the vendor suites check them in detail)

func chatCompletion(_ content: String?, refusal: String? = nil) -> HTTPResponse {
    HTTPResponse(status: 200, json: [
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1_741_569_952, "model": "local-model",
        "choices": [["index": 0, "message": ["role": "assistant", "content": content.map(JSON.string) ?? .null,
                                             "refusal": refusal.map(JSON.string) ?? .null],
                     "logprobs": .null, "finish_reason": "stop"]],
        "usage": ["prompt_tokens": 300, "completion_tokens": 40, "total_tokens": 340],
    ])
}

func openAIError(_ status: Int, _ message: String, code: String?, headers: HTTPHeaders = [:]) -> HTTPResponse {
    HTTPResponse(status: status, headers: headers, json: [
        "error": ["message": .string(message), "type": "invalid_request_error", "param": .null, "code": code.map(JSON.string) ?? .null],
    ])
}

func anthropicMessage(tool input: JSON? = nil, stop: String = "tool_use") -> HTTPResponse {
    let content: JSON = input.map { [["type": "tool_use", "id": "toolu_1", "name": "analyse", "input": $0]] } ?? []
    return HTTPResponse(status: 200, json: [
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929", "content": content,
        "stop_reason": .string(stop), "stop_sequence": .null, "usage": ["input_tokens": 350, "output_tokens": 45],
    ])
}

func anthropicError(_ status: Int, _ type: String, _ message: String) -> HTTPResponse {
    HTTPResponse(status: status, json: ["type": "error", "error": ["type": .string(type), "message": .string(message)],
                                        "request_id": "req_1"])
}

func geminiAnswer(_ text: String) -> HTTPResponse {
    HTTPResponse(status: 200, json: [
        "candidates": [["content": ["role": "model", "parts": [["text": .string(text)]]], "finishReason": "STOP", "index": 0]],
        "usageMetadata": ["promptTokenCount": 280, "candidatesTokenCount": 35, "totalTokenCount": 315],
        "modelVersion": "gemini-2.5-flash",
    ])
}

func geminiError(_ code: Int, _ status: String, _ message: String, details: [JSON] = []) -> HTTPResponse {
    HTTPResponse(status: code, json: ["error": ["code": JSON(code), "message": .string(message), "status": .string(status),
                                                "details": .array(details)]])
}

// MARK: - The request

let categories: JSON = ["late_delivery", "refund", "defective_product", "order_information", "unclassified"]

let analyseSchema: JSON = [
    "type": "object", "required": ["sentiment", "category", "urgency", "summary"],
    "properties": [
        "sentiment": ["enum": ["positive", "neutral", "negative"]],
        "category": ["enum": categories],
        "urgency": ["enum": ["low", "medium", "high"]],
        "summary": ["type": "string", "maxLength": 300],
    ],
]

let analyseRequest = LLMRequest(
    task: "analyse", system: "You work in customer support.",
    prompt: PromptLibrary().render("analyse", [
        "text": "Commande 12345 toujours pas livrée\nMa commande 12345 n'est toujours pas livrée après trois semaines, c'est inadmissible !",
        "categories": "late_delivery, refund, defective_product, order_information", "fallback_category": "unclassified",
        "channel": "email",
    ]),
    schema: analyseSchema)

let goodAnswer: JSON = ["sentiment": "negative", "category": "late_delivery", "urgency": "high", "summary": "Order 12345 is three weeks late."]

func userPrompt(_ r: HTTPRequest) -> String {
    let body = (try? JSONParser.parse(r.body)) ?? .null
    let messages = body["messages"]?.arrayValue ?? []
    return messages.last?["content"]?.stringValue ?? ""
}
