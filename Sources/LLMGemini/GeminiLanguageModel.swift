import PlugboardKernel

/// The `gemini` language model: `POST {base_url}/models/{model}:generateContent`
/// (`x-goog-api-key`), with `generationConfig.responseMimeType: application/json`
/// and the request's schema as `responseSchema` (Gemini's OpenAPI-style subset,
/// converted by `GeminiSchema`) or, with `schema_format: json_schema`, as
/// `responseJsonSchema` (plain JSON Schema, newer models).
///
/// The answer is validated locally against the request's own schema (`LLMAnswer`),
/// whatever the conversion had to leave out. A blocked prompt (`promptFeedback.
/// blockReason`) or a safety stop (`finishReason` SAFETY, PROHIBITED_CONTENT, ...)
/// is a `refusal`; prose, broken JSON, a cut-off answer or a schema violation an
/// `invalidAnswer`. HTTP errors are mapped in `GeminiLanguageModel+Errors.swift`.
public struct GeminiLanguageModel: LanguageModel {
    public static let provider = "gemini"
    public static let defaultBaseURL = "https://generativelanguage.googleapis.com/v1beta"

    public enum SchemaFormat: String, Sendable, CaseIterable {
        /// `responseSchema`: the OpenAPI-style subset every Gemini model takes.
        case openAPI = "openapi"
        /// `responseJsonSchema`: the JSON Schema as given.
        case jsonSchema = "json_schema"
    }

    public struct Configuration: Sendable {
        /// The API root with its version (`https://generativelanguage.googleapis.com/v1beta`).
        public var baseURL: String
        public var apiKey: String
        /// The model name, without the `models/` prefix.
        public var model: String
        public var timeout: Duration
        public var maxTokens: Int?
        public var temperature: Double?
        public var schemaFormat: SchemaFormat

        public init(baseURL: String = GeminiLanguageModel.defaultBaseURL, apiKey: String, model: String,
                    timeout: Duration = .seconds(60), maxTokens: Int? = nil, temperature: Double? = nil,
                    schemaFormat: SchemaFormat = .openAPI) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.apiKey = apiKey
            self.model = model.hasPrefix("models/") ? String(model.dropFirst(7)) : model
            self.timeout = timeout
            self.maxTokens = maxTokens
            self.temperature = temperature
            self.schemaFormat = schemaFormat
        }
    }

    public let configuration: Configuration
    let transport: any HTTPTransport

    public init(_ configuration: Configuration, transport: any HTTPTransport = CurlTransport.shared) {
        self.configuration = configuration
        self.transport = transport
    }

    public func generate(_ request: LLMRequest) async throws -> LLMResponse {
        let started = ContinuousClock.now
        let response = try await transport.send(httpRequest(request))
        guard response.isSuccess else { throw mapError(response) }
        let (object, usage, model) = try answer(response, request: request)
        return LLMResponse(object: object, inputTokens: usage.input, outputTokens: usage.output,
                           latency: ContinuousClock.now - started, provider: Self.provider, model: model)
    }
}
