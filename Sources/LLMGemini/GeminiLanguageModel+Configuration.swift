import Foundation
import PlugboardKernel

extension GeminiLanguageModel {
    public static let descriptor = AdapterDescriptor(
        port: .llm, name: "gemini",
        summary: "Google's Gemini API (generateContent) in JSON mode with a response schema.",
        fields: LLMSettings.fields(
            defaultBaseURL: defaultBaseURL, baseURL: "API root with its version.",
            apiKey: "Sent as x-goog-api-key. Unset: $GEMINI_API_KEY when base_url is generativelanguage.googleapis.com.",
            model: "Model name: gemini-2.5-flash, gemini-2.5-pro, ...",
            temperature: "Sampling temperature (default: the API's).") + [
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
        let endpoint = try LLMSettings(settings, defaultBaseURL: Self.defaultBaseURL)
        let key = try endpoint.apiKey(environment: environment, host: "generativelanguage.googleapis.com", variable: "GEMINI_API_KEY")
        let call = try endpoint.call()
        let configuration = Configuration(
            baseURL: endpoint.baseURL, apiKey: key, model: call.model,
            timeout: call.timeout, maxTokens: call.maxTokens, temperature: call.temperature,
            schemaFormat: settings.string("schema_format").flatMap(SchemaFormat.init(rawValue:)) ?? .openAPI)
        self.init(configuration, transport: transport)
    }
}
