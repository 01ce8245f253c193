import LLMRules
import PlugboardKernel
import Testing

@Suite("rules model: draft_reply")
struct DraftReplyTests {
    let model = RulesLanguageModel()

    func draft(_ prompt: JSON) async throws -> JSON {
        try await model.answer("draft_reply", prompt.serialized(), schema: Schemas.reply)
    }

    @Test func fillsTheTemplateFromThePromptAndTheAnalysis() async throws {
        let o = try await draft([
            "template": "Bonjour {{customer_name}}, votre demande ({{category}}) concernant la commande {{order_number}} est prise en charge. {{signature|L'équipe}}",
            "subject_template": "Commande {{order_number}}",
            "customer_name": "Marie",
            "text": "Ma commande #8812 est arrivée abîmée.",
        ])
        #expect(o["reply"] == "Bonjour Marie, votre demande (defective_product) concernant la commande 8812 est prise en charge. L'équipe")
        #expect(o["subject"] == "Commande 8812")
    }

    /// The workflow's prose prompt (instructions, a `<data>` block, the `<ticket>`) reaches the
    /// rules as variables, so the same prompt serves every model of a fallback chain.
    @Test func readsTheVariablesOfAProsePromptFromItsDataBlock() async throws {
        let data: JSON = ["template": "Bonjour {{customer_name}}, la commande {{order_number}} part demain.",
                          "customer_name": "Marie", "order_number": "8812", "subject": "Commande"]
        let prompt = PromptLibrary().render("draft_reply", ["data": data.serialized(pretty: true), "category": "late_delivery",
                                                            "text": "Ma commande n'est pas arrivée."])
        let o = try await model.answer("draft_reply", prompt, schema: Schemas.reply)
        #expect(o["reply"] == "Bonjour Marie, la commande 8812 part demain.")
        #expect(o["subject"] == "Re: Commande")

        let analysed = try await model.answer("analyse", prompt, schema: Schemas.analyse)
        #expect(analysed["category"] == "late_delivery", "the text comes from the <ticket> block, not the instructions")
    }

    @Test func theProvidedValuesWinOverTheComputedOnes() async throws {
        let o = try await draft(["template": "{{order_number}}/{{category}}", "order_number": 77, "category": "vip",
                                 "text": "commande 12345 en retard"])
        #expect(o["reply"] == "77/vip")
    }

    @Test func aMissingVariableWithoutFallbackIsAnError() async {
        await #expect {
            _ = try await draft(["template": "Bonjour {{customer_name}}", "text": "x"])
        } throws: { error in
            let e = error as? PlugboardError
            return e?.code == .invalidInput
                && e?.message == "draft_reply: template uses {{customer_name}} but the prompt gives no \"customer_name\" (write {{customer_name|fallback}} to make it optional)"
        }
    }

    @Test func builtInRepliesPerCategoryAndLanguage() async throws {
        let fr = try await draft(["customer_name": "Paul", "text": "Ma commande 4521 n'est toujours pas arrivée", "subject": "Retard"])
        #expect(fr["reply"] == """
            Bonjour Paul,

            Nous sommes désolés du retard de votre commande n° 4521. Nous avons relancé le transporteur et revenons vers vous sous 48 heures avec une date de livraison.

            Cordialement,
            L'équipe support
            """)
        #expect(fr["subject"] == "Re: Retard")
        let en = try await draft(["text": "I want a refund, please."])
        #expect(en["reply"] == """
            Hello,

            We have received your refund request regarding your order. It is being processed and you will receive a confirmation as soon as it is approved.

            Best regards,
            The support team
            """)
        #expect(en["subject"] == "Your request")
    }

    @Test func aPlainTextPromptGetsTheBuiltInReply() async throws {
        let o = try await model.answer("draft_reply", "My order #321 arrived broken", schema: Schemas.reply)
        #expect(o["reply"]?.stringValue?.hasPrefix("Hello,\n\nWe are sorry that the product from your order #321 is defective.") == true)
        #expect(o["subject"] == "Your request #321")
    }
}
