import Foundation
import PlugboardKernel
import PlugboardWorkflow

struct OrdersImportCommand: Command {
    static let words = ["orders", "import"]
    static let summary = "Import client orders or reservations (CSV, JSON array or JSON Lines) and their contacts."
    static let synopsis = "FILE.(csv|json|jsonl)"
    static let details = """
    Fields: order_id (or id), email, amount, date (ISO 8601), status (completed, cancelled, ...), and optionally name,
    consent and marketing_consent (true/false, copied onto the contact: no follow-up without consent).
    Importing again updates orders by id. The workflow's reply drafts also read orders ("where is order 123").
    """

    static func run(_ inv: Invocation) async throws -> Int32 {
        let path = try inv.args.positional(0, "FILE")
        try inv.args.noMorePositionals(than: 1)
        let records = try OrderImport.records(path: path)
        let (orders, contacts) = try await inv.withAdapters { try await inv.workflow($0).importOrders(records) }
        inv.print("imported \(orders) order\(orders == 1 ? "" : "s") for \(contacts) contact\(contacts == 1 ? "" : "s")")
        return 0
    }
}

struct FollowUpsPlanCommand: Command {
    static let words = ["followups", "plan"]
    static let summary = "Draft the follow-ups due now, within cooldowns, consent and the daily limit."
    static let synopsis = "[--dry-run] [--at ISO] [--json]"
    static let details = """
    Each contact with orders is scored (risk and engagement, 0-100); the highest-priority strategy whose trigger holds
    (welcome_new_client, inactive_client_reminder, high_value_retention, cancellation_followup, seasonal_promotion, or
    those in workflow.followups.strategies) drafts a message: the llm's, or the strategy's template. Planned follow-ups
    are sent by `plugboard followups send`.
    """
    static let options = [
        OptionSpec(name: "dry-run", value: nil, help: "Show what would be planned; store nothing."),
        OptionSpec(name: "at", value: "ISO", help: "Plan as of this time (default: now)."),
        OptionSpec(name: "json", value: nil, help: "Print planned and skipped follow-ups as JSON."),
    ]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        let now = try inv.time("at")
        let plan = try await inv.withAdapters { try await inv.workflow($0).planFollowUps(now: now, dryRun: inv.args.flag("dry-run")) }
        if inv.args.flag("json") { inv.print(plan.json.serialized(pretty: true)); return 0 }
        let rows = plan.planned.map { f -> [String] in
            [f["followup_id"]?.stringValue ?? "", f["contact_email"]?.stringValue ?? "", f["strategy"]?.stringValue ?? "",
             f["scores"]?["risk"]?.serialized() ?? "", f["scores"]?["engagement"]?.serialized() ?? "",
             f["scheduled_at"]?.stringValue ?? "", String((f["subject"]?.stringValue ?? "").prefix(40))]
        }
        inv.console.out(Table.render(header: ["FOLLOW-UP", "CONTACT", "STRATEGY", "RISK", "ENG", "SCHEDULED", "SUBJECT"], rows: rows))
        var reasons: [String: Int] = [:]
        for s in plan.skipped { reasons[s.reason, default: 0] += 1 }
        let skipped = reasons.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        inv.print("\(plan.planned.count) planned\(inv.args.flag("dry-run") ? " (dry run)" : "")" + (skipped.isEmpty ? "" : "; skipped: \(skipped)"))
        return 0
    }
}

struct FollowUpsSendCommand: Command {
    static let words = ["followups", "send"]
    static let summary = "Send the planned follow-ups whose time has come through the notify port; records sent / failed."
    static let synopsis = "[--at ISO] [--limit N]"
    static let options = [
        OptionSpec(name: "at", value: "ISO", help: "Send those scheduled at or before this time (default: now)."),
        OptionSpec(name: "limit", value: "N", help: "At most N (default 1000)."),
    ]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        let now = try inv.time("at")
        let limit = try inv.args.int("limit", default: 1000)
        let (sent, failed) = try await inv.withAdapters { try await inv.workflow($0).sendFollowUps(now: now, limit: limit) }
        inv.print("sent \(sent), failed \(failed)")
        return failed > 0 ? 1 : 0
    }
}

extension Invocation {
    /// The `--name` option as seconds since 1970; now when absent.
    func time(_ name: String) throws -> Double {
        guard let raw = args.value(name) else { return Date().timeIntervalSince1970 }
        guard let t = Timestamp.parse(raw) else { throw UsageError("--\(name): expected an ISO 8601 time, got \"\(raw)\"") }
        return t
    }
}
