@testable import LLMRules
import PlugboardKernel
import Testing

@Suite("rules model: recent analyses")
struct RecentAnalysesTests {
    @Test func aTextSeenAMomentAgoIsNotAnalysedAgainAndTheCacheStaysBounded() {
        let recent = RecentAnalyses()
        let classifier = RuleClassifier(categories: .ecommerce(.auto), language: .auto)
        var calls = 0
        let text = "Ma commande 4512 n'est pas arrivée, c'est urgent"
        let first = recent.analysis(of: text, classifier: 0) { calls += 1; return classifier.analyse($0) }
        let second = recent.analysis(of: text, classifier: 0) { calls += 1; return classifier.analyse($0) }
        #expect(calls == 1)
        #expect(first == second && first == classifier.analyse(text))
        // Another classifier of the same model is another entry.
        _ = recent.analysis(of: text, classifier: 1) { calls += 1; return classifier.analyse($0) }
        #expect(calls == 2)
        for i in 0..<(RecentAnalyses.capacity * 2) {
            _ = recent.analysis(of: "texte \(i)", classifier: 0) { classifier.analyse($0) }
            #expect(recent.count <= RecentAnalyses.capacity)
        }
    }
}
