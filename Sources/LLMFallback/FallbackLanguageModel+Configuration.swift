import PlugboardKernel

extension FallbackLanguageModel {
    public static let descriptor = AdapterDescriptor(
        port: .llm, name: "fallback",
        summary: "An ordered chain of llm adapters: an invalid answer gets one repair, then the next link answers. End it with rules.",
        fields: [
            ConfigField("chain", .adapters(.llm), required: true,
                        "The models to try in order, each a full llm section with its own retry and rate_limit: [{\"adapter\": \"anthropic\", ...}, {\"adapter\": \"rules\"}]."),
            ConfigField("repair", .boolean, default: true,
                        "Ask a link once to repair an answer that is not JSON or breaks the schema before moving on."),
        ],
        capabilities: [AdapterDescriptor.nestedPolicies])

    public static let registryEntry = Registry.Entry(descriptor, .llm { settings, context in
        try await FallbackLanguageModel(settings: settings, context: context)
    })

    /// Builds every link through the registry, each under its own policy layer.
    public init(settings: AdapterSettings, context: AdapterContext) async throws {
        let sections = try FallbackLanguageModel.sections(settings, context)
        guard !sections.isEmpty else { throw settings.error("chain", "expected at least one llm section, e.g. [{\"adapter\": \"rules\"}]") }
        var links: [Link] = []
        for s in sections {
            let model = try await context.registry.makeLLM(s, context)
            let nested = context.registry.entry(port: .llm, name: s.adapter)?.descriptor.capabilities
                .contains(AdapterDescriptor.nestedPolicies) ?? false
            let policy = CallPolicy(settings: s, nested: nested, logger: context.logger)
            links.append(Link(name: "\(s.adapter) (\(s.path))", model: PolicyLanguageModel(model, policy: policy)))
        }
        self.init(links: links, repairs: settings.bool("repair") ?? true, logger: context.logger)
    }

    /// The chain's sections as the config loader validated them; a section built by
    /// hand (without `nested`) is validated here.
    static func sections(_ settings: AdapterSettings, _ context: AdapterContext) throws -> [AdapterSettings] {
        if let validated = settings.nested["chain"] { return validated }
        guard let items = settings.values["chain"]?.arrayValue else { throw settings.error("chain", "required, not set") }
        let loader = ConfigLoader(registry: context.registry)
        return try items.map { try loader.settings(port: .llm, section: $0, file: settings.file, directory: settings.directory) }
    }
}
