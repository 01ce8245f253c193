import Foundation
import PlugboardKernel
import PlugboardWorkflow

struct ActivityLogCommand: Command {
    static let words = ["activity", "log"]
    static let summary = "Record a customer activity event; enough critical ones draft a proactive ticket."
    static let synopsis = "--email E --type T [--details JSON] [--at ISO] [--json]"
    static let details = """
    Types: page_view, faq_search, form_error, login_failed, error_occurred, timeout_occurred. Form errors, failed
    logins, errors, timeouts and repeated FAQ searches are critical: when a contact reaches workflow.proactive.threshold
    (default 3) within window_hours (24), one proactive ticket draft is made (see `plugboard proactive list`), and no
    other for that contact until cooldown_hours (72) have passed. The same function serves `POST /activity`.
    """
    static let options = [
        OptionSpec(name: "email", value: "E", help: "The customer's e-mail address."),
        OptionSpec(name: "type", value: "T", help: "The event type."),
        OptionSpec(name: "details", value: "JSON", help: "A JSON object kept with the event (page, field, query, error...)."),
        OptionSpec(name: "at", value: "ISO", help: "When it happened (default: now)."),
        OptionSpec(name: "json", value: nil, help: "Print the outcome as JSON."),
    ]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        guard let email = inv.args.value("email") else { throw UsageError("--email is required") }
        guard let type = inv.args.value("type") else { throw UsageError("--type is required") }
        var details = JSON.object([:])
        if let d = inv.args.value("details") {
            do { details = try JSONParser.parse(Array(d.utf8)) } catch { throw UsageError("--details: not JSON: \(error)") }
        }
        let event = try ActivityEvent(email: email, type: type, details: details, at: inv.args.value("at"))
        let outcome = try await inv.withAdapters { try await inv.workflow($0).logActivity(event) }
        if inv.args.flag("json") { inv.print(outcome.json.serialized()); return 0 }
        inv.print("logged \(outcome.activityId) (\(outcome.criticalEvents) critical event\(outcome.criticalEvents == 1 ? "" : "s") in the window)")
        if let d = outcome.draftId { inv.print("proactive draft \(d) created; see `plugboard proactive list`") }
        if let n = outcome.note { inv.print("no new draft: \(n)") }
        return 0
    }
}

struct ProactiveListCommand: Command {
    static let words = ["proactive", "list"]
    static let summary = "List proactive ticket drafts (pending by default)."
    static let synopsis = "[--status pending|accepted|dismissed|all] [--json]"
    static let options = [
        OptionSpec(name: "status", value: "S", help: "Which drafts (default pending)."),
        OptionSpec(name: "json", value: nil, help: "Print the drafts as a JSON array."),
    ]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        let status = inv.args.value("status") ?? "pending"
        let drafts = try await inv.withAdapters { try await inv.workflow($0).proactiveDrafts(status: status == "all" ? nil : status) }
        if inv.args.flag("json") { inv.print(JSON.array(drafts).serialized(pretty: true)); return 0 }
        let rows = drafts.map { d -> [String] in
            [d["draft_id"]?.stringValue ?? "", d["status"]?.stringValue ?? "", d["contact_email"]?.stringValue ?? "",
             d["priority"]?.stringValue ?? "", d["proactive_analysis"]?["problem_detected"]?.stringValue ?? "",
             d["proactive_analysis"]?["confidence"]?.serialized() ?? "", String((d["subject"]?.stringValue ?? "").prefix(50))]
        }
        inv.console.out(Table.render(header: ["DRAFT", "STATUS", "CONTACT", "PRIORITY", "PROBLEM", "CONF", "SUBJECT"], rows: rows))
        inv.print("\(drafts.count) draft\(drafts.count == 1 ? "" : "s")")
        return 0
    }
}

struct ProactiveAcceptCommand: Command {
    static let words = ["proactive", "accept"]
    static let summary = "Accept a proactive draft: the normal workflow creates the ticket, CRM ticket, task and notification."
    static let synopsis = "ID [--json]"
    static let options = [OptionSpec(name: "json", value: nil, help: "Print the workflow result as JSON.")]

    static func run(_ inv: Invocation) async throws -> Int32 {
        let id = try inv.args.positional(0, "draft ID")
        try inv.args.noMorePositionals(than: 1)
        let r = try await inv.withAdapters { try await inv.workflow($0).acceptProactive(id) }
        IntakeCommand.print(r, inv)
        return r.status == .failed ? 1 : 0
    }
}

struct ProactiveDismissCommand: Command {
    static let words = ["proactive", "dismiss"]
    static let summary = "Dismiss a proactive draft; the contact's cooldown starts now."
    static let synopsis = "ID [--reason TEXT]"
    static let options = [OptionSpec(name: "reason", value: "TEXT", help: "Why, kept with the draft.")]

    static func run(_ inv: Invocation) async throws -> Int32 {
        let id = try inv.args.positional(0, "draft ID")
        try inv.args.noMorePositionals(than: 1)
        _ = try await inv.withAdapters { try await inv.workflow($0).dismissProactive(id, reason: inv.args.value("reason")) }
        inv.print("dismissed \(id)")
        return 0
    }
}
