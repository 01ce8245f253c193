import PlugboardKernel

/// One kind of follow-up and when it applies. Every condition in `when` must hold;
/// an absent condition does not constrain.
public struct FollowUpStrategy: Sendable, Hashable {
    /// The trigger conditions (`when` in config).
    public struct Trigger: Sendable, Hashable {
        /// The first order at most this many days ago.
        public var newWithinDays: Double?
        public var maxOrders: Int?
        /// No order for at least this many days.
        public var minInactiveDays: Double?
        /// Spent at least this much in total (non-cancelled orders).
        public var minTotal: Double?
        public var minRisk: Int?
        public var minEngagement: Int?
        /// A cancelled order within this many days.
        public var cancelledWithinDays: Double?
        /// Months (1-12, UTC) when the strategy runs.
        public var months: [Int]?

        init(_ j: JSON?) {
            newWithinDays = j?["new_within_days"]?.doubleValue
            maxOrders = j?["max_orders"]?.intValue
            minInactiveDays = j?["min_inactive_days"]?.doubleValue
            minTotal = j?["min_total"]?.doubleValue
            minRisk = j?["min_risk"]?.intValue
            minEngagement = j?["min_engagement"]?.intValue
            cancelledWithinDays = j?["cancelled_within_days"]?.doubleValue
            months = j?["months"]?.arrayValue?.compactMap(\.intValue)
        }

        func holds(_ s: ContactScore, month: Int) -> Bool {
            if let d = newWithinDays, !(s.orders > 0 && s.daysSinceFirstOrder <= d) { return false }
            if let m = maxOrders, s.orders > m { return false }
            if let d = minInactiveDays, !(s.daysSinceLastOrder >= d) { return false }
            if let t = minTotal, s.total < t { return false }
            if let r = minRisk, s.risk < r { return false }
            if let e = minEngagement, s.engagement < e { return false }
            if let d = cancelledWithinDays, !(s.daysSinceLastCancellation <= d) { return false }
            if let ms = months, !ms.contains(month) { return false }
            return true
        }
    }

    public var name: String
    public var enabled: Bool
    /// Higher first when several strategies apply to a contact.
    public var priority: Int
    /// No second follow-up of this strategy to a contact within this many days.
    public var cooldownDays: Int
    /// Notify channels (names recorded on the follow-up; the notify port sends).
    public var channels: [String]
    /// Instructions added to the `followup` prompt.
    public var prompt: String
    /// The subject and message when no model writes one; `{name}`, `{days}`, `{total}` placeholders.
    public var subject: String
    public var template: String
    /// Hours after planning at which it is sent.
    public var delayHours: Int
    public var trigger: Trigger

    init(name: String, _ j: JSON, base: FollowUpStrategy? = nil) throws {
        self.name = name
        enabled = j["enabled"]?.boolValue ?? base?.enabled ?? true
        priority = j["priority"]?.intValue ?? base?.priority ?? 1
        cooldownDays = j["cooldown_days"]?.intValue ?? base?.cooldownDays ?? 30
        channels = j["channels"]?.arrayValue?.compactMap(\.stringValue) ?? base?.channels ?? ["email"]
        prompt = j["prompt"]?.stringValue ?? base?.prompt ?? ""
        subject = j["subject"]?.stringValue ?? base?.subject ?? "Des nouvelles de votre côté ?"
        template = j["template"]?.stringValue ?? base?.template ?? "Bonjour {name},\n\nNous voulions prendre de vos nouvelles.\n\nL'équipe"
        delayHours = j["delay_hours"]?.intValue ?? base?.delayHours ?? 0
        trigger = j["when"].map { Trigger($0) } ?? base?.trigger ?? Trigger(nil)
    }

    static func make(_ name: String, _ j: JSON) -> FollowUpStrategy { try! FollowUpStrategy(name: name, j) }

    /// The built-in strategies; `workflow.followups.strategies` overrides them field by field or adds others.
    public static let defaults: [FollowUpStrategy] = [
        make("welcome_new_client", ["priority": 3, "cooldown_days": 365, "when": ["new_within_days": 14, "max_orders": 1],
                                    "prompt": "Welcome a new client after their first order.",
                                    "subject": "Bienvenue !",
                                    "template": "Bonjour {name},\n\nMerci pour votre première commande ! Nous restons à votre disposition pour toute question.\n\nL'équipe"]),
        make("inactive_client_reminder", ["priority": 2, "cooldown_days": 30, "when": ["min_inactive_days": 30],
                                          "prompt": "Remind an inactive client that we are here, without pressure.",
                                          "subject": "Vous nous manquez",
                                          "template": "Bonjour {name},\n\nCela fait {days} jours que nous ne vous avons pas vu. Pouvons-nous vous aider ?\n\nL'équipe"]),
        make("high_value_retention", ["priority": 5, "cooldown_days": 30, "when": ["min_total": 1000, "min_risk": 50],
                                      "prompt": "Thank a high-value client and offer personal help to keep them.",
                                      "subject": "Merci pour votre fidélité",
                                      "template": "Bonjour {name},\n\nMerci pour votre confiance ({total} € de commandes). Un conseiller se tient à votre disposition.\n\nL'équipe"]),
        make("cancellation_followup", ["priority": 4, "cooldown_days": 30, "when": ["cancelled_within_days": 30],
                                       "prompt": "Ask, kindly, why the client cancelled and whether we can help.",
                                       "subject": "Votre annulation",
                                       "template": "Bonjour {name},\n\nNous avons vu l'annulation de votre commande. Pouvons-nous faire quelque chose pour vous ?\n\nL'équipe"]),
        make("seasonal_promotion", ["priority": 1, "cooldown_days": 60, "when": ["months": [11, 12], "min_engagement": 40],
                                    "prompt": "Tell an engaged client about the season's offers.",
                                    "subject": "Nos offres de saison",
                                    "template": "Bonjour {name},\n\nNos offres de fin d'année sont là. Au plaisir de vous revoir !\n\nL'équipe"]),
    ]
}
