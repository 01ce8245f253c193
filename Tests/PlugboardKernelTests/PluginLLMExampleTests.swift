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

    /// What the example answers beyond the suite's schema: bounds, booleans, lengths, undeclared required fields,
    /// token counts of a quarter of the prompt's length, its provider and model names.
    @Test func answersFromTheSchemaItIsGiven() async throws {
        let schema: JSON = [
            "type": "object", "required": ["n", "x", "flag", "long", "short", "extra"],
            "properties": [
                "n": ["type": "integer", "minimum": 3, "maximum": 9],
                "x": ["type": "number", "exclusiveMinimum": 0.5, "maximum": 0.75],
                "flag": ["type": "boolean"],
                "long": ["type": "string", "minLength": 80],
                "short": ["type": "string", "minLength": 1, "maxLength": 3],
            ],
        ]
        let prompt = String(repeating: "é", count: 41)
        let model = try await SchemaLLMPluginHarness().open(script: nil).model
        let r = try await model.generate(LLMRequest(task: "t", prompt: prompt, schema: schema))
        #expect(r.object["n"]?.intValue == 3)
        #expect(r.object["x"]?.doubleValue == 0.625)
        #expect(r.object["flag"] == false)
        #expect(r.object["long"]?.stringValue?.count == 80)
        #expect(r.object["short"]?.stringValue == "Det")
        #expect(r.object["extra"]?.stringValue?.isEmpty == false)
        #expect(r.inputTokens == 10 && r.outputTokens > 0)
        #expect(r.provider == "example-schema-llm" && r.model == "schema-filler-1")
    }
}
