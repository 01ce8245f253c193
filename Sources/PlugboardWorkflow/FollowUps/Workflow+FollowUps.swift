import Foundation
import PlugboardKernel

/// Follow-ups: client orders are imported, each contact scored, and the first strategy
/// whose trigger holds drafts a message, within cooldowns, consent and a daily limit.
extension Workflow {
    /// Stores orders (idempotent by order id) and creates or updates their contacts.
    /// Returns (orders, contacts) written.
    public func importOrders(_ records: [JSON]) async throws -> (orders: Int, contacts: Int) {
        var docs: [Document] = []
        var contacts: [String: [String: JSON]] = [:]
        for (i, r) in records.enumerated() {
            let (order, email, contact) = try OrderImport.order(r, at: i)
            docs.append(Document(id: order["order_id"]!.stringValue!, body: order))
            contacts[email, default: [:]].merge(contact) { _, new in new }
        }
        for chunk in stride(from: 0, to: docs.count, by: 500) {
            try await ports.storage.batchPut(Workflow.orders, Array(docs[chunk..<min(docs.count, chunk + 500)]))
        }
        for (email, fields) in contacts {
            let id = Workflow.contactId(email)
            try await ports.storage.update(.contacts, id: id) { body in
                var o = body?.objectValue ?? ["contact_id": .string(id), "email": .string(email), "created_at": .string(Timestamp.now())]
                for (k, v) in fields where k != "name" || o["name"] == nil { o[k] = v }
                body = .object(o)
            }
        }
        return (docs.count, contacts.count)
    }

    /// The contact's orders, oldest first.
    public func orders(of email: String) async throws -> [JSON] {
        try await ports.storage.queryAll(Workflow.orders, IndexQuery(index: "contact-date", partition: email.lowercased(), limit: 1000)).map(\.body)
    }

    /// Whether the contact agreed to be written to: `consent` and `marketing_consent` are not false.
    static func hasConsent(_ contact: JSON) -> Bool {
        contact["consent"] != .bool(false) && contact["marketing_consent"] != .bool(false)
    }

    /// Drafts the follow-ups due at `now` and stores them as `planned` (unless `dryRun`).
    /// A follow-up's id is the contact, strategy and day, so planning twice a day plans once.
    public func planFollowUps(now: Double = Date().timeIntervalSince1970, dryRun: Bool = false) async throws -> FollowUpPlan {
        let f = settings.followups
        var plan = FollowUpPlan()
        let day = String(Timestamp.format(now).prefix(10))
        let dayStart = Timestamp.parse(day + "T00:00:00Z") ?? now
        var used = 0
        for status in ["planned", "sending", "sent", "failed"] {
            used += try await ports.storage.queryAll(.followups, IndexQuery(
                index: "status-scheduled_at", partition: status, from: Timestamp.format(dayStart),
                to: Timestamp.format(dayStart + 86_400 - 0.001), limit: 1000)).filter { $0.body["planned_on"]?.stringValue == day }.count
        }
        let month = Int(Timestamp.format(now).dropFirst(5).prefix(2)) ?? 1
        for try await batch in ports.storage.scan(.contacts, batchSize: 500) {
            for c in batch {
                guard let email = c.body["email"]?.stringValue else { continue }
                let orders = try await self.orders(of: email)
                if orders.isEmpty { continue }
                let score = ContactScore(orders: orders.compactMap(ScoredOrder.init), now: now, settings: f.scores)
                guard let strategy = f.strategies.first(where: { $0.trigger.holds(score, month: month) }) else { continue }
                guard Workflow.hasConsent(c.body) else { plan.skipped.append((email, strategy.name, "no consent")); continue }
                if let last = try await lastFollowUp(email, strategy: strategy.name),
                   now - last < Double(strategy.cooldownDays) * 86_400 {
                    plan.skipped.append((email, strategy.name, "cooldown")); continue
                }
                guard used < f.dailyLimit else { plan.skipped.append((email, strategy.name, "daily limit")); continue }
                let id = "fu-" + String(Digest.sha256Hex(Array("\(email)|\(strategy.name)|\(day)".utf8)).prefix(16))
                let message = await followUpMessage(strategy, contact: c.body, score: score, id: id)
                let body: JSON = [
                    "followup_id": .string(id), "contact_email": .string(email), "contact_id": .string(Workflow.contactId(email)),
                    "strategy": .string(strategy.name), "priority": JSON(strategy.priority),
                    "channels": .array(strategy.channels.map(JSON.string)), "subject": .string(message.subject),
                    "message": .string(message.text), "source": .string(message.source), "scores": score.json,
                    "status": "planned", "planned_on": .string(day), "created_at": .string(Timestamp.format(now)),
                    "scheduled_at": .string(Timestamp.format(now + Double(strategy.delayHours) * 3600)),
                ]
                if !dryRun {
                    do {
                        _ = try await ports.storage.put(.followups, id: id, body: body, condition: .absent)
                    } catch let e as PlugboardError where e.code == .conflict {
                        plan.skipped.append((email, strategy.name, "already planned today")); continue
                    }
                }
                used += 1
                plan.planned.append(body)
            }
        }
        return plan
    }

    /// When the contact last got (or was planned) a follow-up of this strategy; failed ones do not count.
    func lastFollowUp(_ email: String, strategy: String) async throws -> Double? {
        let all = try await ports.storage.queryAll(.followups, IndexQuery(index: "contact-created_at", partition: email, limit: 500))
        return all.filter { $0.body["strategy"]?.stringValue == strategy && $0.body["status"] != "failed" }
            .compactMap { $0.body["created_at"]?.stringValue.flatMap(Timestamp.parse) }.max()
    }

    /// The model's message for the strategy; the strategy's template when there is no model
    /// (the `rules` model does not write letters) or its answer is unusable.
    func followUpMessage(_ s: FollowUpStrategy, contact: JSON, score: ContactScore, id: String) async -> (subject: String, text: String, source: String) {
        let name = contact["name"]?.stringValue?.split(separator: " ").first.map(String.init) ?? ""
        func fill(_ t: String) -> String {
            t.replacingOccurrences(of: "{name}", with: name)
                .replacingOccurrences(of: "{days}", with: score.daysSinceLastOrder.isFinite ? String(Int(score.daysSinceLastOrder)) : "?")
                .replacingOccurrences(of: "{total}", with: String(format: "%.2f", score.total))
                .replacingOccurrences(of: "Bonjour ,", with: "Bonjour,")
        }
        let fallback = (fill(s.subject), fill(s.template), "template")
        let schema: JSON = ["type": "object", "required": ["subject", "message"],
                            "properties": ["subject": ["type": "string", "minLength": 1], "message": ["type": "string", "minLength": 1]]]
        let data: JSON = ["strategy": .string(s.name), "instructions": .string(s.prompt), "template": .string(fallback.1),
                          "scores": score.json]
        do {
            let r = try await ask("followup", [
                "customer_name": name, "subject": s.prompt, "summary": fallback.1, "category": s.name,
                "risk_score": String(format: "%.2f", Double(score.risk) / 100),
                "engagement_score": String(format: "%.2f", Double(score.engagement) / 100),
                "days_since_contact": score.daysSinceLastOrder.isFinite ? String(Int(score.daysSinceLastOrder)) : "never",
                "language": "French", "data": data.serialized(pretty: true),
            ], schema: schema)
            guard r.provider != "rules", let subject = r.object["subject"]?.stringValue, let text = r.object["message"]?.stringValue,
                  !subject.isEmpty, !text.isEmpty else { return fallback }
            return (subject, text, r.provider)
        } catch {
            logger.debug("follow-up \(id): the llm gave no usable message; using the template", ["error": PlugboardError.wrap(error).description])
            return fallback
        }
    }

    /// Sends the planned follow-ups scheduled at or before `now` through the notify port,
    /// recording each as sent or failed. A follow-up is claimed (`sending`) by compare-and-set
    /// first, so two senders never both send it; the notification's key is its id.
    public func sendFollowUps(now: Double = Date().timeIntervalSince1970, limit: Int = 1000) async throws -> (sent: Int, failed: Int) {
        let due = try await ports.storage.queryAll(.followups, IndexQuery(
            index: "status-scheduled_at", partition: "planned", to: Timestamp.format(now), limit: min(limit, 500)))
        var sent = 0, failed = 0
        for d in due.prefix(limit) {
            var body = d.body
            body["status"] = "sending"
            let rev: Int64
            do { rev = try await ports.storage.put(.followups, id: d.id, body: body, condition: .revision(d.revision)) } catch let e as PlugboardError where e.code == .conflict { continue }
            let email = body["contact_email"]?.stringValue ?? "?"
            do {
                try await ports.notifier.send(TeamNotification(
                    subject: "Follow-up to \(email): \(body["subject"]?.stringValue ?? "")",
                    text: "To: \(email)\nChannels: \((body["channels"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", "))\n\n"
                        + (body["message"]?.stringValue ?? ""), key: d.id))
                body["status"] = "sent"
                body["sent_at"] = .string(Timestamp.format(now))
                sent += 1
            } catch {
                body["status"] = "failed"
                body["error"] = .string(PlugboardError.wrap(error).description)
                failed += 1
            }
            _ = try await ports.storage.put(.followups, id: d.id, body: body, condition: .revision(rev))
        }
        return (sent, failed)
    }
}

/// What `planFollowUps` did: the follow-ups planned and the contacts skipped, with why.
public struct FollowUpPlan: Sendable {
    public var planned: [JSON] = []
    public var skipped: [(email: String, strategy: String, reason: String)] = []

    public var json: JSON {
        ["planned": .array(planned),
         "skipped": .array(skipped.map { ["email": .string($0.email), "strategy": .string($0.strategy), "reason": .string($0.reason)] })]
    }
}
