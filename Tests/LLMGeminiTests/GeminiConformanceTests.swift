import PlugboardConformance
import PlugboardKernel
import Testing
import VendorFakes
@testable import LLMGemini

/// The gemini adapter against a scripted generateContent fake.
struct GeminiHarness: LanguageModelHarness {
    var capabilities: Set<LanguageModelConformance.Capability> { [.scripted] }

    func open(script: ScriptedAnswer?) async throws -> OpenedLanguageModel {
        let backend = ScriptedLLMBackend(.gemini, script: script)
        let model = GeminiLanguageModel(.init(apiKey: "AIza-test", model: "models/gemini-2.5-flash"), transport: backend.transport)
        return OpenedLanguageModel(model: model) { [backend.requestCount] }
    }
}

@Suite("gemini: llm conformance")
struct GeminiConformanceTests {
    @Test("against the scripted fake", arguments: LanguageModelConformance.cases(for: GeminiHarness()))
    func conformance(_ c: LanguageModelConformance.Case) async throws {
        try await c.run(GeminiHarness())
    }

    @Test func everyCaseRuns() {
        #expect(LanguageModelConformance.cases(for: GeminiHarness()).map(\.name) == LanguageModelConformance.cases.map(\.name))
    }
}
