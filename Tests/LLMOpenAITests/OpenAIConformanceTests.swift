import PlugboardConformance
import PlugboardKernel
import Testing
import VendorFakes
@testable import LLMOpenAI

/// The openai adapter against a scripted Chat Completions fake.
struct OpenAIHarness: LanguageModelHarness {
    var capabilities: Set<LanguageModelConformance.Capability> { [.scripted] }

    func open(script: ScriptedAnswer?) async throws -> OpenedLanguageModel {
        let backend = ScriptedLLMBackend(.openai, script: script)
        let model = OpenAILanguageModel(.init(baseURL: "https://api.openai.com/v1", apiKey: "sk-test", model: "gpt-4o-mini"),
                                        transport: backend.transport)
        return OpenedLanguageModel(model: model) { [backend.requestCount] }
    }
}

@Suite("openai: llm conformance")
struct OpenAIConformanceTests {
    @Test("against the scripted fake", arguments: LanguageModelConformance.cases(for: OpenAIHarness()))
    func conformance(_ c: LanguageModelConformance.Case) async throws {
        try await c.run(OpenAIHarness())
    }

    @Test func everyCaseRuns() {
        #expect(LanguageModelConformance.cases(for: OpenAIHarness()).map(\.name) == LanguageModelConformance.cases.map(\.name))
    }
}
