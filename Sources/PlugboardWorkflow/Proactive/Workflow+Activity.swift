import Foundation
import PlugboardKernel

/// Activity signals: every event is stored in `activities`; when a contact's critical
/// events within the window reach the threshold, a proactive ticket draft is made
/// (see `Workflow+ProactiveDraft.swift`).
extension Workflow {
    /// Records one event, prunes the contact's events past retention, and drafts a
    /// proactive ticket when the threshold is reached. The function behind
    /// `plugboard activity log` and `POST /activity`.
    public func logActivity(_ event: ActivityEvent) async throws -> ActivityOutcome {
        let p = settings.proactive
        let id = "act-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let body: JSON = ["activity_id": .string(String(id)), "contact_email": .string(event.email),
                          "contact_id": .string(Workflow.contactId(event.email)), "type": .string(event.kind.rawValue),
                          "details": event.details, "timestamp": .string(event.at)]
        _ = try await ports.storage.put(.activities, id: String(id), body: body, condition: .absent)
        let at = Timestamp.parse(event.at) ?? Date().timeIntervalSince1970
        try await pruneActivity(of: event.email, before: at - Double(p.retentionDays) * 86_400)

        let window = try await ports.storage.queryAll(.activities, IndexQuery(
            index: "contact-timestamp", partition: event.email,
            from: Timestamp.format(at - Double(p.windowHours) * 3600), to: event.at, limit: 500))
        let critical = Workflow.criticalCount(window.map(\.body), settings: p)
        var outcome = ActivityOutcome(activityId: String(id), criticalEvents: critical)
        guard critical >= p.threshold else { return outcome }
        let (draftId, created, note) = try await proactiveDraft(for: event.email, at: at)
        outcome.draftId = created ? draftId : nil
        outcome.note = note
        return outcome
    }

    /// Critical events among `events`: form errors, failed logins, errors and timeouts,
    /// and FAQ searches once there are `repeatedSearches` of them.
    static func criticalCount(_ events: [JSON], settings p: ProactiveSettings) -> Int {
        var critical = 0, searches = 0
        for e in events {
            guard let k = e["type"]?.stringValue.flatMap(ActivityEvent.Kind.init) else { continue }
            if k.alwaysCritical { critical += 1 } else if k == .faqSearch { searches += 1 }
        }
        return critical + (searches >= p.repeatedSearches ? searches : 0)
    }

    /// Deletes the contact's events older than `cutoff` (a few pages at a time; the rest go next time).
    func pruneActivity(of email: String, before cutoff: Double) async throws {
        let page = try await ports.storage.query(.activities, IndexQuery(
            index: "contact-timestamp", partition: email, to: Timestamp.format(cutoff - 0.001), limit: 200))
        for d in page.documents {
            _ = try await ports.storage.delete(.activities, id: d.id, condition: .none)
        }
    }

    /// The contact's events from `from` on, oldest first.
    public func activity(of email: String, since from: String? = nil) async throws -> [JSON] {
        try await ports.storage.queryAll(.activities, IndexQuery(index: "contact-timestamp", partition: email.lowercased(),
                                                                 from: from, limit: 500)).map(\.body)
    }
}
