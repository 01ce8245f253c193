import PlugboardKernel
import Testing

@Suite("Rule classifier: folding, keyword syntax, summary, configuration")
struct RuleClassifierTests {
    static let custom = RuleCategories([
        RuleCategory("delivery", keywords: ["delivery"]),
        RuleCategory("late", keywords: ["late delivery"], createsTask: true),
        RuleCategory("waiting", keywords: ["depuis {n} jours", "rembours*"]),
        RuleCategory("contractions", keywords: ["n'est pas arrivée", "doesn't work"]),
    ], fallback: "other")

    @Test(arguments: ["défectueux", "DÉFECTUEUX", "de\u{301}fectueux", "Defectueuse", "défectu\u{AD}eux"])
    func accentsAndCaseFoldToTheSameWord(_ word: String) {
        let c = RuleClassifier(categories: .ecommerce(.fr), language: .fr)
        let r = c.classify("Le produit est \(word).")
        #expect(r.category == "defective_product", "\(word.unicodeScalars.map { String($0.value, radix: 16) })")
        #expect(r.matched == ["defectu*"])
    }

    @Test func keywordsMatchWholeWordsOnly() {
        let c = RuleClassifier(categories: .ecommerce(.en), language: .en)
        #expect(c.classify("What is the latest news?").category == "unclassified")  // `late` is a word, not a prefix
        #expect(c.classify("My parcel is late.").category == "late_delivery")
        let s = RuleClassifier(categories: .supportModelling(.en), language: .en)
        #expect(s.classify("This is important").matched.isEmpty)  // not `import`
        #expect(s.classify("The import fails").matched == ["import", "fails"])
    }

    @Test func prefixesNumbersAndPunctuationInsideKeywords() {
        let c = RuleClassifier(categories: Self.custom)
        #expect(c.classify("On attend depuis 12 jours").category == "waiting")
        #expect(c.classify("On attend depuis douze jours").category == "other")
        #expect(c.classify("Je veux être REMBOURSÉE").category == "waiting")
        #expect(c.classify("ma commande n’est pas arrivee").category == "contractions")  // typographic apostrophe
        #expect(c.classify("it doesn't work").category == "contractions")
    }

    @Test func longestMatchWinsAcrossCategories() {
        let c = RuleClassifier(categories: Self.custom)
        let r = c.classify("This is a late delivery.")
        #expect(r.category == "late")
        #expect(r.scores == ["late": 2])  // `delivery` inside `late delivery` does not count
        #expect(r.ambiguous == false)
        #expect(r.createsTask)
        #expect(c.classify("delivery, delivery, delivery").score == 1)  // repetition adds nothing
    }

    @Test func tiesAndSilenceAreAmbiguous() {
        let c = RuleClassifier(categories: Self.custom)
        let tie = c.classify("delivery and remboursement")
        #expect(tie.ambiguous)
        #expect(tie.category == "delivery")  // first in configured order
        #expect(tie.confidence == 0.38)
        let none = c.classify("nothing to see")
        #expect(none == RuleClassification(category: "other", score: 0, confidence: 0, matched: [], ambiguous: true,
                                           scores: [:], createsTask: false))
    }

    @Test func summaryIsTheFirstMeaningfulSentenceOnOneLine() {
        #expect(TicketSummary.oneLine("Bonjour,\n\nMa   commande\t#12 est   en retard. Merci.") == "Ma commande #12 est en retard.")
        #expect(TicketSummary.oneLine("Hello team.\nThe export fails! Please help") == "The export fails!")
        #expect(TicketSummary.oneLine("Bonjour, le colis est abîmé.") == "Le colis est abîmé.")
        #expect(TicketSummary.oneLine("Merci, tout est parfait.") == "Merci, tout est parfait.")
        #expect(TicketSummary.oneLine("  ") == "")
        let long = String(repeating: "mot ", count: 60) + "fin."
        let s = TicketSummary.oneLine(long)
        #expect(s.unicodeScalars.count <= 120)
        #expect(s.hasSuffix("mot…"))
    }

    @Test func categoriesParseFromBothConfigShapes() throws {
        let json: JSON = [
            "billing": ["facture*", "invoice"],
            "bug": ["keywords": ["crash", "plantage"], "task": true],
            "misc": ["fallback": true],
        ]
        let c = try RuleCategories.parse(json, at: "adapters.json: llm.categories")
        #expect(c.names == ["billing", "bug"])
        #expect(c.fallback == "misc")
        #expect(c.createsTask("bug") && !c.createsTask("billing"))
        let classifier = RuleClassifier(categories: c)
        #expect(classifier.classify("Where is my invoice?").category == "billing")
        #expect(classifier.classify("Hello").category == "misc")
    }

    static let badCategoryConfigs: [(JSON, String)] = [
        (["a": ["*"]], "adapters.json: llm.categories.a[0]: \"*\" has no letters or digits to match"),
        (["a": ["ab*"]], "adapters.json: llm.categories.a[0]: \"ab*\": a prefix before * needs at least 3 letters"),
        (["a": [1]], "adapters.json: llm.categories.a[0]: expected string, got 1"),
        (["a": ["keywords": ["x"], "tasks": true]], "adapters.json: llm.categories.a.tasks: unknown key; known: fallback, keywords, task, template"),
        (["a": "x"], "adapters.json: llm.categories.a: expected an array of keywords, got string"),
        (["x"], "adapters.json: llm.categories: expected an object of category name → keywords, got array"),
    ]

    @Test(arguments: badCategoryConfigs)
    func badCategoryConfigNamesThePath(_ json: JSON, _ message: String) {
        do {
            _ = try RuleCategories.parse(json, at: "adapters.json: llm.categories")
            Issue.record("accepted \(json.serialized())")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message == message)
        }
    }
}
