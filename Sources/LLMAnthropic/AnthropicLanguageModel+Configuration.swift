import Foundation
import PlugboardKernel

extension AnthropicLanguageModel {
    public static let descriptor = AdapterDescriptor(
        port: .llm, name: "anthropic",
        summary: "Anthropic's Messages API; JSON through a forced tool or structured output.",
        fields: LLMSettings.fields(
            defaultBaseURL: defaultBaseURL, baseURL: "API root (without /v1).",
            apiKey: "Sent as x-api-key. Unset: $ANTHROPIC_API_KEY when base_url is api.anthropic.com.",
            model: "Model name: claude-sonnet-4-5, claude-haiku-4-5, ...",
            temperature: "Sampling temperature (default: the API's).") + [
            ConfigField("json_mode", .choice(JSONMode.allCases.map(\.rawValue)), default: "tool",
                        "tool: a forced tool call (every model); structured_output: output_config.format (recent models; steps down to tool when refused)."),
        ],
        capabilities: ["json_schema", "network"])

    public static let registryEntry = Registry.Entry(descriptor, .llm { settings, context in
        try AnthropicLanguageModel(settings: settings, logger: context.logger)
    })

    /// Builds the adapter from validated settings. `$ANTHROPIC_API_KEY` is used only
    /// for Anthropic's own host, so the key never goes to another server by accident.
    public init(settings: AdapterSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
                transport: any HTTPTransport = CurlTransport.shared, logger: Logger = Logger(label: "plugboard.llm.anthropic")) throws {
        let endpoint = try LLMSettings(settings, defaultBaseURL: Self.defaultBaseURL)
        let key = try endpoint.apiKey(environment: environment, host: "api.anthropic.com", variable: "ANTHROPIC_API_KEY")
        let call = try endpoint.call()
        let configuration = Configuration(
            baseURL: endpoint.baseURL, apiKey: key, model: call.model,
            timeout: call.timeout, maxTokens: call.maxTokens, temperature: call.temperature,
            jsonMode: settings.string("json_mode").flatMap(JSONMode.init(rawValue:)) ?? .tool)
        self.init(configuration, transport: transport, logger: logger)
    }
}
