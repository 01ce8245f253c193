import PlugboardKernel

/// Which tickets a list, export or stats call covers.
public struct TicketFilter: Sendable, Hashable {
    public var status: String?
    public var channel: String?
    /// Inclusive bounds on `created_at`, normalized UTC.
    public var from: String?
    public var to: String?

    public init(status: String? = nil, channel: String? = nil, from: String? = nil, to: String? = nil) {
        self.status = status
        self.channel = channel
        self.from = from
        self.to = to
    }

    /// Builds a filter from user input; a date alone as `to` covers that whole day.
    public static func parse(status: String?, channel: String?, from: String?, to: String?) throws -> TicketFilter {
        func bound(_ s: String?, _ name: String, endOfDay: Bool) throws -> String? {
            guard let s else { return nil }
            guard let t = Timestamp.parse(s) else {
                throw PlugboardError.invalidInput("\(name): expected an ISO 8601 date or time (2024-01-31, 2024-01-31T12:00:00Z), got \"\(s)\"")
            }
            let dateOnly = s.count == 10
            return Timestamp.format(endOfDay && dateOnly ? t + 86_399.999 : t)
        }
        let f = TicketFilter(status: status, channel: channel, from: try bound(from, "--from", endOfDay: false),
                             to: try bound(to, "--to", endOfDay: true))
        if let a = f.from, let b = f.to, a > b {
            throw PlugboardError.invalidInput("--from \(from!) is after --to \(to!)")
        }
        return f
    }

    public func matches(_ t: Ticket) -> Bool {
        if let status, t.status != status { return false }
        if let channel, t.channel != channel { return false }
        if from != nil || to != nil {
            guard let c = t.createdAt.flatMap(Timestamp.parse) else { return false }
            if let from, let f = Timestamp.parse(from), c < f { return false }
            if let to, let x = Timestamp.parse(to), c > x { return false }
        }
        return true
    }
}
