import LLMRules
import PlugboardKernel
import Testing

/// What the rules decide, through the `llm` port: categories in French and English,
/// accents, negation, urgency, order numbers, ambiguity.
@Suite("rules model: analysis")
struct RulesAnalysisTests {
    let model = RulesLanguageModel()

    static let categoryExamples: [(String, String)] = [
        ("Bonjour, ma commande n'est toujours pas arrivée, j'attends depuis deux semaines.", "late_delivery"),
        ("Hi, my package has not arrived yet although it should have arrived on Monday.", "late_delivery"),
        ("Je souhaite être remboursé, merci de me rendre mon argent.", "refund"),
        ("I would like a refund for my purchase, please send my money back.", "refund"),
        ("L'écran est arrivé fissuré et l'appareil ne s'allume pas.", "defective_product"),
        ("The blender I received is faulty and stopped working after one day.", "defective_product"),
        ("Pouvez-vous me donner le numéro de suivi de mon colis ? Je voudrais aussi ma facture.", "order_information"),
        ("Can you send me the tracking number and the invoice for my purchase?", "order_information"),
        ("Bonjour, j'adore votre boutique, bonne journée !", "unclassified"),
        ("Do you have a shop in Lyon?", "unclassified"),
    ]

    @Test("each category in French and English", arguments: categoryExamples)
    func category(_ text: String, _ expected: String) async throws {
        let o = try await model.classify(text)
        #expect(o["category"] == .string(expected))
        #expect(o["ambiguous"] == .bool(expected == "unclassified"))
        #expect((o["matched"]?.arrayValue ?? []).isEmpty == (expected == "unclassified"))
    }

    @Test func accentsAndCaseDoNotMatter() async throws {
        let variants = ["Produit DÉFECTUEUX reçu", "produit defectueux recu", "Produit défectueux reçu", "Produit de\u{301}fectueux reçu"]
        var answers: [JSON] = []
        for v in variants { answers.append(try await model.classify(v)) }
        #expect(answers.allSatisfy { $0 == answers[0] })
        #expect(answers[0]["category"] == "defective_product")
    }

    static let sentimentExamples: [(String, String)] = [
        ("Je suis très content du service.", "positive"),
        ("Je ne suis pas content du service.", "negative"),
        ("Je ne suis pas du tout satisfait de cette commande.", "negative"),
        ("I am happy with the product.", "positive"),
        ("I am not happy with the product.", "negative"),
        ("I'm not very satisfied with it.", "negative"),
        ("Pas de problème, tout est parfait.", "positive"),
        ("Aucun retard, je suis content.", "positive"),  // the comma stops the negation
        ("Le colis est arrivé mardi.", "neutral"),
        ("C'est inadmissible, je suis furieux !", "negative"),
    ]

    @Test("sentiment with negation", arguments: sentimentExamples)
    func sentiment(_ text: String, _ expected: String) async throws {
        #expect(try await model.analyse(text)["sentiment"] == .string(expected))
    }

    static let urgencyExamples: [(String, String)] = [
        ("Pouvez-vous m'envoyer la facture quand vous aurez le temps ?", "low"),
        ("Mon compte est bloqué.", "medium"),
        ("J'attends ma commande depuis 3 jours.", "medium"),
        ("Mon colis est bloqué depuis 3 jours.", "high"),
        ("C'est urgent, répondez immédiatement.", "high"),
        ("Please fix this ASAP, we are blocked.", "high"),
        ("I have been waiting for 5 days now.", "medium"),
        ("Ce n'est pas urgent, quand vous pouvez.", "low"),
        ("Help!!! NOTHING WORKS!!!", "medium"),
    ]

    @Test("urgency from cues", arguments: urgencyExamples)
    func urgency(_ text: String, _ expected: String) async throws {
        #expect(try await model.analyse(text)["urgency"] == .string(expected))
    }

    static let orderExamples: [(String, String?)] = [
        ("Ma commande #123 est en retard", "123"),
        ("commande 12345 pas reçue", "12345"),
        ("Ma commande n° 4567 est cassée", "4567"),
        ("commande N°4567", "4567"),
        ("commande no 4567", "4567"),
        ("Numéro de commande : 98765", "98765"),
        ("order 123456 is late", "123456"),
        ("About order #555", "555"),
        ("my order number 778 never came", "778"),
        ("Order No. 8899", "8899"),
        ("Commande CMD12345 annulée", "CMD12345"),
        ("ma commande du 12 mars", nil),
        ("I ordered 3 items", nil),
        ("Rien à signaler", nil),
    ]

    @Test("order numbers", arguments: orderExamples)
    func orderNumber(_ text: String, _ expected: String?) async throws {
        #expect(try await model.analyse(text)["order_number"] == expected.map(JSON.string) ?? .null)
    }

    @Test func tiesAndNoMatchAreAmbiguousAndClearCasesAreNot() async throws {
        let tie = try await model.classify("Je veux un remboursement car le produit est cassé.")
        #expect(tie["ambiguous"] == true)
        #expect(tie["matched"] == ["rembours*", "casse"])
        let none = try await model.classify("Bonjour")
        #expect(none["ambiguous"] == true)
        #expect(none["category"] == "unclassified")
        #expect(none["confidence"] == 0)
        let clear = try await model.classify("Remboursez-moi, je veux être remboursée et récupérer mon argent")
        #expect(clear["ambiguous"] == false)
        #expect(clear["category"] == "refund")
    }

    @Test func fullAnalysisOfOneTicket() async throws {
        let o = try await model.analyse("""
            Bonjour,

            Ma commande n° 45678 est arrivée CASSÉE et je ne suis pas content du tout.   Merci de me rembourser au plus vite !
            """)
        // `cassée` (defective) and `rembourser` (refund) tie: the first category in order wins, and the
        // classify task would report it as ambiguous.
        #expect(o == [
            "sentiment": "negative", "category": "refund", "urgency": "high",
            "summary": "Ma commande n° 45678 est arrivée CASSÉE et je ne suis pas content du tout.", "order_number": "45678",
        ])
    }
}
