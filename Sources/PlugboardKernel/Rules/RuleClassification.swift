/// What the rule classifier decided about one text, and how sure it is.
public struct RuleClassification: Sendable, Hashable {
    /// The best-scoring category, or the fallback when no keyword matched.
    public var category: String
    /// The category's score: matched keywords, a multi-word keyword counting one per word.
    public var score: Int
    /// 0...1: the category's share of all scores, damped when only one word matched.
    public var confidence: Double
    /// The keywords that matched, as configured, in the order they appear in the text.
    public var matched: [String]
    /// True when no keyword matched or two categories tie for the best score:
    /// the workflow then asks the language model.
    public var ambiguous: Bool
    /// Every category that scored, with its score.
    public var scores: [String: Int]
    /// Whether tickets of this category create a task.
    public var createsTask: Bool

    public init(category: String, score: Int, confidence: Double, matched: [String], ambiguous: Bool,
                scores: [String: Int], createsTask: Bool) {
        self.category = category
        self.score = score
        self.confidence = confidence
        self.matched = matched
        self.ambiguous = ambiguous
        self.scores = scores
        self.createsTask = createsTask
    }

    /// `{"category", "confidence", "ambiguous", "matched"}`: the `classify` task's answer.
    public var json: JSON {
        [
            "category": .string(category), "confidence": JSON(confidence), "ambiguous": .bool(ambiguous),
            "matched": .array(matched.map(JSON.string)),
        ]
    }
}

/// Everything the rules can tell about a ticket's text.
public struct TicketAnalysis: Sendable, Hashable {
    public enum Sentiment: String, Sendable, CaseIterable { case positive, neutral, negative }
    public enum Urgency: String, Sendable, CaseIterable { case low, medium, high }

    public var classification: RuleClassification
    public var sentiment: Sentiment
    /// Sum of the sentiment words' weights after negation (positive from 2, negative from -2).
    public var sentimentScore: Int
    public var urgency: Urgency
    /// What raised the urgency: keywords as configured, `!!`, `CAPITALS`.
    public var urgencyCues: [String]
    /// The first meaningful sentence, whitespace collapsed, at most about 120 characters.
    public var summary: String
    /// An order number found in the text (`#123`, `commande n° 123`, `order number 123`).
    public var orderNumber: String?
    /// `fr`, `en`, or `unknown` (the configured language when it is not `auto`).
    public var language: String

    public init(classification: RuleClassification, sentiment: Sentiment, sentimentScore: Int, urgency: Urgency,
                urgencyCues: [String], summary: String, orderNumber: String?, language: String) {
        self.classification = classification
        self.sentiment = sentiment
        self.sentimentScore = sentimentScore
        self.urgency = urgency
        self.urgencyCues = urgencyCues
        self.summary = summary
        self.orderNumber = orderNumber
        self.language = language
    }

    /// `{"sentiment", "category", "urgency", "summary", "order_number"}`: the `analyse` task's answer.
    public var json: JSON {
        [
            "sentiment": .string(sentiment.rawValue), "category": .string(classification.category),
            "urgency": .string(urgency.rawValue), "summary": .string(summary),
            "order_number": orderNumber.map(JSON.string) ?? .null,
        ]
    }
}
