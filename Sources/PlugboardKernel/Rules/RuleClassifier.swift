/// Deterministic, keyword-based ticket analysis: category (with confidence and
/// an ambiguity flag, so the workflow asks a language model only when the rules
/// hesitate), sentiment, urgency, a one-line summary and the order number.
///
/// Built once from data (categories and word lists), then shared: it is an
/// immutable value, safe to use from any number of tasks. Each call folds the
/// text once into bytes, tokenizes once and matches every keyword in one pass
/// over the tokens through hash tables, so classification costs a few
/// microseconds for a typical ticket.
public struct RuleClassifier: Sendable {
    public let categories: RuleCategories
    public let language: RuleLanguage
    public let lexicon: RuleLexicon
    /// Categories only: what `classify` needs.
    let categoryIndex: KeywordIndex
    /// Categories plus every lexicon list: what `analyse` needs.
    let analysisIndex: KeywordIndex

    enum Group: Int {
        case category, sentiment, negator, urgency, orderWord, orderConnector, french, english
    }

    public init(categories: RuleCategories = .ecommerce(), language: RuleLanguage = .auto,
                lexicon: RuleLexicon? = nil) {
        self.categories = categories
        self.language = language
        let lexicon = lexicon ?? .standard(language)
        self.lexicon = lexicon
        var categoryEntries: [(text: String, group: Int, payload: Int)] = []
        for (i, c) in categories.categories.enumerated() {
            for k in c.keywords { categoryEntries.append((k, Group.category.rawValue, i)) }
        }
        var all = categoryEntries
        // Sorted so the index (and so any tie between equal spans) never depends on dictionary order.
        for (k, w) in lexicon.sentiment.sorted(by: { $0.key < $1.key }) { all.append((k, Group.sentiment.rawValue, w)) }
        for k in lexicon.negators { all.append((k, Group.negator.rawValue, 0)) }
        for (k, w) in lexicon.urgency.sorted(by: { $0.key < $1.key }) { all.append((k, Group.urgency.rawValue, w)) }
        for k in lexicon.orderWords { all.append((k, Group.orderWord.rawValue, 0)) }
        for k in lexicon.orderConnectors { all.append((k, Group.orderConnector.rawValue, 0)) }
        for k in lexicon.frenchMarkers { all.append((k, Group.french.rawValue, 0)) }
        for k in lexicon.englishMarkers { all.append((k, Group.english.rawValue, 0)) }
        categoryIndex = KeywordIndex(categoryEntries)
        analysisIndex = KeywordIndex(all)
    }

    /// The category of `text`, with its score, confidence, matched keywords and ambiguity.
    public func classify(_ text: String) -> RuleClassification {
        let folded = FoldedText(text)
        return classification(folded, categoryIndex, categoryIndex.hits(in: folded))
    }

    /// Whether tickets of `category` create a task.
    public func createsTask(_ category: String) -> Bool { categories.createsTask(category) }

    func classification(_ text: FoldedText, _ index: KeywordIndex, _ hits: [KeywordIndex.Hit]) -> RuleClassification {
        let count = categories.categories.count
        var scores = [Int](repeating: 0, count: count)
        // Each distinct matched wording counts once per category: repeating a word adds nothing,
        // and two keywords matching the same words (`information`, `information*`) count once.
        var seen: [(category: Int, hash: UInt64)] = []
        var matched: [String] = []
        for h in hits {
            let k = index.keywords[Int(h.keyword)]
            guard k.group == Group.category.rawValue else { continue }
            let spanHash = text.bytes.withUnsafeBufferPointer { b in
                ByteTable.hash(b[Int(text.tokens[Int(h.start)].start)..<Int(text.tokens[Int(h.end) - 1].end)])
            }
            guard !seen.contains(where: { $0.category == k.payload && $0.hash == spanHash }) else { continue }
            seen.append((k.payload, spanHash))
            scores[k.payload] += Int(h.count)
            if !matched.contains(k.text) { matched.append(k.text) }
        }
        let top = scores.max() ?? 0
        let total = scores.reduce(0, +)
        var named: [String: Int] = [:]
        for (i, s) in scores.enumerated() where s > 0 { named[categories.categories[i].name, default: 0] += s }
        guard top > 0 else {
            return RuleClassification(category: categories.fallback, score: 0, confidence: 0, matched: [],
                                      ambiguous: true, scores: [:], createsTask: categories.createsTask(categories.fallback))
        }
        let best = scores.firstIndex(of: top)!
        let tie = scores.filter { $0 == top }.count > 1
        // Share of the evidence, damped for thin evidence: one word alone gives at most 0.75.
        let strength = min(1.0, 0.5 + 0.25 * Double(top))
        let confidence = (Double(top) / Double(total) * strength * 100).rounded() / 100
        let name = categories.categories[best].name
        return RuleClassification(category: name, score: top, confidence: confidence, matched: matched,
                                  ambiguous: tie, scores: named, createsTask: categories.categories[best].createsTask)
    }
}
