import PlugboardKernel

/// One order as scored: amount, time (seconds since 1970) and whether it was cancelled.
public struct ScoredOrder: Sendable, Hashable {
    public var amount: Double
    public var time: Double
    public var cancelled: Bool
    public init(amount: Double, time: Double, cancelled: Bool) { self.amount = amount; self.time = time; self.cancelled = cancelled }

    /// Reads an `orders` document (`amount`, `date`, `status`); nil without a readable date.
    public init?(_ body: JSON) {
        guard let t = body["date"]?.stringValue.flatMap(Timestamp.parse) else { return nil }
        amount = body["amount"]?.doubleValue ?? Double(body["amount"]?.stringValue ?? "") ?? 0
        time = t
        let s = body["status"]?.stringValue?.lowercased() ?? ""
        cancelled = s == "cancelled" || s == "canceled" || s == "annulée" || s == "annulee"
    }
}

/// A contact's risk (0-100, likely to leave) and engagement (0-100).
///
/// - inactivity = min(1, days since last order / `inactive_days`) (1 with no order)
/// - risk = 100 × (wI·inactivity + wV·min(1, total / `high_value`)·inactivity + wC·cancelled share) / (wI + wV + wC)
///   — value counts as risk only while the contact is inactive: a big spender who stopped is the one to keep.
/// - engagement = 100 × (½·(1 − inactivity) + ½·min(1, orders within `frequency_days` / `frequent_orders`))
public struct ContactScore: Sendable, Hashable {
    public var risk: Int
    public var engagement: Int
    public var orders: Int
    /// Sum of the non-cancelled orders.
    public var total: Double
    public var cancelled: Int
    /// Infinity without orders.
    public var daysSinceLastOrder: Double
    public var daysSinceFirstOrder: Double
    public var daysSinceLastCancellation: Double

    public init(orders list: [ScoredOrder], now: Double, settings c: ScoreSettings) {
        var total = 0.0, cancelled = 0, recent = 0
        var first = Double.infinity, last = -Double.infinity, lastCancel = -Double.infinity
        let recentFrom = now - c.frequencyDays * 86_400
        for o in list {
            if o.cancelled {
                cancelled += 1
                lastCancel = max(lastCancel, o.time)
            } else {
                total += o.amount
                if o.time >= recentFrom { recent += 1 }
            }
            first = min(first, o.time)
            last = max(last, o.time)
        }
        orders = list.count
        self.total = total
        self.cancelled = cancelled
        daysSinceLastOrder = list.isEmpty ? .infinity : max(0, (now - last) / 86_400)
        daysSinceFirstOrder = list.isEmpty ? .infinity : max(0, (now - first) / 86_400)
        daysSinceLastCancellation = cancelled == 0 ? .infinity : max(0, (now - lastCancel) / 86_400)
        let inactivity = min(1, daysSinceLastOrder / c.inactiveDays)
        let value = min(1, total / c.highValue)
        let cancelShare = list.isEmpty ? 0 : Double(cancelled) / Double(list.count)
        let weights = c.riskInactivityWeight + c.riskValueWeight + c.riskCancellationWeight
        let r = weights > 0
            ? (c.riskInactivityWeight * inactivity + c.riskValueWeight * value * inactivity + c.riskCancellationWeight * cancelShare) / weights
            : 0
        risk = ContactScore.percent(r)
        engagement = ContactScore.percent(0.5 * (1 - inactivity) + 0.5 * min(1, Double(recent) / c.frequentOrders))
    }

    static func percent(_ x: Double) -> Int { Int((min(1, max(0, x)) * 100).rounded()) }

    public var json: JSON {
        func days(_ d: Double) -> JSON { d.isFinite ? JSON((d * 10).rounded() / 10) : .null }
        return ["risk": JSON(risk), "engagement": JSON(engagement), "orders": JSON(orders), "total": JSON((total * 100).rounded() / 100),
                "cancelled": JSON(cancelled), "days_since_last_order": days(daysSinceLastOrder)]
    }
}
