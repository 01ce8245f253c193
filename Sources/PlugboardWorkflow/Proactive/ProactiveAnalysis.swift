import PlugboardKernel

/// What a proactive draft says about a contact's trouble: the rules' reading of their
/// activity, refined by a model when one is configured.
public struct ProactiveAnalysis: Sendable, Hashable {
    /// `login_problem`, `form_problem`, `application_errors`, `performance_problem`, `searching_for_help`.
    public var problem: String
    /// 0...1.
    public var confidence: Double
    public var reasoning: String
    /// low, medium or high.
    public var priority: String
    public var subject: String
    public var description: String
    /// `rules`, or the provider whose answer refined it.
    public var source: String
    public var counts: [String: Int]

    public var json: JSON {
        ["problem_detected": .string(problem), "confidence": JSON((confidence * 100).rounded() / 100),
         "reasoning": .string(reasoning), "source": .string(source),
         "event_counts": .object(counts.mapValues { JSON($0) })]
    }

    static let labels: [String: (problem: String, text: String)] = [
        "login_failed": ("login_problem", "cannot log in"),
        "form_error": ("form_problem", "keeps hitting form errors"),
        "error_occurred": ("application_errors", "runs into application errors"),
        "timeout_occurred": ("performance_problem", "suffers timeouts"),
        "faq_search": ("searching_for_help", "keeps searching the help pages"),
    ]

    /// The deterministic analysis: the most frequent critical event type names the problem;
    /// confidence grows with the count over the threshold; priority with the count and open tickets.
    static func rules(events: [JSON], tickets: [JSON], settings p: ProactiveSettings, email: String) -> ProactiveAnalysis {
        var counts: [String: Int] = [:]
        for e in events { if let t = e["type"]?.stringValue { counts[t, default: 0] += 1 } }
        let order = ["login_failed", "error_occurred", "timeout_occurred", "form_error", "faq_search"]
        let dominant = order.max { (counts[$0] ?? 0, -order.firstIndex(of: $0)!) < (counts[$1] ?? 0, -order.firstIndex(of: $1)!) } ?? "error_occurred"
        let label = labels[dominant] ?? ("application_errors", "runs into errors")
        let critical = Workflow.criticalCount(events, settings: p)
        let openTickets = tickets.filter { ($0["closed_at"] ?? .null).isNull }.count
        let confidence = min(0.95, 0.5 + 0.1 * Double(max(0, critical - p.threshold + 1)) + (openTickets > 0 ? 0.1 : 0))
        var priority = critical >= 2 * p.threshold ? "high" : "medium"
        if dominant == "faq_search" && priority == "medium" { priority = "low" }
        if openTickets > 0 && priority != "high" { priority = priority == "low" ? "medium" : "high" }
        let summary = counts.filter { $0.key != "page_view" }.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        let queries = events.filter { $0["type"] == "faq_search" }.compactMap { $0["details"]?["query"]?.stringValue }
        var reasoning = "\(critical) critical events in the last \(p.windowHours) h (\(summary) over \(p.activityDays) days); "
            + "\(tickets.count) ticket(s) in \(p.ticketDays) days, \(openTickets) open"
        if !queries.isEmpty { reasoning += "; searched: " + Set(queries).sorted().prefix(5).joined(separator: ", ") }
        let description = "Our monitoring shows that \(email) \(label.text): \(summary). "
            + "Reach out before they write to us and offer help."
        return ProactiveAnalysis(problem: label.problem, confidence: confidence, reasoning: reasoning, priority: priority,
                                 subject: "Proactive: \(email) \(label.text)", description: description,
                                 source: "rules", counts: counts)
    }
}
