import Foundation
import PlugboardKernel

extension GeminiLanguageModel {
    public static let descriptor = AdapterDescriptor(
        port: .llm, name: "gemini",
        summary: "Google's Gemini API (generateContent) in JSON mode with a response schema.",
        fields: [
            ConfigField("base_url", .string, default: .string(defaultBaseURL), "API root with its version."),
            ConfigField("api_key", .string, secret: true,
                        "Sent as x-goog-api-key. Unset: $GEMINI_API_KEY when base_url is generativelanguage.googleapis.com."),
            ConfigField("model", .string, required: true, "Model name: gemini-2.5-flash, gemini-2.5-pro, ..."),
            ConfigField("timeout", .number, default: 60, "Seconds allowed for one call."),
            ConfigField("max_tokens", .integer, "Output token limit per call (default: what the task asks, 1024)."),
            ConfigField("temperature", .number, "Sampling temperature (default: the API's)."),
            ConfigField("schema_format", .choice(SchemaFormat.allCases.map(\.rawValue)), default: "openapi",
                        "openapi: responseSchema (every model); json_schema: responseJsonSchema (newer models, the schema as is)."),
        ],
        capabilities: ["json_schema", "network"])

    public static let registryEntry = Registry.Entry(descriptor, .llm { settings, _ in
        try GeminiLanguageModel(settings: settings)
    })

    /// Builds the adapter from validated settings. `$GEMINI_API_KEY` is used only for
    /// Google's own host, so the key never goes to another server by accident.
    public init(settings: AdapterSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
                transport: any HTTPTransport = CurlTransport.shared) throws {
        let base = settings.string("base_url") ?? Self.defaultBaseURL
        guard let parts = URLParts(base) else {
            throw settings.error("base_url", "expected an http:// or https:// URL, got \"\(base.prefix(80))\"")
        }
        let google = parts.host == "generativelanguage.googleapis.com"
        var key = settings.string("api_key") ?? ""
        if key.isEmpty, google { key = environment["GEMINI_API_KEY"] ?? "" }
        if key.isEmpty, google {
            throw settings.error("api_key", "required (set it, or the GEMINI_API_KEY environment variable)")
        }
        let timeout = settings.double("timeout") ?? 60
        guard timeout > 0 else { throw settings.error("timeout", "expected a positive number of seconds") }
        if let m = settings.int("max_tokens"), m <= 0 { throw settings.error("max_tokens", "expected a positive integer") }
        let configuration = Configuration(
            baseURL: base, apiKey: key, model: try settings.requireString("model"),
            timeout: .milliseconds(Int64(timeout * 1000)), maxTokens: settings.int("max_tokens"),
            temperature: settings.double("temperature"),
            schemaFormat: settings.string("schema_format").flatMap(SchemaFormat.init(rawValue:)) ?? .openAPI)
        self.init(configuration, transport: transport)
    }
}
