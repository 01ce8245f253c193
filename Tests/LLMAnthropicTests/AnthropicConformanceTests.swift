import PlugboardConformance
import PlugboardKernel
import Testing
import VendorFakes
@testable import LLMAnthropic

/// The anthropic adapter against a scripted Messages API fake, in one JSON mode.
struct AnthropicHarness: LanguageModelHarness {
    var mode: AnthropicLanguageModel.JSONMode
    var capabilities: Set<LanguageModelConformance.Capability> { [.scripted] }

    func open(script: ScriptedAnswer?) async throws -> OpenedLanguageModel {
        let backend = ScriptedLLMBackend(.anthropic, script: script)
        let model = AnthropicLanguageModel(.init(apiKey: "sk-ant-test", model: "claude-sonnet-4-5", jsonMode: mode),
                                           transport: backend.transport)
        return OpenedLanguageModel(model: model) { [backend.requestCount] }
    }
}

@Suite("anthropic: llm conformance")
struct AnthropicConformanceTests {
    @Test("forced tool, against the scripted fake", arguments: LanguageModelConformance.cases(for: AnthropicHarness(mode: .tool)))
    func tool(_ c: LanguageModelConformance.Case) async throws {
        try await c.run(AnthropicHarness(mode: .tool))
    }

    @Test("structured output, against the scripted fake",
          arguments: LanguageModelConformance.cases(for: AnthropicHarness(mode: .structuredOutput)))
    func structuredOutput(_ c: LanguageModelConformance.Case) async throws {
        try await c.run(AnthropicHarness(mode: .structuredOutput))
    }

    @Test func everyCaseRuns() {
        for mode in [AnthropicLanguageModel.JSONMode.tool, .structuredOutput] {
            #expect(LanguageModelConformance.cases(for: AnthropicHarness(mode: mode)).map(\.name)
                    == LanguageModelConformance.cases.map(\.name))
        }
    }
}
