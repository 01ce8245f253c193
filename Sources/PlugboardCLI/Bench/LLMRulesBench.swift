import Foundation
import LLMRules
import PlugboardKernel

/// Throughput of the `rules` language model as the workflow calls it: a rendered
/// prompt from the prompt library, the workflow's schema, the answer shaped and
/// validated; alone, under its policy layer, and as the last link of a fallback chain.
public enum LLMRulesBench {
    static let analyseSchema: JSON = [
        "type": "object", "required": ["sentiment", "category", "urgency", "summary"],
        "properties": [
            "sentiment": ["enum": ["positive", "neutral", "negative"]],
            "category": ["enum": ["late_delivery", "refund", "defective_product", "order_information", "unclassified"]],
            "urgency": ["enum": ["low", "medium", "high"]],
            "summary": ["type": "string", "maxLength": 300],
        ],
    ]

    static let replySchema: JSON = [
        "type": "object", "required": ["reply"],
        "properties": ["reply": ["type": "string", "minLength": 1], "subject": ["type": "string"]],
    ]

    static func requests() -> (analyse: [LLMRequest], draft: [LLMRequest]) {
        let prompts = PromptLibrary()
        let system = prompts.render("system", [:])
        let texts = RulesBench.texts()
        let analyse = texts.map { t in
            LLMRequest(task: "analyse", system: system, prompt: prompts.render("analyse", [
                "text": t, "channel": "email", "categories": "late_delivery, refund, defective_product, order_information",
                "fallback_category": "unclassified",
            ]), schema: analyseSchema)
        }
        let draft = texts.enumerated().map { i, t in
            let data: JSON = ["template": "Bonjour {{customer_name}},\n\nNous regardons votre commande{{order_ref}}.\n\nL'équipe support",
                              "customer_name": .string("Client \(i)"), "subject": "Votre commande"]
            return LLMRequest(task: "draft_reply", system: system, prompt: prompts.render("draft_reply", [
                "text": t, "category": "late_delivery", "data": data.serialized(pretty: true),
            ]), schema: replySchema)
        }
        return (analyse, draft)
    }

    public static func run(count: Int, registry: Registry, log: (String) -> Void) async throws {
        let (analyse, draft) = requests()
        let rules = RulesLanguageModel()
        let policed = PolicyLanguageModel(rules, policy: CallPolicy(port: .llm, adapter: "rules", metrics: AdapterMetrics()))
        let settings = try ConfigLoader(registry: registry, environment: [:])
            .settings(port: .llm, section: ["adapter": "fallback", "chain": [["adapter": "rules"]]])
        let chain = try await registry.makeLLM(settings, AdapterContext(registry: registry))

        for (name, model, requests) in [("analyse", rules as any LanguageModel, analyse), ("draft_reply", rules, draft),
                                        ("analyse, under its policy layer", policed, analyse),
                                        ("analyse, fallback chain [rules]", chain, analyse)] {
            for r in requests.prefix(16) { _ = try await model.generate(r) }  // warm up
            let started = ContinuousClock.now
            for i in 0..<count { _ = try await model.generate(requests[i % requests.count]) }
            let seconds = RulesBench.seconds(ContinuousClock.now - started)
            log("rules llm \(name): \(RulesBench.format(Double(count) / seconds)) calls/s (1 task)")
        }

        // Both cores: the adapter is a value type with no shared mutable state.
        let tasks = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let per = max(1, count / tasks)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<tasks {
                group.addTask {
                    for i in 0..<per { _ = try await rules.generate(analyse[(i + t) % analyse.count]) }
                }
            }
            try await group.waitForAll()
        }
        let seconds = RulesBench.seconds(ContinuousClock.now - started)
        log("rules llm analyse: \(RulesBench.format(Double(per * tasks) / seconds)) calls/s (\(tasks) tasks)")
    }
}
