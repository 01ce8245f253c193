import Foundation
import PlugboardKernel
import PlugboardWorkflow

/// Scores `contacts` contacts with `orders` orders generated in memory and reports time and peak memory.
public enum ScoresBench {
    public static func run(contacts: Int, orders: Int, log: (String) -> Void) {
        let now = 1_735_689_600.0  // 2025-01-01
        let settings = ScoreSettings()
        var rng = SystemRandomNumberGenerator()
        let started = ContinuousClock.now
        // Orders grouped by contact as they would come from the contact-date index.
        var byContact = [[ScoredOrder]](repeating: [], count: contacts)
        for i in 0..<orders {
            let c = Int.random(in: 0..<contacts, using: &rng)
            byContact[c].append(ScoredOrder(amount: Double(Int.random(in: 5...500, using: &rng)),
                                            time: now - Double(Int.random(in: 0...(730 * 86_400), using: &rng)),
                                            cancelled: i % 13 == 0))
        }
        let generated = ContinuousClock.now
        var riskSum = 0, engagementSum = 0, highRisk = 0
        for list in byContact {
            let s = ContactScore(orders: list, now: now, settings: settings)
            riskSum += s.risk; engagementSum += s.engagement
            if s.risk >= 50 { highRisk += 1 }
        }
        let scored = ContinuousClock.now
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ d: Duration) -> String { String(format: "%.3f", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) }
        log("scores: \(contacts) contacts, \(orders) orders; generated in \(seconds(generated - started)) s, scored in \(seconds(scored - generated)) s")
        log("mean risk \(riskSum / max(1, contacts)), mean engagement \(engagementSum / max(1, contacts)), \(highRisk) contacts at risk >= 50")
        log("peak RSS \(usage.ru_maxrss / 1024) MiB")
    }
}

struct BenchScoresCommand: Command {
    static let words = ["bench", "scores"]
    static let summary = "Score 100,000 contacts with 1,000,000 orders in memory; print seconds and peak memory."
    static let synopsis = "[--contacts N] [--orders N]"
    static let options = [
        OptionSpec(name: "contacts", value: "N", help: "Contacts (default 100000)."),
        OptionSpec(name: "orders", value: "N", help: "Orders (default 1000000)."),
    ]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        let contacts = try inv.args.int("contacts", default: 100_000)
        let orders = try inv.args.int("orders", default: 1_000_000, range: 0...Int.max)
        ScoresBench.run(contacts: contacts, orders: orders) { inv.print($0) }
        return 0
    }
}
