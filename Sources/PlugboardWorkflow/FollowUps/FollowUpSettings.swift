import PlugboardKernel

/// The `workflow.followups` object: score formulas, strategies and the daily limit.
public struct FollowUpSettings: Sendable, Hashable {
    /// Follow-ups planned per calendar day (UTC), all strategies together.
    public var dailyLimit: Int
    public var scores: ScoreSettings
    /// By descending priority, then name: the first strategy whose trigger holds is the one drafted.
    public var strategies: [FollowUpStrategy]

    public init(_ j: JSON? = nil) throws {
        dailyLimit = max(0, j?["daily_limit"]?.intValue ?? 50)
        scores = ScoreSettings(j?["scores"])
        var byName: [String: FollowUpStrategy] = [:]
        for s in FollowUpStrategy.defaults { byName[s.name] = s }
        if let raw = j?["strategies"], !raw.isNull {
            guard case .object(let o) = raw else {
                throw PlugboardError.invalidConfiguration("workflow.followups.strategies: expected an object (name → strategy), got \(raw.typeName)")
            }
            for (name, spec) in o {
                guard case .object = spec else {
                    throw PlugboardError.invalidConfiguration("workflow.followups.strategies.\(name): expected an object, got \(spec.typeName)")
                }
                byName[name] = try FollowUpStrategy(name: name, spec, base: byName[name])
            }
        }
        strategies = byName.values.filter(\.enabled).sorted { ($0.priority, $1.name) > ($1.priority, $0.name) }
    }
}

/// The thresholds of the risk and engagement formulas (see `ContactScore`).
public struct ScoreSettings: Sendable, Hashable {
    /// Days without an order at which the inactivity part of risk is full.
    public var inactiveDays: Double
    /// Total spent at which a contact counts as high value (and the value part of risk is full).
    public var highValue: Double
    /// Orders in the last `frequencyDays` that make engagement's frequency part full.
    public var frequentOrders: Double
    public var frequencyDays: Double
    /// Weights of risk's parts (inactivity, value at stake, cancellations); they need not sum to 1.
    public var riskInactivityWeight: Double
    public var riskValueWeight: Double
    public var riskCancellationWeight: Double

    public init(_ j: JSON? = nil) {
        inactiveDays = max(1, j?["inactive_days"]?.doubleValue ?? 90)
        highValue = max(1, j?["high_value"]?.doubleValue ?? 1000)
        frequentOrders = max(1, j?["frequent_orders"]?.doubleValue ?? 6)
        frequencyDays = max(1, j?["frequency_days"]?.doubleValue ?? 180)
        riskInactivityWeight = j?["risk_inactivity_weight"]?.doubleValue ?? 0.5
        riskValueWeight = j?["risk_value_weight"]?.doubleValue ?? 0.2
        riskCancellationWeight = j?["risk_cancellation_weight"]?.doubleValue ?? 0.3
    }
}
