import LLMRules
import PlugboardConformance
import PlugboardKernel
import Testing

/// The rules adapter: no backend to script, so the generic cases only.
struct RulesHarness: LanguageModelHarness {
    var capabilities: Set<LanguageModelConformance.Capability> { [] }

    func open(script: ScriptedAnswer?) async throws -> OpenedLanguageModel {
        guard script == nil else { throw PlugboardError(.unsupported, "the rules model cannot be scripted", adapter: "rules") }
        return OpenedLanguageModel(model: RulesLanguageModel())
    }
}

@Suite("rules: llm conformance")
struct RulesConformanceTests {
    @Test("generic cases", arguments: LanguageModelConformance.cases(for: RulesHarness()))
    func conformance(_ c: LanguageModelConformance.Case) async throws {
        try await c.run(RulesHarness())
    }

    @Test func theGenericCasesOnlyRun() {
        let names = LanguageModelConformance.cases(for: RulesHarness()).map(\.name)
        #expect(names == LanguageModelConformance.genericCaseNames)
        #expect(names.count == 4 && names.count < LanguageModelConformance.cases.count)
    }

    @Test func aScriptedCaseFailsRatherThanPassesWithoutItsCapability() async throws {
        let scripted = try #require(LanguageModelConformance.cases.first { !$0.requires.isEmpty })
        await #expect(throws: ConformanceFailure.self) { try await scripted.run(RulesHarness()) }
    }
}
