import PlugboardKernel
import Synchronization

/// The `anthropic` language model: the Messages API (`POST {base_url}/v1/messages`,
/// `x-api-key`, `anthropic-version: 2023-06-01`).
///
/// JSON comes one of two ways (`json_mode`):
/// - `tool` (default; every model): one tool whose `input_schema` is the request's
///   schema, forced with `tool_choice: {type: "tool"}`; the answer is the `tool_use`
///   block's `input`.
/// - `structured_output` (recent models): `output_config.format` of type
///   `json_schema`; the answer is the text of the reply. When the API refuses it (an
///   HTTP 400 naming `output_config`), the adapter steps down to `tool` for good, as
///   a negotiation, not a retry.
///
/// The answer is validated locally against the request's schema (`LLMAnswer`).
/// `stop_reason: refusal` is a `refusal`; prose, broken JSON, a cut-off answer or a
/// schema violation an `invalidAnswer`. HTTP errors are mapped in
/// `AnthropicLanguageModel+Errors.swift` (529 `overloaded_error` → rate limited).
public struct AnthropicLanguageModel: LanguageModel {
    public static let provider = "anthropic"
    public static let defaultBaseURL = "https://api.anthropic.com"
    public static let apiVersion = "2023-06-01"

    public enum JSONMode: String, Sendable, CaseIterable {
        case tool
        case structuredOutput = "structured_output"
    }

    public struct Configuration: Sendable {
        /// The API root, without `/v1` (`https://api.anthropic.com`).
        public var baseURL: String
        public var apiKey: String
        public var model: String
        public var timeout: Duration
        /// Output token limit per call (`max_tokens` is required by the API); nil uses the request's.
        public var maxTokens: Int?
        public var temperature: Double?
        public var jsonMode: JSONMode

        public init(baseURL: String = AnthropicLanguageModel.defaultBaseURL, apiKey: String, model: String,
                    timeout: Duration = .seconds(60), maxTokens: Int? = nil, temperature: Double? = nil,
                    jsonMode: JSONMode = .tool) {
            var base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            if base.hasSuffix("/v1") { base.removeLast(3) }  // accept the root written either way
            self.baseURL = base
            self.apiKey = apiKey
            self.model = model
            self.timeout = timeout
            self.maxTokens = maxTokens
            self.temperature = temperature
            self.jsonMode = jsonMode
        }
    }

    public let configuration: Configuration
    let transport: any HTTPTransport
    let logger: Logger
    /// Set once structured output was refused: later calls use the forced tool. Shared by copies.
    let structuredOutputRefused = RefusalMemory()

    public init(_ configuration: Configuration, transport: any HTTPTransport = CurlTransport.shared,
                logger: Logger = Logger(label: "plugboard.llm.anthropic")) {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
    }

    public func generate(_ request: LLMRequest) async throws -> LLMResponse {
        let started = ContinuousClock.now
        var mode = configuration.jsonMode == .structuredOutput && !structuredOutputRefused.isSet
            ? JSONMode.structuredOutput : .tool
        while true {
            let response = try await transport.send(httpRequest(request, mode: mode))
            if response.isSuccess {
                let (object, usage, model) = try answer(response, request: request, mode: mode)
                return LLMResponse(object: object, inputTokens: usage.input, outputTokens: usage.output,
                                   latency: ContinuousClock.now - started, provider: Self.provider, model: model)
            }
            let error = mapError(response)
            guard mode == .structuredOutput, refusesStructuredOutput(response, error) else { throw error }
            logger.warning("structured output refused; forcing a tool from now on", ["model": configuration.model])
            structuredOutputRefused.set()
            mode = .tool
        }
    }
}

/// A flag set once and read by every call.
final class RefusalMemory: Sendable {
    private let flag = Mutex(false)
    var isSet: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { $0 = true } }
}
