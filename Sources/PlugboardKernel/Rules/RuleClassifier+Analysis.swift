extension RuleClassifier {
    /// Category, sentiment, urgency, summary, order number and language of `text`, in one pass.
    public func analyse(_ text: String) -> TicketAnalysis {
        let folded = FoldedText(text)
        let index = analysisIndex
        let hits = index.hits(in: folded)
        var negators: [KeywordIndex.Hit] = []
        var connectors = Set<Int32>()
        var french = 0, english = 0
        for h in hits {
            switch Group(rawValue: index.keywords[Int(h.keyword)].group)! {
            case .negator: negators.append(h)
            case .orderConnector: for t in h.start..<h.end { connectors.insert(t) }
            case .french: french += 1
            case .english: english += 1
            default: break
            }
        }
        func negated(_ h: KeywordIndex.Hit) -> Bool {
            negators.contains { n in
                guard n.end <= h.start, h.start - n.end <= 2 else { return false }
                return !(n.end...h.start).contains { folded.tokens[Int($0)].hasBreakBefore }
            }
        }

        var sentimentScore = 0
        var urgencyScore = 0
        var urgencyCues: [String] = []
        var strongestUrgency = 0
        // Two lists matching the same words (`urgent*` in French, `urgent` in English) count once.
        var lastSpan = [(start: Int32, count: Int32)](repeating: (-1, 0), count: index.groupCount)
        for h in hits {
            let k = index.keywords[Int(h.keyword)]
            if lastSpan[k.group] == (h.start, h.count) { continue }
            lastSpan[k.group] = (h.start, h.count)
            switch Group(rawValue: k.group)! {
            case .sentiment:
                // "pas content" is negative; "pas de colère" only mildly positive.
                let w = k.payload
                sentimentScore += negated(h) ? (w > 0 ? -w : max(1, -w / 2)) : w
            case .urgency where !negated(h):
                urgencyScore += k.payload
                strongestUrgency = max(strongestUrgency, k.payload)
                if !urgencyCues.contains(k.text) { urgencyCues.append(k.text) }
            default:
                break
            }
        }
        if folded.exclamations >= 2 { urgencyScore += 1; urgencyCues.append("!!") }
        if folded.shoutedWords >= 2 { urgencyScore += 1; urgencyCues.append("CAPITALS") }

        let sentiment: TicketAnalysis.Sentiment = sentimentScore >= 2 ? .positive : sentimentScore <= -2 ? .negative : .neutral
        // High takes a strong cue (`urgent`, `asap`) or several cues together (`bloqué depuis 3 jours`):
        // waiting alone (`j'attends depuis 3 jours`) stays medium.
        let urgency: TicketAnalysis.Urgency =
            strongestUrgency >= 3 || urgencyScore >= 4 ? .high : urgencyScore >= 2 ? .medium : .low
        let detected: String
        switch language {
        case .fr: detected = "fr"
        case .en: detected = "en"
        case .auto: detected = french > english ? "fr" : english > french ? "en" : "unknown"
        }
        return TicketAnalysis(
            classification: classification(folded, index, hits),
            sentiment: sentiment, sentimentScore: sentimentScore,
            urgency: urgency, urgencyCues: urgencyCues,
            summary: TicketSummary.oneLine(text),
            orderNumber: orderNumber(folded, hits, index, connectors: connectors),
            language: detected)
    }

    /// The first order number: after an order word and up to three connectors (`commande n° 123`,
    /// `order number 123`), or right after `#` (`#123`). At least 3 digits, so dates and quantities
    /// (`commande du 12 mars`) are not taken for one.
    func orderNumber(_ text: FoldedText, _ hits: [KeywordIndex.Hit], _ index: KeywordIndex,
                     connectors: Set<Int32>) -> String? {
        var best: Int?
        func consider(_ t: Int) {
            let token = text.tokens[t]
            guard token.digits >= 3 else { return }
            if best == nil || t < best! { best = t }
        }
        for h in hits where index.keywords[Int(h.keyword)].group == Group.orderWord.rawValue {
            var t = Int(h.end)
            var skipped = 0
            while t < text.tokens.count, connectors.contains(Int32(t)), skipped < 3, text.tokens[t].digits == 0 {
                t += 1
                skipped += 1
            }
            if t < text.tokens.count { consider(t) }
        }
        for (t, token) in text.tokens.enumerated() where token.hasHashBefore && token.isNumber { consider(t) }
        guard let best else { return nil }
        let raw = text.text(of: text.tokens[best])
        return text.tokens[best].isNumber ? raw : raw.uppercased()
    }
}
