import Foundation
import PlugboardKernel

/// Threading: exactly one open ticket per conversation, even when requests for
/// one contact arrive at the same instant on several workers.
///
/// The guard is a conversation record per contact in the `threads` collection,
/// changed only by compare-and-set on its revision (never an in-process lock):
/// the request that wins the record names the new ticket and stores that
/// ticket's first version inside it, so any worker can materialize the ticket
/// (an idempotent create) and append to it. A worker killed between winning the
/// record and creating the ticket leaves nothing half-done: the next reader
/// creates the ticket from the record.
extension Workflow {
    static let threads = CollectionSpec(name: "threads", keyField: "contact_id")
    static let messageRefs = CollectionSpec(name: "message_refs", keyField: "ref")

    static func ticketId(forJob jobId: String) -> String {
        "TKT-" + String(jobId.split(separator: "-").last ?? "").prefix(12).uppercased()
    }

    static func refId(_ messageId: String) -> String { Digest.sha256Hex(Array(messageId.utf8)).prefix(32).description }

    func thread(_ s: StepState) async throws -> JSON {
        let contactId = s["contact"]["contact_id"]?.stringValue ?? Workflow.contactId(s.request.userEmail)
        let mine = Workflow.ticketId(forJob: s.jobId)
        let at = s.receivedAt
        let message = newMessage(s, at: at)

        // 0. This very message was already threaded (a step retried after its effect landed). A job
        // created by this very call cannot have threaded it, unless another request (another request
        // id) carried the same message id.
        let mayBeThreaded = !s.fresh || (s.request.requestId != nil && s.request.messageId != nil)
        if mayBeThreaded, let ref = try await ports.storage.get(Workflow.messageRefs, id: Workflow.refId(s.messageId)),
           let ticketId = ref.body["ticket_id"]?.stringValue {
            return ["ticket_id": .string(ticketId), "is_new": .bool(ticketId == mine), "contact_id": .string(contactId), "via": "retry"]
        }

        // 1. A reply joins the ticket it answers, while that ticket is open.
        if let parent = s.request.inReplyTo,
           let ref = try await ports.storage.get(Workflow.messageRefs, id: Workflow.refId(parent)),
           let ticketId = ref.body["ticket_id"]?.stringValue,
           let ticket = try await ports.storage.get(.tickets, id: ticketId).flatMap({ Ticket($0.body) }),
           isOpen(ticket) {
            try await append(message, to: ticketId, at: at, usage: Workflow.usageEntries(s), draft: s["reply"]["draft"])
            try await remember(s.messageId, ticketId)
            return ["ticket_id": .string(ticketId), "is_new": false, "contact_id": .string(contactId), "via": "in_reply_to"]
        }

        // 2. The contact's open ticket updated within the window, else a new one.
        let windowStart = (Timestamp.parse(at) ?? Date().timeIntervalSince1970) - Double(settings.threadingWindowDays) * 86_400
        for _ in 0..<50 {
            let record = try await ports.storage.get(Workflow.threads, id: contactId)
            if let record, let ticketId = record.body["ticket_id"]?.stringValue {
                let ticket = try await materialize(ticketId, from: record)
                let recent = (ticket.body["updated_at"]?.stringValue).flatMap(Timestamp.parse).map { $0 >= windowStart } ?? false
                if ticketId == mine || (isOpen(ticket) && recent) {
                    let isNew = ticketId == mine
                    if !isNew { try await append(message, to: ticketId, at: at, usage: Workflow.usageEntries(s), draft: s["reply"]["draft"]) }
                    try await remember(s.messageId, ticketId)
                    return ["ticket_id": .string(ticketId), "is_new": .bool(isNew), "contact_id": .string(contactId),
                            "via": isNew ? "created" : "open_ticket"]
                }
            }
            // Claim the conversation for a new ticket; losing the race means re-reading who won.
            let first = newTicket(mine, s, contactId: contactId, message: message, at: at)
            let claim: JSON = ["contact_id": .string(contactId), "ticket_id": .string(mine), "initial": first,
                               "claimed_at": .string(Timestamp.now())]
            do {
                try await ports.storage.put(Workflow.threads, id: contactId, body: claim,
                                            condition: record.map { .revision($0.revision) } ?? .absent)
            } catch let e as PlugboardError where e.code == .conflict {
                continue
            }
            // Won: the ticket is created here (a conflict means a reader of the record already did).
            do {
                try await ports.storage.put(.tickets, id: mine, body: first, condition: .absent)
            } catch let e as PlugboardError where e.code == .conflict {}
            try await remember(s.messageId, mine)
            return ["ticket_id": .string(mine), "is_new": true, "contact_id": .string(contactId), "via": "created"]
        }
        throw PlugboardError(.conflict, "conversation of \(s.request.userEmail) kept changing; will retry", retryable: true)
    }

    func isOpen(_ t: Ticket) -> Bool {
        guard let st = t.status else { return false }
        return settings.openStatuses.contains(st) && !t.isClosed
    }

    func newMessage(_ s: StepState, at: String) -> JSON {
        var m: [String: JSON] = ["id": .string(s.messageId), "role": "user", "content": .string(s.request.description),
                                 "timestamp": .string(at), "subject": .string(s.request.subject),
                                 "channel": .string(s.request.channel)]
        let files = s["attachments"]["files"]?.arrayValue ?? []
        if !files.isEmpty { m["attachments"] = .array(files) }
        return .object(m)
    }

    func newTicket(_ id: String, _ s: StepState, contactId: String, message: JSON, at: String) -> JSON {
        let a = s["analyse"]
        var o: [String: JSON] = s.request.extra
        o["ticket_id"] = .string(id)
        o["status"] = .string(settings.openStatus)
        o["channel"] = .string(s.request.channel)
        o["source"] = .string(s.request.source)
        o["subject"] = .string(s.request.subject)
        o["created_at"] = .string(at)
        o["updated_at"] = .string(at)
        o["closed_at"] = .null
        o["resolution_duration"] = .null
        o["contact_id"] = .string(contactId)
        o["customer"] = ["email": .string(s.request.userEmail), "name": s.request.userName.map(JSON.string) ?? .null]
        o["analytics"] = [
            "sentiment": a["sentiment"] ?? .null, "category": a["category"] ?? s["classify"]["category"] ?? .null,
            "urgency": a["urgency"] ?? .null, "summary": a["summary"] ?? .null,
        ]
        Workflow.addUsage(Workflow.usageEntries(s), to: &o)
        if let d = s["reply"]["draft"] { o["draft_reply"] = d }
        if let n = s["classify"]["order_number"], !n.isNull { o["order_number"] = n }
        let files = s["attachments"]["files"]?.arrayValue ?? []
        if !files.isEmpty { o["fichiers_urls"] = .array(files.compactMap { ($0["url"]?.stringValue ?? $0["key"]?.stringValue).map(JSON.string) }) }
        o["messages"] = [message]
        return .object(o)
    }

    /// Creates the ticket a conversation record names, if it does not exist yet (idempotent).
    func materialize(_ ticketId: String, from record: StoredDocument) async throws -> Ticket {
        if let t = try await ports.storage.get(.tickets, id: ticketId).flatMap({ Ticket($0.body) }) { return t }
        guard let initial = record.body["initial"] else {
            throw PlugboardError(.internal, "conversation \(record.id) names ticket \(ticketId) without its first version")
        }
        do {
            try await ports.storage.put(.tickets, id: ticketId, body: initial, condition: .absent)
        } catch let e as PlugboardError where e.code == .conflict {}
        guard let t = try await ports.storage.get(.tickets, id: ticketId).flatMap({ Ticket($0.body) }) else {
            throw PlugboardError(.unavailable, "ticket \(ticketId) vanished while being created", retryable: true)
        }
        return t
    }

    /// Appends a message unless the ticket already has it (a retried step adds nothing),
    /// with the language-model usage of the request that brought it.
    func append(_ message: JSON, to ticketId: String, at: String, usage: [JSON] = [], draft: JSON? = nil) async throws {
        let id = message["id"]
        try await ports.storage.update(.tickets, id: ticketId) { body in
            guard var o = body?.objectValue else { throw PlugboardError.notFound("no ticket \(ticketId)") }
            var messages = o["messages"]?.arrayValue ?? []
            if messages.contains(where: { $0["id"] == id }) { return }
            messages.append(message)
            o["messages"] = .array(messages)
            if let draft { o["draft_reply"] = draft }
            Workflow.addUsage(usage, to: &o)
            let current = o["updated_at"]?.stringValue.flatMap(Timestamp.normalize) ?? ""
            o["updated_at"] = .string(max(current, Timestamp.normalize(at) ?? at))
            body = .object(o)
        }
    }

    func remember(_ messageId: String?, _ ticketId: String) async throws {
        guard let messageId else { return }
        try await ports.storage.put(Workflow.messageRefs, id: Workflow.refId(messageId),
                                    body: ["ref": .string(Workflow.refId(messageId)), "message_id": .string(messageId),
                                           "ticket_id": .string(ticketId)])
    }

    // MARK: - CRM mirror

    /// Mirrors the ticket to the CRM: a new ticket is created there (keyed by our
    /// ticket id) and linked to the contact; a follow-up becomes a note.
    func mirrorToCRM(_ s: StepState) async throws -> JSON {
        guard let ticketId = s["thread"]["ticket_id"]?.stringValue,
              let crmContact = s["contact"]["crm_contact_id"]?.stringValue else { return ["skipped": true] }
        if s["thread"]["is_new"]?.boolValue == true {
            let a = s["analyse"]
            var props: [String: JSON] = ["plugboard_ticket_id": .string(ticketId), "channel": .string(s.request.channel)]
            for k in ["category", "urgency", "sentiment"] { if let v = a[k], !v.isNull { props[k] = v } }
            let files = s["attachments"]["files"]?.arrayValue?.compactMap { $0["url"]?.stringValue ?? $0["key"]?.stringValue } ?? []
            if !files.isEmpty { props["fichiers_urls"] = .string(files.joined(separator: "\n")) }
            let t = try await ports.crm.createTicket(CRMTicketDraft(subject: s.request.subject, description: s.request.description,
                                                                    contactId: crmContact, properties: props, key: ticketId))
            // No linkTicket: the port's contract has createTicket link the ticket to the draft's contact.
            try await ports.storage.update(.tickets, id: ticketId) { body in
                body?["crm_ticket_id"] = .string(t.id)
                if let u = t.url { body?["ticket_url"] = .string(u) }
            }
            return ["crm_ticket_id": .string(t.id), "ticket_url": t.url.map(JSON.string) ?? .null]
        }
        // A follow-up: the CRM ticket is created by the request that opened the conversation.
        guard let ticket = try await ports.storage.get(.tickets, id: ticketId),
              let crmTicket = ticket.body["crm_ticket_id"]?.stringValue else {
            throw PlugboardError(.unavailable, "ticket \(ticketId) is not in the CRM yet; the note will follow", retryable: true)
        }
        let note = try await ports.crm.addNote(ticketId: crmTicket, body: "\(s.request.subject)\n\n\(s.request.description)",
                                               at: s.receivedAt, key: s.messageId)
        return ["crm_ticket_id": .string(crmTicket), "note_id": .string(note),
                "ticket_url": ticket.body["ticket_url"] ?? .null]
    }
}
