import LLMAnthropic
import LLMFallback
import LLMOpenAI
import PlugboardConformance
import PlugboardKernel
import Testing
import VendorFakes

/// The fallback chain over two scripted fakes, openai then anthropic, both answering
/// the same script: a failure of the first link reaches the second, and the chain's
/// error is what the last link said.
struct FallbackHarness: LanguageModelHarness {
    var capabilities: Set<LanguageModelConformance.Capability> { [.scripted] }

    func open(script: ScriptedAnswer?) async throws -> OpenedLanguageModel {
        let first = ScriptedLLMBackend(.openai, script: script)
        let second = ScriptedLLMBackend(.anthropic, script: script)
        let chain = FallbackLanguageModel(links: [
            .init(name: "openai (llm.chain[0])",
                  model: OpenAILanguageModel(.init(baseURL: "http://127.0.0.1:8000/v1", model: "local-model"), transport: first.transport)),
            .init(name: "anthropic (llm.chain[1])",
                  model: AnthropicLanguageModel(.init(apiKey: "sk-ant-test", model: "claude-sonnet-4-5"), transport: second.transport)),
        ])
        return OpenedLanguageModel(model: chain) { [first.requestCount, second.requestCount] }
    }
}

@Suite("fallback: llm conformance")
struct FallbackConformanceTests {
    @Test("openai then anthropic, both scripted", arguments: LanguageModelConformance.cases(for: FallbackHarness()))
    func conformance(_ c: LanguageModelConformance.Case) async throws {
        try await c.run(FallbackHarness())
    }

    @Test func everyCaseRuns() {
        #expect(LanguageModelConformance.cases(for: FallbackHarness()).map(\.name) == LanguageModelConformance.cases.map(\.name))
    }
}
