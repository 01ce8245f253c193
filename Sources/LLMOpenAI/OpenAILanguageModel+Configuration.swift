import Foundation
import PlugboardKernel

extension OpenAILanguageModel {
    public static let descriptor = AdapterDescriptor(
        port: .llm, name: "openai",
        summary: "Any OpenAI-compatible Chat Completions endpoint: OpenAI, Mistral, vLLM, Ollama, llama.cpp.",
        fields: LLMSettings.fields(
            defaultBaseURL: defaultBaseURL,
            baseURL: "API root: https://api.mistral.ai/v1, http://127.0.0.1:11434/v1 (Ollama), http://127.0.0.1:8000/v1 (vLLM), http://127.0.0.1:8080/v1 (llama.cpp).",
            apiKey: "Bearer key. Unset: $OPENAI_API_KEY for api.openai.com, $MISTRAL_API_KEY for api.mistral.ai, none elsewhere.",
            model: "Model name: gpt-4o-mini, mistral-small-latest, llama3.1, ...",
            temperature: "Sampling temperature (default: the server's).") + [
            ConfigField("response_format", .choice(ResponseFormat.allCases.map(\.rawValue)), default: "json_schema",
                        "How JSON is asked for; steps down to json_object, then text, when the endpoint refuses it."),
            ConfigField("max_tokens_field", .choice(["max_completion_tokens", "max_tokens"]),
                        "Request field for the output limit (default: max_completion_tokens for api.openai.com, else max_tokens)."),
        ],
        capabilities: ["json_schema", "network"])

    public static let registryEntry = Registry.Entry(descriptor, .llm { settings, context in
        try OpenAILanguageModel(settings: settings, logger: context.logger)
    })

    /// Builds the adapter from validated settings. The key falls back to the vendor's
    /// environment variable only for the vendor's own host, so a key is never sent to
    /// another server by accident.
    public init(settings: AdapterSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
                transport: any HTTPTransport = CurlTransport.shared, logger: Logger = Logger(label: "plugboard.llm.openai")) throws {
        let endpoint = try LLMSettings(settings, defaultBaseURL: Self.defaultBaseURL)
        let parts = endpoint.parts
        var key = settings.string("api_key")
        if key?.isEmpty ?? true {
            switch parts.host {
            case "api.openai.com": key = environment["OPENAI_API_KEY"]
            case "api.mistral.ai": key = environment["MISTRAL_API_KEY"]
            default: key = nil
            }
            if key?.isEmpty ?? true, parts.host == "api.openai.com" || parts.host == "api.mistral.ai" {
                let variable = parts.host == "api.openai.com" ? "OPENAI_API_KEY" : "MISTRAL_API_KEY"
                throw settings.error("api_key", "required for \(parts.host) (set it, or the \(variable) environment variable)")
            }
        }
        let call = try endpoint.call()
        let configuration = Configuration(
            baseURL: endpoint.baseURL, apiKey: key, model: call.model,
            timeout: call.timeout, maxTokens: call.maxTokens, temperature: call.temperature,
            responseFormat: settings.string("response_format").flatMap(ResponseFormat.init(rawValue:)) ?? .jsonSchema,
            maxTokensField: settings.string("max_tokens_field"))
        self.init(configuration, transport: transport, logger: logger)
    }
}
