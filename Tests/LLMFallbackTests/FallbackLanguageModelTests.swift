import Foundation
import LLMFallback
import PlugboardKernel
import Testing

@Suite("fallback: repair once, then the next link; rules always answers")
struct FallbackLanguageModelTests {
    @Test func proseGetsOneRepairThenTheNextProviderAnswers() async throws {
        let fakes = VendorFakes(openai: [chatCompletion("The customer is clearly upset about a late order.")])
        let chain = try await fakes.model(["adapter": "fallback", "chain": [openAISection(), ["adapter": "rules"]]])
        let r = try await chain.generate(analyseRequest)
        #expect(r.provider == "rules")
        #expect(r.object["category"] == "late_delivery", "\(r.object.serialized())")
        #expect(try JSONSchemaValidator(schema: analyseSchema).validate(r.object).isEmpty)

        #expect(fakes.openai.requests.count == 2, "the answer, then one repair")
        let repair = userPrompt(fakes.openai.requests[1])
        #expect(repair.hasPrefix(userPrompt(fakes.openai.requests[0])), "the repair repeats the request")
        #expect(repair.contains("Your previous answer could not be used") && repair.contains("prose"))
    }

    @Test func schemaBreakingJSONIsRepairedOnTheSameLink() async throws {
        let fakes = VendorFakes(openai: [
            chatCompletion(#"{"sentiment": "furious", "category": "late_delivery", "urgency": "high", "summary": "Late."}"#),
            chatCompletion(goodAnswer.serialized()),
        ])
        let chain = try await fakes.model(["adapter": "fallback", "chain": [openAISection(), ["adapter": "rules"]]])
        let r = try await chain.generate(analyseRequest)
        #expect(r.provider == "openai" && r.object == goodAnswer)
        #expect(r.inputTokens == 300 && r.outputTokens == 40)
        #expect(fakes.openai.requests.count == 2)
        let repair = userPrompt(fakes.openai.requests[1])
        #expect(repair.contains("/sentiment") && repair.contains("furious"), "the violations go back to the model: \(repair)")
    }

    @Test func anAnswerStillBrokenAfterItsRepairMovesOn() async throws {
        let fakes = VendorFakes(
            openai: [chatCompletion(#"{"sentiment": "negative"}"#)],
            anthropic: [anthropicMessage(tool: goodAnswer)])
        let chain = try await fakes.model(["adapter": "fallback", "chain": [openAISection(), anthropicSection(), ["adapter": "rules"]]])
        let r = try await chain.generate(analyseRequest)
        #expect(r.provider == "anthropic" && r.object == goodAnswer)
        #expect(fakes.openai.requests.count == 2 && fakes.anthropic.requests.count == 1)
    }

    @Test func aRefusalMovesOnWithoutARepair() async throws {
        let fakes = VendorFakes(anthropic: [anthropicMessage(stop: "refusal")], gemini: [geminiAnswer(goodAnswer.serialized())])
        let chain = try await fakes.model(["adapter": "fallback", "chain": [anthropicSection(), geminiSection()]])
        let r = try await chain.generate(analyseRequest)
        #expect(r.provider == "gemini" && r.object == goodAnswer)
        #expect(fakes.anthropic.requests.count == 1)
    }

    @Test func aContextTooLongIsNotRetriedAndTheNextLinkAnswers() async throws {
        let fakes = VendorFakes(openai: [openAIError(400, "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.",
                                                     code: "context_length_exceeded")])
        let chain = try await fakes.model(["adapter": "fallback", "chain": [openAISection(), ["adapter": "rules"]]])
        let r = try await chain.generate(analyseRequest)
        #expect(r.provider == "rules")
        #expect(fakes.openai.requests.count == 1, "invalid input is not retried, though the link allows 3 attempts")
    }

    @Test func aRateLimitIsRetriedInsideTheLinkBeforeTheChainMovesOn() async throws {
        let fakes = VendorFakes(gemini: [
            geminiError(429, "RESOURCE_EXHAUSTED", "Quota exceeded",
                        details: [["@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0s"]]),
            geminiAnswer(goodAnswer.serialized()),
        ])
        let chain = try await fakes.model(["adapter": "fallback", "chain": [geminiSection(), ["adapter": "rules"]]])
        let r = try await chain.generate(analyseRequest)
        #expect(r.provider == "gemini")
        #expect(fakes.gemini.requests.count == 2)
    }

    @Test func rulesAlwaysAnswersAtTheEnd() async throws {
        let fakes = VendorFakes(
            anthropic: [anthropicError(401, "authentication_error", "invalid x-api-key")],
            gemini: [geminiError(500, "INTERNAL", "An internal error has occurred.")])
        let chain = try await fakes.model(["adapter": "fallback", "chain": [anthropicSection(), geminiSection(), ["adapter": "rules"]]])
        let r = try await chain.generate(analyseRequest)
        #expect(r.provider == "rules" && r.model == "rules-v1")
        #expect(fakes.anthropic.requests.count == 1, "a bad key is not retried")
        #expect(fakes.gemini.requests.count == 3, "an outage is retried by the link's own layer (max_attempts 3)")
    }

    @Test func whenEveryLinkFailsTheErrorListsThemAll() async throws {
        let fakes = VendorFakes(
            openai: [openAIError(503, "The engine is currently overloaded", code: nil)],
            anthropic: [anthropicError(401, "authentication_error", "invalid x-api-key")])
        let chain = try await fakes.model(["adapter": "fallback",
                                           "chain": [openAISection(["retry": ["max_attempts": 1]]), anthropicSection()]])
        do {
            _ = try await chain.generate(analyseRequest)
            Issue.record("expected every link to fail")
        } catch let e as PlugboardError {
            #expect(e.adapter == "fallback")
            #expect(e.message.contains("1. openai (llm.chain[0]): rateLimited") && e.message.contains("2. anthropic (llm.chain[1]): unauthenticated"),
                    "\(e.message)")
            #expect(e.isRetryable, "an overloaded provider may be back later")
        }
    }

    @Test func repairCanBeTurnedOff() async throws {
        let fakes = VendorFakes(openai: [chatCompletion("Not JSON at all.")])
        let chain = try await fakes.model(["adapter": "fallback", "repair": false, "chain": [openAISection(), ["adapter": "rules"]]])
        #expect(try await chain.generate(analyseRequest).provider == "rules")
        #expect(fakes.openai.requests.count == 1)
    }
}

@Suite("fallback: configuration and wiring")
struct FallbackConfigurationTests {
    @Test func nestedSectionsAreValidatedWithTheirPaths() throws {
        let loader = ConfigLoader(registry: VendorFakes().registry, environment: [:])
        let text = """
        {"llm": {"adapter": "fallback", "chain": [{"adapter": "gpt"}, {"adapter": "anthropic", "api_key": "k"}, {"adapter": "rules", "colour": 1}]}}
        """
        do {
            _ = try loader.load(bytes: Array(text.utf8), file: "adapters.json", directory: "/tmp")
            Issue.record("expected errors")
        } catch let e as PlugboardError {
            #expect(e.message.contains("adapters.json: llm.chain[0].adapter: unknown llm adapter \"gpt\"; known: anthropic, fallback, gemini, openai, rules"), "\(e.message)")
            #expect(e.message.contains("adapters.json: llm.chain[1].model: required"))
            #expect(e.message.contains("adapters.json: llm.chain[2].colour: unknown field"))
        }
    }

    @Test func nestedSecretsComeFromTheEnvironmentAndAreRedacted() throws {
        let loader = ConfigLoader(registry: VendorFakes().registry, environment: ["ANTHROPIC_KEY": "sk-ant-secret"])
        let text = """
        {"llm": {"adapter": "fallback", "chain": [{"adapter": "anthropic", "api_key": "${ANTHROPIC_KEY}", "model": "claude-sonnet-4-5"}, {"adapter": "rules"}]}}
        """
        let config = try loader.load(bytes: Array(text.utf8), file: "adapters.json", directory: "/tmp")
        let llm = try config.require(.llm)
        let links = try #require(llm.nested["chain"])
        #expect(links.map(\.adapter) == ["anthropic", "rules"])
        #expect(links[0].path == "llm.chain[0]" && links[0].string("api_key") == "sk-ant-secret")
        #expect(links[0].string("base_url") == "https://api.anthropic.com", "defaults applied to nested sections")
        let shown = config.redacted.serialized()
        #expect(!shown.contains("sk-ant-secret") && shown.contains("\"api_key\":\"***\""))
    }

    @Test func theKernelBuildsTheChainUnderALayerThatDoesNotRetry() async throws {
        let fakes = VendorFakes(openai: [openAIError(500, "boom", code: nil)])
        let text = """
        {"storage": {"adapter": "memory"}, "llm": {"adapter": "fallback", "chain": [
          {"adapter": "openai", "base_url": "http://127.0.0.1:8000/v1", "model": "m", "retry": {"max_attempts": 2, "base_delay": 0.001}},
          {"adapter": "rules"}]}}
        """
        var registry = fakes.registry
        registry.register(MemoryStore.registryEntry)
        let config = try ConfigLoader(registry: registry, environment: [:]).load(bytes: Array(text.utf8), file: "adapters.json", directory: "/tmp")
        let adapters = Adapters(config: config, registry: registry, metrics: AdapterMetrics())
        let llm = try await adapters.llm()
        let outer = try #require(llm as? PolicyLanguageModel)
        #expect(outer.policy.retry.maxAttempts == 1, "retrying the chain would retry every link again")
        #expect(try await llm.generate(analyseRequest).provider == "rules")
        #expect(fakes.openai.requests.count == 2, "the link's own layer: 2 attempts, no more")
    }

    @Test func anEmptyChainIsRefused() async throws {
        let fakes = VendorFakes()
        await #expect(throws: PlugboardError.self) { _ = try await fakes.model(["adapter": "fallback", "chain": []]) }
    }
}
