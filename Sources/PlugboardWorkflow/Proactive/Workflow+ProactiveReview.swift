import PlugboardKernel

/// The team's review of proactive drafts: list, accept (the normal workflow runs), dismiss.
extension Workflow {
    /// Drafts with the given status (all when nil), oldest first.
    public func proactiveDrafts(status: String? = nil) async throws -> [JSON] {
        let statuses = status.map { [$0] } ?? ["pending", "accepted", "dismissed"]
        var out: [JSON] = []
        for s in statuses {
            out += try await ports.storage.queryAll(Workflow.proactiveDrafts,
                                                    IndexQuery(index: "status-created_at", partition: s, limit: 500)).map(\.body)
        }
        return out
    }

    func loadDraft(_ id: String) async throws -> StoredDocument {
        guard let d = try await ports.storage.get(Workflow.proactiveDrafts, id: id) else {
            throw PlugboardError.notFound("no proactive draft \(id) (see `plugboard proactive list`)")
        }
        return d
    }

    /// Runs the normal workflow on the draft (ticket, CRM, task, notification) and marks it
    /// accepted. The request id is the draft id, so accepting twice creates one ticket.
    public func acceptProactive(_ id: String) async throws -> IntakeResult {
        let d = try await loadDraft(id)
        let b = d.body
        if b["status"] == "dismissed" { throw PlugboardError(.conflict, "proactive draft \(id) was dismissed") }
        guard let email = b["contact_email"]?.stringValue else { throw PlugboardError.internal("proactive draft \(id) has no contact_email") }
        let request = IntakeRequest(
            source: "proactive", subject: b["subject"]?.stringValue ?? "Proactive ticket",
            description: b["description"]?.stringValue ?? "", userEmail: email, channel: "proactive", requestId: id,
            extra: ["is_proactive": true, "proactive_draft_id": .string(id), "priority": b["priority"] ?? .null,
                    "proactive_analysis": b["proactive_analysis"] ?? .null])
        let result = try await submit(request)
        if result.status != .failed {
            try await ports.storage.update(Workflow.proactiveDrafts, id: id) { body in
                body?["status"] = "accepted"
                if body?["accepted_at"] == nil { body?["accepted_at"] = .string(Timestamp.now()) }
                body?["ticket_id"] = result.ticketId.map(JSON.string) ?? .null
                body?["job_id"] = .string(result.jobId)
            }
        }
        return result
    }

    /// Marks the draft dismissed and starts the contact's cooldown from now.
    @discardableResult
    public func dismissProactive(_ id: String, reason: String? = nil, at: String? = nil) async throws -> JSON {
        let d = try await loadDraft(id)
        if d.body["status"] == "accepted" { throw PlugboardError(.conflict, "proactive draft \(id) was already accepted") }
        let now = at.flatMap(Timestamp.normalize) ?? Timestamp.now()
        let updated = try await ports.storage.update(Workflow.proactiveDrafts, id: id) { body in
            guard body?["status"] != "dismissed" else { return }
            body?["status"] = "dismissed"
            body?["dismissed_at"] = .string(now)
            body?["dismiss_reason"] = reason.map(JSON.string) ?? .null
        }
        if let contactId = d.body["contact_id"]?.stringValue {
            let until = (Timestamp.parse(now) ?? 0) + Double(settings.proactive.cooldownHours) * 3600
            try await ports.storage.update(Workflow.proactiveGuards, id: contactId) { body in
                guard var o = body?.objectValue, o["draft_id"]?.stringValue == id else { return }
                o["cooldown_until"] = .string(Timestamp.format(until))
                o["dismissed_at"] = .string(now)
                body = .object(o)
            }
        }
        return updated?.body ?? d.body
    }
}
