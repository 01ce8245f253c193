import LLMRules
import PlugboardKernel
import Testing

/// The adapter's contract: registry entry and settings, usage, determinism, and answers
/// that always validate against the request's schema (or a clear error).
@Suite("rules model: adapter")
struct RulesLanguageModelTests {
    let model = RulesLanguageModel()

    @Test func descriptorAndRegistryEntry() async throws {
        let d = RulesLanguageModel.descriptor
        #expect(d.port == .llm)
        #expect(d.name == "rules")
        #expect(d.fields.map(\.name) == ["categories", "language"])
        #expect(d.fields[1].kind == .choice(["fr", "en", "auto"]))
        #expect(d.fields[1].defaultValue == "auto")
        let registry = Registry([RulesLanguageModel.registryEntry])
        let settings = AdapterSettings(port: .llm, adapter: "rules", values: ["language": "en"])
        let built = try await registry.makeLLM(settings, AdapterContext(registry: registry))
        let r = try await built.generate(LLMRequest(task: "classify", prompt: "my refund please", schema: Schemas.classify))
        #expect(r.object["category"] == "refund")
    }

    @Test func usageLatencyProviderAndModel() async throws {
        let prompt = String(repeating: "a", count: 398) + "é!"
        let r = try await model.generate(LLMRequest(task: "analyse", system: "sys!", prompt: prompt, schema: Schemas.analyse))
        #expect(r.provider == "rules")
        #expect(r.model == "rules-v1")
        #expect(r.inputTokens == 101)  // (400 + 4) characters / 4
        #expect(r.outputTokens == (r.object.serialized().count + 3) / 4)
        #expect(r.latency > .zero && r.latency < .seconds(1))
    }

    @Test func sameInputSameOutput() async throws {
        let text = "URGENT : commande #991 reçue cassée, je veux un remboursement. Not happy at all!!"
        let other = RulesLanguageModel()
        for task in ["classify", "analyse", "draft_reply"] {
            let schema = task == "classify" ? Schemas.classify : task == "analyse" ? Schemas.analyse : Schemas.reply
            let a = try await model.answer(task, text, schema: schema)
            let b = try await model.answer(task, text, schema: schema)
            let c = try await other.answer(task, text, schema: schema)
            #expect(a.serializedBytes() == b.serializedBytes())
            #expect(a.serializedBytes() == c.serializedBytes())
        }
    }

    @Test func configuredKeywordsReplaceTheBuiltInSets() async throws {
        let settings = AdapterSettings(port: .llm, adapter: "rules", values: [
            "categories": [
                "billing": ["facture*", "invoice", "payment"],
                "bug": ["keywords": ["crash", "plantage"], "task": true],
            ],
            "language": "fr",
        ])
        let custom = try RulesLanguageModel(settings: settings)
        let schema: JSON = ["type": "object", "required": ["category"], "properties": ["category": ["type": "string"]]]
        #expect(try await custom.answer("classify", "Où est ma facture ?", schema: schema)["category"] == "billing")
        #expect(try await custom.answer("classify", "L'appli PLANTAGE au démarrage", schema: schema)["category"] == "bug")
        // The built-in categories are gone: a late parcel is no longer recognised.
        let late = try await custom.answer("classify", "Mon colis est en retard", schema: schema)
        #expect(late["category"] == "unclassified")
        #expect(late["ambiguous"] == true)
    }

    @Test func badSettingsAreConfigurationErrorsWithTheirPath() {
        let bad = AdapterSettings(port: .llm, adapter: "rules", values: ["categories": ["x": ["ab*"]]], path: "llm")
        #expect {
            _ = try RulesLanguageModel(settings: bad)
        } throws: { error in
            let e = error as? PlugboardError
            return e?.code == .invalidConfiguration && e?.adapter == "rules"
                && e?.message == "adapters.json: llm.categories.x[0]: \"ab*\": a prefix before * needs at least 3 letters"
        }
    }

    @Test func theSchemaPicksTheBuiltInCategorySet() async throws {
        let schema: JSON = [
            "type": "object", "required": ["category", "ambiguous"],
            "properties": ["category": ["enum": ["SUPPORT", "MODELISATION"]], "ambiguous": ["type": "boolean"]],
        ]
        let support = try await model.answer("classify", "The CSV export fails with an error since this morning", schema: schema)
        #expect(support["category"] == "SUPPORT")
        #expect(support["ambiguous"] == false)
        let modelling = try await model.answer("classify", "Could you help me model the pricing scenario? The numbers look off.", schema: schema)
        #expect(modelling["category"] == "MODELISATION")
    }

    @Test func promptConventions() async throws {
        // Instructions around the ticket mention other categories; only the ticket counts.
        let wrapped = "Classify into refund, defective_product or late_delivery.\n<ticket>Mon colis n'est jamais arrivé</ticket>"
        #expect(try await model.classify(wrapped)["category"] == "late_delivery")
        let json = #"{"subject": "Remboursement", "description": "Merci de me rembourser la commande 4242"}"#
        let o = try await model.analyse(json)
        #expect(o["category"] == "refund")
        #expect(o["order_number"] == "4242")
    }

    // MARK: - Schema fitting and validation

    @Test func answersAreMappedOntoTheSchemaVocabulary() async throws {
        let schema: JSON = [
            "type": "object", "additionalProperties": false,
            "required": ["analytics"],
            "properties": ["analytics": ["$ref": "#/$defs/analytics"]],
            "$defs": ["analytics": [
                "type": "object", "additionalProperties": false,
                "required": ["sentiment", "urgency", "category", "summary", "confidence"],
                "properties": [
                    "sentiment": ["enum": ["positif", "neutre", "négatif"]],
                    "urgency": ["enum": ["basse", "moyenne", "haute"]],
                    "category": ["enum": ["LATE_DELIVERY", "REFUND", "DEFECTIVE_PRODUCT", "ORDER_INFORMATION", "AUTRE"]],
                    "summary": ["type": "string", "maxLength": 20],
                    "confidence": ["type": "integer", "minimum": 0, "maximum": 100],
                ],
            ]],
        ]
        let o = try await model.answer("analyse_ticket", "Je suis furieux, mon colis est en retard, c'est urgent.", schema: schema)
        #expect(o == ["analytics": [
            "sentiment": "négatif", "urgency": "haute", "category": "LATE_DELIVERY", "summary": "Je suis furieux, mo…",
            "confidence": 75,
        ]])
        #expect(try JSONSchemaValidator(schema: schema).validate(o).isEmpty)
        let none = try await model.answer("analyse_ticket", "Bonjour", schema: schema)
        #expect(none["analytics"]?["category"] == "AUTRE")
    }

    @Test func otherTasksFillRequiredFieldsByTheirUsualNames() async throws {
        let schema: JSON = [
            "type": "object", "required": ["priority", "mood", "keywords", "lang", "version"],
            "properties": ["priority": ["type": "string"], "mood": ["type": "string"], "keywords": ["type": "array"],
                           "lang": ["type": "string"], "version": ["const": 1]],
        ]
        let o = try await model.answer("triage", "I want a refund ASAP, this is unacceptable", schema: schema)
        #expect(o["priority"] == "high")
        #expect(o["mood"] == "negative")
        #expect(o["keywords"] == ["refund*"])
        #expect(o["lang"] == "en")
        #expect(o["version"] == 1)
    }

    @Test func aFieldTheRulesCannotFillIsUnsupported() async {
        let schema: JSON = ["type": "object", "required": ["translation"], "properties": ["translation": ["type": "string"]]]
        await #expect {
            _ = try await model.answer("translate", "Bonjour", schema: schema)
        } throws: { error in
            let e = error as? PlugboardError
            return e?.code == .unsupported && e?.adapter == "rules"
                && e?.message.hasPrefix("task translate: the rules cannot fill the required field /translation") == true
        }
    }

    @Test func anAnswerThatWouldNotValidateIsAnErrorNotAReturn() async {
        // The schema only allows categories the rules never produce.
        let schema: JSON = [
            "type": "object", "required": ["category"],
            "properties": ["category": ["enum": ["billing", "shipping"]]],
        ]
        await #expect {
            _ = try await model.answer("classify", "Mon colis est en retard", schema: schema)
        } throws: { error in
            let e = error as? PlugboardError
            return e?.code == .unsupported
                && e?.message == "task classify: the rules cannot produce an answer matching the schema:\n"
                    + "- /category: expected one of billing, shipping, got \"late_delivery\""
        }
    }

    @Test func aBrokenSchemaIsReportedAsSuch() async {
        await #expect {
            _ = try await model.answer("classify", "x", schema: ["type": "objet"])
        } throws: { error in
            let e = error as? PlugboardError
            return e?.code == .invalidInput && e?.message.hasPrefix("task classify: request schema: schema #/type: unknown type") == true
        }
        await #expect {
            _ = try await model.answer("classify", "x", schema: ["type": "string"])
        } throws: { error in (error as? PlugboardError)?.code == .unsupported }
    }

    @Test("every answer validates against its schema", arguments: RulesAnalysisTests.categoryExamples.map(\.0))
    func answersValidate(_ text: String) async throws {
        for (task, schema) in [("classify", Schemas.classify), ("analyse", Schemas.analyse), ("draft_reply", Schemas.reply)] {
            let o = try await model.answer(task, text, schema: schema)
            #expect(try JSONSchemaValidator(schema: schema).validate(o) == [], "\(task): \(o.serialized())")
        }
    }
}
