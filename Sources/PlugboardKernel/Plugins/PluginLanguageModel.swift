/// A `LanguageModel` whose work is done by a run-time plugin, over the llm
/// operations of `plugboard_plugin.h` (contract version 1, docs/ADAPTERS.md).
///
/// The plugin answers with the model's `"text"` or an already parsed
/// `"object"`; either way the kernel extracts and validates the object against
/// the request's schema (`LLMAnswer`), so a plugin cannot hand the workflow an
/// answer that breaks it. Latency is measured here, around the call.
final class PluginLanguageModel: LanguageModel {
    let instance: PluginInstance

    init(instance: PluginInstance) { self.instance = instance }

    func generate(_ request: LLMRequest) async throws -> LLMResponse {
        let clock = ContinuousClock()
        let start = clock.now
        let r = try await instance.call("generate", [
            "task": .string(request.task), "system": request.system.map(JSON.string) ?? .null,
            "prompt": .string(request.prompt), "schema": request.schema, "max_output_tokens": JSON(request.maxOutputTokens),
        ])
        let latency = clock.now - start
        let object: JSON
        if let o = r["object"], o != .null {
            guard case .object = o else {
                throw PlugboardError.invalidAnswer("task \(request.task): the answer is a JSON \(o.typeName), not an object", adapter: instance.adapter)
            }
            object = try LLMAnswer.validated(o, against: request.schema, task: request.task, adapter: instance.adapter)
        } else if let text = r["text"]?.stringValue {
            object = try LLMAnswer.decode(text, for: request, adapter: instance.adapter)
        } else {
            throw instance.malformed("generate", expected: "{\"object\": {...}} or {\"text\": \"...\"}", got: r)
        }
        return LLMResponse(object: object, inputTokens: r["input_tokens"]?.intValue ?? 0, outputTokens: r["output_tokens"]?.intValue ?? 0,
                           latency: latency, provider: r["provider"]?.stringValue ?? instance.adapter,
                           model: r["model"]?.stringValue ?? instance.adapter)
    }
}

extension PluginLanguageModel: HealthChecking {
    /// The plugin's `check`; without one, no live check (a call would cost money).
    func check() async -> HealthCheck {
        await instance.pluginCheck() ?? .passed("plugin \(instance.library.path) loaded (it has no check operation)")
    }
}
