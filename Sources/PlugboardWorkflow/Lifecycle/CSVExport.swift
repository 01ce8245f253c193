import PlugboardKernel

/// The CSV export: exactly the columns of DESIGN.md, RFC 4180 quoting, UTF-8.
public enum CSVExport {
    public static let columns = [
        "ticket_id", "created_at", "closed_at", "status", "channel", "sentiment", "category", "urgency", "summary",
        "messages_count", "resolution_duration_seconds", "resolution_duration_hours", "first_response_time_seconds",
        "avg_response_time_seconds",
    ]

    public static func header() -> String { columns.joined(separator: ",") + "\r\n" }

    public static func row(_ t: Ticket) -> String {
        let m = TicketMetrics(t)
        let a = t.analytics
        func text(_ v: JSON?) -> String {
            switch v {
            case .string(let s)?: return s
            case .number(let n)?: return n.text
            case .bool(let b)?: return b ? "true" : "false"
            default: return ""
            }
        }
        func time(_ s: String?) -> String { s.map { Timestamp.normalize($0) ?? $0 } ?? "" }
        let cells: [String] = [
            t.id, time(t.createdAt), time(t.closedAt), t.status ?? "", t.channel ?? "",
            text(a["sentiment"]), text(a["category"]), text(a["urgency"]), text(a["summary"]),
            String(m.messagesCount),
            m.resolutionSeconds.map(String.init) ?? "",
            m.resolutionSeconds.map { format(Double($0) / 3600) } ?? "",
            m.firstResponseSeconds.map(String.init) ?? "",
            m.averageResponseSeconds.map(format) ?? "",
        ]
        return cells.map(quote).joined(separator: ",") + "\r\n"
    }

    public static func render(_ tickets: [Ticket]) -> String {
        var out = header()
        for t in tickets { out += row(t) }
        return out
    }

    public static func format(_ d: Double) -> String {
        let r = (d * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        var s = String(r)
        if let dot = s.firstIndex(of: "."), s.distance(from: dot, to: s.endIndex) > 3 { s = String(s[...s.index(dot, offsetBy: 2)]) }
        return s
    }

    static func quote(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
