import Foundation
import PlugboardKernel
@testable import PlugboardWorkflow
import StorageSQLite
import Testing

@Suite struct ProactiveTests {
    static let t0 = 1_767_225_600.0  // 2026-01-01T00:00:00Z
    func at(_ hours: Double) -> String { Timestamp.format(Self.t0 + hours * 3600) }

    func log(_ wf: Workflow, _ email: String, _ type: String, hours: Double) async throws -> ActivityOutcome {
        try await wf.logActivity(try ActivityEvent(email: email, type: type, details: ["page": "/login"], at: at(hours)))
    }

    func drafts(_ wf: Workflow) async throws -> [JSON] { try await wf.proactiveDrafts() }

    @Test func threeFailedLoginsMakeOneDraft() async throws {
        let h = try WorkflowHarness(); defer { h.cleanup() }
        let wf = h.workflow()
        #expect(try await log(wf, "ana@example.com", "login_failed", hours: 0).draftId == nil)
        #expect(try await log(wf, "ana@example.com", "login_failed", hours: 1).draftId == nil)
        let third = try await log(wf, "ana@example.com", "login_failed", hours: 2)
        #expect(third.criticalEvents == 3)
        #expect(third.draftId != nil)
        // However many events follow within the cooldown, no second draft.
        for i in 3..<8 { #expect(try await log(wf, "ana@example.com", "error_occurred", hours: Double(i)).draftId == nil) }
        let all = try await drafts(wf)
        #expect(all.count == 1)
        let d = try #require(all.first)
        #expect(d["is_proactive"] == .bool(true))
        #expect(d["proactive_analysis"]?["problem_detected"] == "login_problem")
        #expect(d["subject"]?.stringValue?.isEmpty == false)
        #expect(d["priority"]?.stringValue != nil)
        #expect(d["proactive_analysis"]?["confidence"]?.doubleValue ?? 0 > 0)
    }

    @Test func belowThresholdOrOutsideTheWindowMakesNothing() async throws {
        let h = try WorkflowHarness(); defer { h.cleanup() }
        let wf = h.workflow()
        // Page views never count; one FAQ search alone is not repeated.
        for i in 0..<5 { _ = try await log(wf, "bo@example.com", "page_view", hours: Double(i)) }
        _ = try await log(wf, "bo@example.com", "faq_search", hours: 5)
        _ = try await log(wf, "bo@example.com", "form_error", hours: 6)
        #expect(try await drafts(wf).isEmpty)
        // Three errors, but spread over more than 24 hours.
        _ = try await log(wf, "cy@example.com", "timeout_occurred", hours: 0)
        _ = try await log(wf, "cy@example.com", "timeout_occurred", hours: 20)
        let late = try await log(wf, "cy@example.com", "timeout_occurred", hours: 24.5)
        #expect(late.criticalEvents == 2)
        #expect(try await drafts(wf).isEmpty)
        // A second FAQ search makes both count: 2 searches + 1 form error = 3.
        let r = try await log(wf, "bo@example.com", "faq_search", hours: 7)
        #expect(r.criticalEvents == 3)
        #expect(r.draftId != nil)
    }

    @Test func configuredThresholdAndDetailsValidation() async throws {
        let h = try WorkflowHarness(); defer { h.cleanup() }
        let wf = h.workflow(settings: try WorkflowSettings(["proactive": ["threshold": 2]]))
        _ = try await log(wf, "di@example.com", "form_error", hours: 0)
        #expect(try await log(wf, "di@example.com", "form_error", hours: 1).draftId != nil)
        #expect(throws: PlugboardError.self) { try ActivityEvent(email: "di@example.com", type: "clicked") }
        #expect(throws: PlugboardError.self) { try ActivityEvent(email: "not-an-email", type: "page_view") }
        #expect(throws: PlugboardError.self) { try ActivityEvent(email: "di@example.com", type: "page_view", details: [1, 2]) }
    }

    @Test func dismissStartsTheCooldownThenANewDraftIsPossible() async throws {
        let h = try WorkflowHarness(); defer { h.cleanup() }
        let wf = h.workflow(settings: try WorkflowSettings(["proactive": ["cooldown_hours": 10]]))
        for i in 0..<3 { _ = try await log(wf, "ed@example.com", "error_occurred", hours: Double(i)) }
        let first = try #require(try await drafts(wf).first?["draft_id"]?.stringValue)
        try await wf.dismissProactive(first, reason: "known outage", at: at(5))
        // Cooldown runs until 5 h + 10 h = 15 h.
        #expect(try await log(wf, "ed@example.com", "error_occurred", hours: 14).draftId == nil)
        // After it, the events still in the window make a new draft at once.
        let again = try await log(wf, "ed@example.com", "error_occurred", hours: 16)
        #expect(again.draftId != nil && again.draftId != first)
        #expect(try await wf.proactiveDrafts(status: "dismissed").count == 1)
        #expect(try await wf.proactiveDrafts(status: "pending").count == 1)
    }

    @Test func concurrentEventsGiveOneDraft() async throws {
        let h = try WorkflowHarness(); defer { h.cleanup() }
        let wf = h.workflow()
        for i in 0..<2 { _ = try await log(wf, "fa@example.com", "login_failed", hours: Double(i)) }
        try await withThrowingTaskGroup(of: Void.self) { g in
            for i in 0..<20 { g.addTask { _ = try await self.log(wf, "fa@example.com", "login_failed", hours: 2 + Double(i) / 100) } }
            try await g.waitForAll()
        }
        #expect(try await drafts(wf).count == 1)
    }

    @Test func acceptRunsTheWorkflowOnce() async throws {
        let h = try WorkflowHarness(); defer { h.cleanup() }
        let wf = h.workflow()
        for i in 0..<3 { _ = try await log(wf, "gu@example.com", "form_error", hours: Double(i)) }
        let id = try #require(try await drafts(wf).first?["draft_id"]?.stringValue)
        let r = try await wf.acceptProactive(id)
        #expect(r.isNewTicket)
        let again = try await wf.acceptProactive(id)
        #expect(again.ticketId == r.ticketId)
        let tickets = try await h.tickets()
        #expect(tickets.count == 1)
        #expect(tickets.first?.body["is_proactive"] == .bool(true))
        #expect(tickets.first?.body["source"] == "proactive")
        #expect(try await wf.proactiveDrafts(status: "accepted").first?["ticket_id"]?.stringValue == r.ticketId)
        await #expect(throws: PlugboardError.self) { try await wf.dismissProactive(id) }
    }

    @Test func retentionDeletesOldEvents() async throws {
        let h = try WorkflowHarness(); defer { h.cleanup() }
        let wf = h.workflow(settings: try WorkflowSettings(["proactive": ["retention_days": 1]]))
        _ = try await log(wf, "ha@example.com", "page_view", hours: 0)
        _ = try await log(wf, "ha@example.com", "page_view", hours: 30)
        #expect(try await wf.activity(of: "ha@example.com").count == 1)
    }

    @Test func worksOnSQLite() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-pro-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try await SQLiteStore(path: dir.appendingPathComponent("p.db").path)
        let h = try WorkflowHarness(store: store); defer { h.cleanup() }
        let wf = h.workflow()
        for i in 0..<5 { _ = try await log(wf, "ia@example.com", "login_failed", hours: Double(i)) }
        #expect(try await drafts(wf).count == 1)
        _ = try await wf.importOrders(FollowUpTests.sampleOrders)
        let plan = try await wf.planFollowUps(now: FollowUpTests.now)
        #expect(plan.planned.count == 3)
        #expect(try await wf.sendFollowUps(now: FollowUpTests.now + 1).sent == 3)
        try await store.close()
    }
}
