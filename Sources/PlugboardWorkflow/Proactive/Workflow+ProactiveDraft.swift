import Foundation
import PlugboardKernel

/// Proactive ticket drafts: at most one per contact per cooldown.
///
/// The guard is a record per contact in `proactive_guards`, changed only by
/// compare-and-set on its revision (like the threading record): the event that wins
/// the record names the draft, so concurrent events (several workers, several HTTP
/// requests) give one draft. The draft id is fixed in the record before the draft is
/// written, so a worker stopped between the two leaves a record whose draft the next
/// event over the threshold writes (an idempotent `.absent` put).
extension Workflow {
    public static let proactiveDrafts = CollectionSpec(name: "proactive_drafts", keyField: "draft_id", indexes: [
        IndexSpec(name: "status-created_at", partition: "status", sort: "created_at"),
    ])
    static let proactiveGuards = CollectionSpec(name: "proactive_guards", keyField: "contact_id")

    /// Returns the draft id for the contact, whether this call created it, and why not when it did not.
    func proactiveDraft(for email: String, at: Double) async throws -> (String?, Bool, String?) {
        let contactId = Workflow.contactId(email)
        let cooldown = Double(settings.proactive.cooldownHours) * 3600
        for _ in 0..<50 {
            let record = try await ports.storage.get(Workflow.proactiveGuards, id: contactId)
            if let record, let existing = record.body["draft_id"]?.stringValue {
                let until = record.body["cooldown_until"]?.stringValue.flatMap(Timestamp.parse) ?? 0
                let draft = try await ports.storage.get(Workflow.proactiveDrafts, id: existing)
                if draft == nil {
                    // The winner stopped before writing its draft: write it now, once.
                    let created = try await writeDraft(existing, email: email, at: at)
                    return (existing, created, created ? nil : "draft \(existing) already exists")
                }
                if at < until { return (existing, false, "cooldown: draft \(existing) until \(Timestamp.format(until))") }
                if draft?.body["status"]?.stringValue == "pending" { return (existing, false, "draft \(existing) is still pending") }
            }
            let id = "pro-" + String(Digest.sha256Hex(Array("\(contactId)|\(at)|\(UUID().uuidString)".utf8)).prefix(12))
            let claim: JSON = ["contact_id": .string(contactId), "email": .string(email), "draft_id": .string(id),
                               "claimed_at": .string(Timestamp.format(at)), "cooldown_until": .string(Timestamp.format(at + cooldown))]
            do {
                _ = try await ports.storage.put(Workflow.proactiveGuards, id: contactId, body: claim,
                                                condition: record.map { .revision($0.revision) } ?? .absent)
            } catch let e as PlugboardError where e.code == .conflict {
                continue
            }
            let created = try await writeDraft(id, email: email, at: at)
            return (id, created, nil)
        }
        throw PlugboardError(.conflict, "proactive guard of \(email) kept changing; try again", retryable: true)
    }

    /// Analyses the contact's recent activity and tickets and stores the draft; false when it already exists.
    func writeDraft(_ id: String, email: String, at: Double) async throws -> Bool {
        let p = settings.proactive
        let events = try await ports.storage.queryAll(.activities, IndexQuery(
            index: "contact-timestamp", partition: email,
            from: Timestamp.format(at - Double(p.activityDays) * 86_400), to: Timestamp.format(at), limit: 500)).map(\.body)
        let tickets = try await ports.storage.queryAll(.tickets, IndexQuery(
            index: "contact-updated_at", partition: Workflow.contactId(email),
            from: Timestamp.format(at - Double(p.ticketDays) * 86_400), limit: 200)).map(\.body)
        var analysis = ProactiveAnalysis.rules(events: events, tickets: tickets, settings: p, email: email)
        await refine(&analysis, email: email, events: events, tickets: tickets, draftId: id)
        let body: JSON = [
            "draft_id": .string(id), "contact_email": .string(email), "contact_id": .string(Workflow.contactId(email)),
            "is_proactive": true, "status": "pending", "subject": .string(analysis.subject),
            "description": .string(analysis.description), "priority": .string(analysis.priority),
            "proactive_analysis": analysis.json, "created_at": .string(Timestamp.format(at)),
        ]
        do {
            _ = try await ports.storage.put(Workflow.proactiveDrafts, id: id, body: body, condition: .absent)
            logger.info("proactive draft \(id) for \(email): \(analysis.problem)")
            return true
        } catch let e as PlugboardError where e.code == .conflict {
            return false
        }
    }

    /// Asks the `llm` port; a model's answer replaces the rules' summary, priority and message.
    /// The `rules` model only reads words, not activity, so its answer (and any refusal) keeps
    /// the deterministic analysis.
    func refine(_ a: inout ProactiveAnalysis, email: String, events: [JSON], tickets: [JSON], draftId: String) async {
        let lines = events.map { e in
            "\(e["timestamp"]?.stringValue ?? "?") \(e["type"]?.stringValue ?? "?") \(e["details"]?.serialized() ?? "{}")"
        }
        let data: JSON = ["email": .string(email), "rules_analysis": a.json,
                          "recent_tickets": .array(tickets.prefix(10).map { t in
                              ["ticket_id": t["ticket_id"] ?? .null, "subject": t["subject"] ?? .null, "status": t["status"] ?? .null]
                          })]
        let schema: JSON = ["type": "object", "required": ["urgency", "summary"], "properties": [
            "open_ticket": ["type": "boolean"], "urgency": ["enum": ["low", "medium", "high"]],
            "summary": ["type": "string", "maxLength": 300], "message": ["type": "string"],
        ]]
        do {
            let r = try await ask("proactive_analysis", ["customer": email, "events": lines.joined(separator: "\n"),
                                                         "window_hours": String(settings.proactive.windowHours),
                                                         "language": "French", "data": data.serialized(pretty: true)],
                                  schema: schema)
            guard r.provider != "rules" else { return }
            if let s = r.object["summary"]?.stringValue, !s.isEmpty { a.reasoning = s + " (" + a.reasoning + ")" }
            if let u = r.object["urgency"]?.stringValue { a.priority = u }
            if let m = r.object["message"]?.stringValue, !m.isEmpty { a.description = m }
            if r.object["open_ticket"] == .bool(false) { a.confidence = min(a.confidence, 0.3) }
            a.source = r.provider
        } catch {
            logger.warning("proactive analysis: the llm gave no usable answer; keeping the rules analysis",
                           ["draft": draftId, "error": PlugboardError.wrap(error).description])
        }
    }
}
