import Foundation
import PlugboardKernel

extension AnthropicLanguageModel {
    public static let descriptor = AdapterDescriptor(
        port: .llm, name: "anthropic",
        summary: "Anthropic's Messages API; JSON through a forced tool or structured output.",
        fields: [
            ConfigField("base_url", .string, default: .string(defaultBaseURL), "API root (without /v1)."),
            ConfigField("api_key", .string, secret: true,
                        "Sent as x-api-key. Unset: $ANTHROPIC_API_KEY when base_url is api.anthropic.com."),
            ConfigField("model", .string, required: true, "Model name: claude-sonnet-4-5, claude-haiku-4-5, ..."),
            ConfigField("timeout", .number, default: 60, "Seconds allowed for one call."),
            ConfigField("max_tokens", .integer, "Output token limit per call (default: what the task asks, 1024)."),
            ConfigField("temperature", .number, "Sampling temperature (default: the API's)."),
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
        let base = settings.string("base_url") ?? Self.defaultBaseURL
        guard let parts = URLParts(base) else {
            throw settings.error("base_url", "expected an http:// or https:// URL, got \"\(base.prefix(80))\"")
        }
        var key = settings.string("api_key") ?? ""
        if key.isEmpty, parts.host == "api.anthropic.com" { key = environment["ANTHROPIC_API_KEY"] ?? "" }
        if key.isEmpty, parts.host == "api.anthropic.com" {
            throw settings.error("api_key", "required (set it, or the ANTHROPIC_API_KEY environment variable)")
        }
        let timeout = settings.double("timeout") ?? 60
        guard timeout > 0 else { throw settings.error("timeout", "expected a positive number of seconds") }
        if let m = settings.int("max_tokens"), m <= 0 { throw settings.error("max_tokens", "expected a positive integer") }
        let configuration = Configuration(
            baseURL: base, apiKey: key, model: try settings.requireString("model"),
            timeout: .milliseconds(Int64(timeout * 1000)), maxTokens: settings.int("max_tokens"),
            temperature: settings.double("temperature"),
            jsonMode: settings.string("json_mode").flatMap(JSONMode.init(rawValue:)) ?? .tool)
        self.init(configuration, transport: transport, logger: logger)
    }
}
