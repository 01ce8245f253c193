import Foundation
import PlugboardKernel
@testable import PlugboardWorkflow
import Testing

@Suite struct FollowUpTests {
    static let now = 1_749_000_000.0  // 2025-06-04, not a seasonal month
    static func day(_ d: Double) -> String { Timestamp.format(now - d * 86_400) }

    /// new (first order 3 days ago), inactive (last order 40 days ago), cancelled (10 days ago), no-consent (inactive).
    static let sampleOrders: [JSON] = [
        ["order_id": "1", "email": "new@example.com", "amount": 30, "date": .string(day(3)), "status": "completed", "name": "Nina New"],
        ["order_id": "2", "email": "idle@example.com", "amount": 20, "date": .string(day(40)), "status": "completed"],
        ["order_id": "3", "email": "cancel@example.com", "amount": 50, "date": .string(day(100)), "status": "completed"],
        ["order_id": "4", "email": "cancel@example.com", "amount": 50, "date": .string(day(10)), "status": "cancelled"],
        ["order_id": "5", "email": "nope@example.com", "amount": 20, "date": .string(day(60)), "status": "completed", "consent": "false"],
    ]

    let settings = ScoreSettings()
    func score(_ orders: [ScoredOrder]) -> ContactScore { ContactScore(orders: orders, now: Self.now, settings: settings) }
    func order(daysAgo: Double, amount: Double = 10, cancelled: Bool = false) -> ScoredOrder {
        ScoredOrder(amount: amount, time: Self.now - daysAgo * 86_400, cancelled: cancelled)
    }

    @Test func scoreBoundaries() {
        // No orders: fully inactive, nothing at stake, nothing cancelled.
        let none = score([])
        #expect(none.risk == 50 && none.engagement == 0)
        // Just ordered, six orders in the frequency window: fully engaged, no risk.
        let busy = score((0..<6).map { _ in order(daysAgo: 0) })
        #expect(busy.risk == 0 && busy.engagement == 100)
        // Everything cancelled, long ago, high value: risk at its maximum.
        let lost = score([order(daysAgo: 400, amount: 2000, cancelled: true), order(daysAgo: 400, amount: 2000)])
        #expect(lost.risk == Int((100 * (0.5 + 0.2 + 0.3 * 0.5)).rounded()))
        #expect((0...100).contains(lost.risk) && lost.engagement == 0)
        let maxed = score([order(daysAgo: 365, amount: 5000, cancelled: true)])
        #expect(maxed.risk == 80)  // no value at stake: the only order was cancelled
        // Inactivity reaches 1 exactly at inactive_days.
        #expect(score([order(daysAgo: 90)]).risk == score([order(daysAgo: 200)]).risk)
        #expect(score([order(daysAgo: 45)]).risk < score([order(daysAgo: 90)]).risk)
    }

    @Test func strategiesFollowTheirTriggers() async throws {
        let h = try WorkflowHarness(); defer { h.cleanup() }
        let wf = h.workflow()
        let (orders, contacts) = try await wf.importOrders(Self.sampleOrders)
        #expect(orders == 5 && contacts == 4)
        let plan = try await wf.planFollowUps(now: Self.now)
        var byEmail: [String: String] = [:]
        for p in plan.planned { byEmail[p["contact_email"]!.stringValue!] = p["strategy"]?.stringValue }
        #expect(byEmail == ["new@example.com": "welcome_new_client", "idle@example.com": "inactive_client_reminder",
                            "cancel@example.com": "cancellation_followup"])
        #expect(plan.skipped.contains { $0.email == "nope@example.com" && $0.reason == "no consent" })
        let welcome = try #require(plan.planned.first { $0["contact_email"] == "new@example.com" })
        #expect(welcome["message"]?.stringValue?.contains("Nina") == true)
        #expect(welcome["source"] == "template")
    }

    @Test func cooldownAndSameDayReplanning() async throws {
        let h = try WorkflowHarness(); defer { h.cleanup() }
        let wf = h.workflow()
        _ = try await wf.importOrders(Self.sampleOrders)
        #expect(try await wf.planFollowUps(now: Self.now).planned.count == 3)
        // Same day again, then 29 days later (cooldown 30 days): nothing new.
        #expect(try await wf.planFollowUps(now: Self.now + 3600).planned.isEmpty)
        let later = try await wf.planFollowUps(now: Self.now + 29 * 86_400)
        #expect(!later.planned.contains { $0["contact_email"] == "idle@example.com" })
        #expect(later.skipped.contains { $0.email == "idle@example.com" && $0.reason == "cooldown" })
        // After the cooldown the reminder is due again.
        let after = try await wf.planFollowUps(now: Self.now + 31 * 86_400)
        #expect(after.planned.contains { $0["contact_email"] == "idle@example.com" && $0["strategy"] == "inactive_client_reminder" })
    }

    @Test func dailyLimit() async throws {
        let h = try WorkflowHarness(); defer { h.cleanup() }
        let wf = h.workflow(settings: try WorkflowSettings(["followups": ["daily_limit": 2]]))
        _ = try await wf.importOrders(Self.sampleOrders)
        let plan = try await wf.planFollowUps(now: Self.now)
        #expect(plan.planned.count == 2)
        #expect(plan.skipped.filter { $0.reason == "daily limit" }.count == 1)
        // Later the same day the limit is still used up; the next day it is not.
        #expect(try await wf.planFollowUps(now: Self.now + 60).planned.isEmpty)
        #expect(try await wf.planFollowUps(now: Self.now + 86_400).planned.count == 1)
    }

    @Test func configuredStrategyAndSend() async throws {
        let h = try WorkflowHarness(); defer { h.cleanup() }
        let wf = h.workflow(settings: try WorkflowSettings(["followups": ["strategies": [
            "welcome_new_client": ["enabled": false],
            "inactive_client_reminder": ["when": ["min_inactive_days": 50], "delay_hours": 2],
        ]]]))
        _ = try await wf.importOrders(Self.sampleOrders)
        let plan = try await wf.planFollowUps(now: Self.now)
        #expect(plan.planned.map { $0["strategy"]?.stringValue ?? "" }.sorted() == ["cancellation_followup"])
        _ = try await wf.importOrders([["order_id": "9", "email": "idle2@example.com", "amount": 5, "date": .string(Self.day(55)), "marketing_consent": true]])
        let more = try await wf.planFollowUps(now: Self.now + 10)
        #expect(more.planned.first?["strategy"] == "inactive_client_reminder")
        // The reminder waits two hours; the cancellation follow-up goes now.
        #expect(try await wf.sendFollowUps(now: Self.now + 60).sent == 1)
        #expect(try await wf.sendFollowUps(now: Self.now + 3 * 3600).sent == 1)
        #expect(try await wf.sendFollowUps(now: Self.now + 4 * 3600).sent == 0)
        #expect(try h.notificationCounts().count == 2)
    }

    @Test func importFormats() throws {
        let rows = try OrderImport.csv("order_id,email,amount,date,status\n1,a@example.com,\"1,5\",2025-01-02,cancelled\r\n2,b@example.com,3,2025-01-03,\n")
        #expect(rows.count == 2)
        let o = try OrderImport.order(rows[0], at: 0)
        #expect(o.order["amount"]?.doubleValue == 1.5 && o.order["status"] == "cancelled")
        #expect(throws: PlugboardError.self) { try OrderImport.order(["order_id": "x", "email": "a@example.com", "date": "yesterday"], at: 0) }
    }
}
