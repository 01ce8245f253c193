import PlugboardConformance
import PlugboardKernel
import Testing

/// The schema-llm example plugin, loaded from adapters.json, under the policy layer.
/// Its model calls no backend, so nothing can be scripted: the generic cases only.
struct SchemaLLMPluginHarness: LanguageModelHarness {
    var capabilities: Set<LanguageModelConformance.Capability> { [] }

    func open(script: ScriptedAnswer?) async throws -> OpenedLanguageModel {
        guard script == nil else {
            throw PlugboardError(.unsupported, "the schema-llm example cannot be scripted", adapter: "example-schema-llm")
        }
        let lib = try PluginBuilds.example(folder: "plugin-schema-llm")
        let config = try PluginBuilds.config(#"""
            {"plugins": ["\#(lib)"], "storage": {"adapter": "memory"}, "llm": {"adapter": "example-schema-llm"}}
            """#)
        return OpenedLanguageModel(model: try await Adapters(config: config, registry: Registry([MemoryStore.registryEntry])).llm())
    }
}

@Suite("the schema-llm example plugin: llm conformance")
struct PluginLLMExampleTests {
    @Test("generic cases", arguments: LanguageModelConformance.cases(for: SchemaLLMPluginHarness()))
    func llmConformance(_ c: LanguageModelConformance.Case) async throws {
        try await c.run(SchemaLLMPluginHarness())
    }

    @Test func theGenericCasesOnlyRun() {
        let names = LanguageModelConformance.cases(for: SchemaLLMPluginHarness()).map(\.name)
        #expect(names == LanguageModelConformance.genericCaseNames)
        #expect(names.count == 4 && names.count < LanguageModelConformance.cases.count)
    }
}
