/// The configuration every HTTP llm adapter (openai, anthropic, gemini) shares:
/// the field declarations and the settings → values code for `base_url`,
/// `api_key`, `model`, `timeout`, `max_tokens` and `temperature`. Each vendor
/// still writes its own defaults and descriptions; only the shape is shared.
///
/// Reading happens in the order the adapters validate (`base_url`, then the
/// vendor's key rules, then `call()`), so a section with several mistakes
/// reports the same one first as before.
public struct LLMSettings: Sendable {
    public let settings: AdapterSettings
    /// `base_url` as written, or the vendor's default.
    public let baseURL: String
    public let parts: URLParts

    /// Reads and checks `base_url`.
    public init(_ settings: AdapterSettings, defaultBaseURL: String) throws {
        let base = settings.string("base_url") ?? defaultBaseURL
        guard let parts = URLParts(base) else {
            throw settings.error("base_url", "expected an http:// or https:// URL, got \"\(base.prefix(80))\"")
        }
        self.settings = settings
        self.baseURL = base
        self.parts = parts
    }

    /// `api_key`, falling back to `$variable` only when `base_url` is the vendor's own
    /// `host` (so a key never goes to another server by accident), where it is required.
    public func apiKey(environment: [String: String], host: String, variable: String) throws -> String {
        var key = settings.string("api_key") ?? ""
        if key.isEmpty, parts.host == host { key = environment[variable] ?? "" }
        if key.isEmpty, parts.host == host {
            throw settings.error("api_key", "required (set it, or the \(variable) environment variable)")
        }
        return key
    }

    /// The per-call values: `model` (required), `timeout` (seconds, default 60),
    /// `max_tokens` and `temperature`.
    public struct Call: Sendable {
        public var model: String
        public var timeout: Duration
        public var maxTokens: Int?
        public var temperature: Double?
    }

    /// Reads and checks the per-call values.
    public func call() throws -> Call {
        let timeout = settings.double("timeout") ?? 60
        guard timeout > 0 else { throw settings.error("timeout", "expected a positive number of seconds") }
        if let m = settings.int("max_tokens"), m <= 0 { throw settings.error("max_tokens", "expected a positive integer") }
        return Call(model: try settings.requireString("model"), timeout: .milliseconds(Int64(timeout * 1000)),
                    maxTokens: settings.int("max_tokens"), temperature: settings.double("temperature"))
    }

    /// The shared fields, in the order the docs list them, with each vendor's descriptions.
    public static func fields(defaultBaseURL: String, baseURL: String, apiKey: String, model: String,
                              temperature: String) -> [ConfigField] {
        [
            ConfigField("base_url", .string, default: .string(defaultBaseURL), baseURL),
            ConfigField("api_key", .string, secret: true, apiKey),
            ConfigField("model", .string, required: true, model),
            ConfigField("timeout", .number, default: 60, "Seconds allowed for one call."),
            ConfigField("max_tokens", .integer, "Output token limit per call (default: what the task asks, 1024)."),
            ConfigField("temperature", .number, temperature),
        ]
    }
}
