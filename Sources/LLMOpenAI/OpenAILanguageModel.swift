import PlugboardKernel
import Synchronization

/// The `openai` language model: the Chat Completions API of OpenAI and of every
/// server that speaks it (Mistral, vLLM, Ollama, llama.cpp, ...), at any `base_url`.
///
/// One `generate` is one `POST {base_url}/chat/completions` with a system message
/// (the request's, plus the schema when the endpoint is not handed it) and a user
/// message (the prompt). JSON comes through `response_format`:
/// `json_schema` (Structured Outputs; `strict` only when the schema already meets
/// OpenAI's strict rules), else `json_object`, else plain text with the schema in
/// the prompt. When an endpoint refuses a `response_format` (an HTTP 400 or 422 that
/// names it), the adapter steps down to the next one, remembers it for later calls,
/// and sends the request again: a negotiation of what the server supports, not a
/// retry (retries belong to the policy layer).
///
/// The answer is validated locally against the request's schema whatever the
/// endpoint promised (`LLMAnswer`). A refusal (`message.refusal`, `finish_reason:
/// content_filter`) is a `refusal` error; prose, broken JSON or a schema violation an
/// `invalidAnswer` (a fallback chain repairs or moves on). HTTP errors are mapped in
/// `OpenAILanguageModel+Errors.swift`.
public struct OpenAILanguageModel: LanguageModel {
    public static let provider = "openai"

    /// How the JSON answer is asked for, from most to least structured.
    public enum ResponseFormat: String, Sendable, CaseIterable, Comparable {
        case jsonSchema = "json_schema"
        case jsonObject = "json_object"
        case text

        public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }

        /// The next, less structured format, or nil after plain text.
        var next: ResponseFormat? {
            let all = Self.allCases
            let i = all.firstIndex(of: self)! + 1
            return i < all.count ? all[i] : nil
        }
    }

    public struct Configuration: Sendable {
        /// The API root, ending in `/v1` for most servers (`https://api.openai.com/v1`).
        public var baseURL: String
        /// Sent as `Authorization: Bearer`; nil sends no header (local servers).
        public var apiKey: String?
        public var model: String
        public var timeout: Duration
        /// Output token limit per call; nil uses the request's `maxOutputTokens`.
        public var maxTokens: Int?
        public var temperature: Double?
        /// The preferred format; the adapter steps down from it when refused.
        public var responseFormat: ResponseFormat
        /// `max_completion_tokens` (OpenAI; reasoning models refuse `max_tokens`) or
        /// `max_tokens` (Mistral and most compatible servers, whose schemas have no other).
        public var maxTokensField: String

        public init(baseURL: String = OpenAILanguageModel.defaultBaseURL, apiKey: String? = nil, model: String,
                    timeout: Duration = .seconds(60), maxTokens: Int? = nil, temperature: Double? = nil,
                    responseFormat: ResponseFormat = .jsonSchema, maxTokensField: String? = nil) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.apiKey = apiKey
            self.model = model
            self.timeout = timeout
            self.maxTokens = maxTokens
            self.temperature = temperature
            self.responseFormat = responseFormat
            self.maxTokensField = maxTokensField ?? (URLParts(baseURL)?.host == "api.openai.com" ? "max_completion_tokens" : "max_tokens")
        }
    }

    public static let defaultBaseURL = "https://api.openai.com/v1"

    public let configuration: Configuration
    let transport: any HTTPTransport
    let logger: Logger
    /// The format this endpoint accepted last (or the configured one): shared by copies,
    /// so a refused format is asked for once per adapter, not once per call.
    let format: FormatMemory

    public init(_ configuration: Configuration, transport: any HTTPTransport = CurlTransport.shared,
                logger: Logger = Logger(label: "plugboard.llm.openai")) {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
        self.format = FormatMemory(configuration.responseFormat)
    }

    public func generate(_ request: LLMRequest) async throws -> LLMResponse {
        let started = ContinuousClock.now
        var format = self.format.current
        while true {
            let response = try await transport.send(httpRequest(request, format: format))
            if response.isSuccess {
                let (object, usage, model) = try answer(response, request: request, format: format)
                return LLMResponse(object: object, inputTokens: usage.input, outputTokens: usage.output,
                                   latency: ContinuousClock.now - started, provider: Self.provider, model: model)
            }
            let error = mapError(response)
            guard let weaker = format.next, refusesResponseFormat(response, error) else { throw error }
            logger.warning("endpoint refused response_format \(format.rawValue); using \(weaker.rawValue) from now on",
                           ["endpoint": URLParts(configuration.baseURL).map { "\($0.scheme)://\($0.authority)" } ?? "?",
                            "model": configuration.model])
            self.format.stepDown(to: weaker)
            format = weaker
        }
    }
}

/// The response format an endpoint accepts, learnt at run time.
final class FormatMemory: Sendable {
    private let state: Mutex<OpenAILanguageModel.ResponseFormat>
    init(_ initial: OpenAILanguageModel.ResponseFormat) { state = Mutex(initial) }
    var current: OpenAILanguageModel.ResponseFormat { state.withLock { $0 } }
    /// Only ever steps down, so concurrent calls that both saw a refusal agree.
    func stepDown(to format: OpenAILanguageModel.ResponseFormat) { state.withLock { $0 = max($0, format) } }
}
