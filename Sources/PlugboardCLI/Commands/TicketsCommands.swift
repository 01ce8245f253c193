import PlugboardKernel
import PlugboardWorkflow

let filterOptions = [
    OptionSpec(name: "status", value: "S", help: "Only tickets with this status (e.g. \"en cours\", \"fermé\")."),
    OptionSpec(name: "channel", value: "C", help: "Only tickets from this channel (email, chat, ...)."),
    OptionSpec(name: "from", value: "ISO", help: "Created at or after (2024-01-31 or 2024-01-31T08:00:00Z)."),
    OptionSpec(name: "to", value: "ISO", help: "Created at or before (a date alone covers that whole day)."),
]

extension Invocation {
    func ticketFilter() throws -> TicketFilter {
        try TicketFilter.parse(status: args.value("status"), channel: args.value("channel"),
                               from: args.value("from"), to: args.value("to"))
    }

    func ticketBook(_ a: Adapters) async throws -> TicketBook {
        TicketBook(store: try await a.storage(), workflow: a.config.workflow)
    }
}

struct TicketsListCommand: Command {
    static let words = ["tickets", "list"]
    static let summary = "List tickets, oldest first, with optional filters."
    static let synopsis = "[--status S] [--channel C] [--from ISO] [--to ISO] [--json]"
    static let options = filterOptions + [OptionSpec(name: "json", value: nil, help: "Print the tickets as a JSON array.")]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        let filter = try inv.ticketFilter()
        let tickets = try await inv.withAdapters { try await inv.ticketBook($0).list(filter) }
        if inv.args.flag("json") {
            inv.print(JSON.array(tickets.map(\.json)).serialized(pretty: true))
            return 0
        }
        let rows = tickets.map { t -> [String] in
            let m = TicketMetrics(t)
            return [t.id, t.status ?? "", t.channel ?? "", t.createdAt.flatMap(Timestamp.normalize) ?? (t.createdAt ?? ""),
                    t.analytics["category"]?.stringValue ?? "", String(m.messagesCount),
                    String((t.analytics["summary"]?.stringValue ?? t.body["subject"]?.stringValue ?? "").prefix(48))]
        }
        inv.console.out(Table.render(header: ["TICKET", "STATUS", "CHANNEL", "CREATED", "CATEGORY", "MSGS", "SUMMARY"], rows: rows))
        inv.print("\(tickets.count) ticket\(tickets.count == 1 ? "" : "s")")
        return 0
    }
}

struct TicketsShowCommand: Command {
    static let words = ["tickets", "show"]
    static let summary = "Show one ticket with its messages."
    static let synopsis = "ID [--json]"
    static let options = [OptionSpec(name: "json", value: nil, help: "Print the stored document as JSON, every field.")]

    static func run(_ inv: Invocation) async throws -> Int32 {
        let id = try inv.args.positional(0, "ticket ID")
        try inv.args.noMorePositionals(than: 1)
        let t = try await inv.withAdapters { try await inv.ticketBook($0).get(id) }
        if inv.args.flag("json") {
            inv.print(t.json.serialized(pretty: true))
            return 0
        }
        let m = TicketMetrics(t)
        inv.print("ticket     \(t.id)")
        inv.print("status     \(t.status ?? "-")")
        inv.print("channel    \(t.channel ?? "-")")
        inv.print("created    \(t.createdAt ?? "-")")
        inv.print("closed     \(t.closedAt ?? "-")")
        if let r = m.resolutionSeconds { inv.print("resolved   in \(r) s (\(CSVExport.format(Double(r) / 3600)) h)") }
        for key in ["sentiment", "category", "urgency", "summary"] {
            if let v = t.analytics[key]?.stringValue { inv.print(key.padding(toLength: 11, withPad: " ", startingAt: 0) + v) }
        }
        inv.print("messages   \(m.messagesCount)")
        for msg in t.messages {
            inv.print("  [\(msg.timestamp ?? "?")] \(msg.role): \(msg.content)")
        }
        for (key, label) in [("task_id", "task       "), ("ticket_url", "crm url    ")] {
            if let v = t.body[key]?.stringValue { inv.print(label + v) }
        }
        if let draft = t.body["draft_reply"]?.stringValue {
            // The reply drafted for the latest message, for an agent to review and send.
            inv.print("draft reply")
            for line in draft.split(separator: "\n", omittingEmptySubsequences: false) { inv.print("  " + line) }
        }
        return 0
    }
}

struct TicketsCloseCommand: Command {
    static let words = ["tickets", "close"]
    static let summary = "Close a ticket: sets closed_at and resolution_duration (seconds since created_at)."
    static let synopsis = "ID [--at ISO]"
    static let options = [OptionSpec(name: "at", value: "ISO", help: "When it was closed (default: now).")]

    static func run(_ inv: Invocation) async throws -> Int32 {
        let id = try inv.args.positional(0, "ticket ID")
        try inv.args.noMorePositionals(than: 1)
        let t = try await inv.withAdapters { try await inv.ticketBook($0).close(id, at: inv.args.value("at")) }
        let d = t.body["resolution_duration"]?.intValue.map { " after \($0) s" } ?? ""
        inv.print("closed \(t.id) at \(t.closedAt ?? "?")\(d)")
        return 0
    }
}

struct TicketsReopenCommand: Command {
    static let words = ["tickets", "reopen"]
    static let summary = "Reopen a closed ticket: clears closed_at and resolution_duration."
    static let synopsis = "ID"

    static func run(_ inv: Invocation) async throws -> Int32 {
        let id = try inv.args.positional(0, "ticket ID")
        try inv.args.noMorePositionals(than: 1)
        let t = try await inv.withAdapters { try await inv.ticketBook($0).reopen(id) }
        inv.print("reopened \(t.id) (status \(t.status ?? "?"))")
        return 0
    }
}

struct ExportCSVCommand: Command {
    static let words = ["export", "csv"]
    static let summary = "Export tickets as CSV with resolution and response times."
    static let synopsis = "[--status S] [--channel C] [--from ISO] [--to ISO] [--out FILE]"
    static let details = "Columns: " + CSVExport.columns.joined(separator: ", ")
        + ".\nFirst response time is the first team message after the customer's first message."
    static let options = filterOptions + [OptionSpec(name: "out", value: "FILE", help: "Write to FILE (atomically) instead of standard output.")]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        let filter = try inv.ticketFilter()
        let tickets = try await inv.withAdapters { try await inv.ticketBook($0).list(filter) }
        try inv.emit(CSVExport.render(tickets), note: "\(tickets.count) tickets")
        return 0
    }
}

/// Plain aligned columns for terminals.
enum Table {
    static func render(header: [String], rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ r: [String]) -> String {
            r.enumerated().map { i, c in i == r.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ") + "\n"
        }
        return line(header) + rows.map(line).joined()
    }
}
