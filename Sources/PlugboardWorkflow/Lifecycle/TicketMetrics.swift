import PlugboardKernel

/// Response and resolution times of one ticket, from its messages and fields.
public struct TicketMetrics: Sendable, Hashable {
    public var resolutionSeconds: Int?
    /// First non-user message after the first user message.
    public var firstResponseSeconds: Int?
    /// Mean time from a customer's message (the first of a run) to the team's next message.
    public var averageResponseSeconds: Double?
    public var messagesCount: Int

    public init(_ t: Ticket) {
        let messages = t.messages
        messagesCount = messages.count
        if let d = t.body["resolution_duration"]?.doubleValue {
            resolutionSeconds = Int(d.rounded())
        } else if let c = t.createdAt.flatMap(Timestamp.parse), let x = t.closedAt.flatMap(Timestamp.parse), x >= c {
            resolutionSeconds = Int((x - c).rounded())
        }
        var waitingSince: Double?
        var responses: [Double] = []
        for m in messages {
            guard let ts = m.timestamp.flatMap(Timestamp.parse) else { continue }
            if m.role == "user" {
                if waitingSince == nil { waitingSince = ts }
            } else if let w = waitingSince, ts >= w {
                responses.append(ts - w)
                waitingSince = nil
            }
        }
        firstResponseSeconds = responses.first.map { Int($0.rounded()) }
        averageResponseSeconds = responses.isEmpty ? nil : responses.reduce(0, +) / Double(responses.count)
    }
}
