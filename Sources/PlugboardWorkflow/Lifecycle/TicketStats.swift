import PlugboardKernel

/// Figures over all tickets: counts by status, category and channel, mean
/// resolution and first-response times, LLM usage and cost, and the job queue.
public struct TicketStats: Sendable {
    public var total = 0
    public var byStatus: [String: Int] = [:]
    public var byCategory: [String: Int] = [:]
    public var byChannel: [String: Int] = [:]
    public var meanResolutionSeconds: Double?
    public var meanFirstResponseSeconds: Double?
    public var llmCalls = 0
    public var llmInputTokens = 0
    public var llmOutputTokens = 0
    public var llmCost = 0.0
    public var jobs: [String: Int] = [:]

    public init(tickets: [Ticket], jobs: [String: Int] = [:]) {
        var resolutions: [Double] = [], responses: [Double] = []
        for t in tickets {
            total += 1
            byStatus[t.status ?? "(none)", default: 0] += 1
            byCategory[t.analytics["category"]?.stringValue ?? "(none)", default: 0] += 1
            byChannel[t.channel ?? "(none)", default: 0] += 1
            let m = TicketMetrics(t)
            if let r = m.resolutionSeconds { resolutions.append(Double(r)) }
            if let f = m.firstResponseSeconds { responses.append(Double(f)) }
            for u in t.body["llm_usage"]?.arrayValue ?? [] {
                llmCalls += 1
                llmInputTokens += u["input_tokens"]?.intValue ?? 0
                llmOutputTokens += u["output_tokens"]?.intValue ?? 0
            }
            llmCost += t.body["llm_cost"]?.doubleValue ?? 0
        }
        meanResolutionSeconds = resolutions.isEmpty ? nil : resolutions.reduce(0, +) / Double(resolutions.count)
        meanFirstResponseSeconds = responses.isEmpty ? nil : responses.reduce(0, +) / Double(responses.count)
        self.jobs = jobs
    }

    public var json: JSON {
        func counts(_ d: [String: Int]) -> JSON { .object(d.mapValues { JSON($0) }) }
        return [
            "tickets": JSON(total), "by_status": counts(byStatus), "by_category": counts(byCategory),
            "by_channel": counts(byChannel),
            "mean_resolution_seconds": meanResolutionSeconds.map { JSON($0.rounded()) } ?? .null,
            "mean_first_response_seconds": meanFirstResponseSeconds.map { JSON($0.rounded()) } ?? .null,
            "llm": ["calls": JSON(llmCalls), "input_tokens": JSON(llmInputTokens), "output_tokens": JSON(llmOutputTokens),
                    "cost": JSON((llmCost * 10_000).rounded() / 10_000)],
            "jobs": counts(jobs),
        ]
    }
}
