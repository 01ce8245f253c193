import PlugboardKernel

/// The `workflow.proactive` object: when activity signals open a proactive ticket draft.
public struct ProactiveSettings: Sendable, Hashable {
    /// Critical events within `windowHours` that make a draft.
    public var threshold: Int
    public var windowHours: Int
    /// After a draft (or its dismissal), no new draft for the contact for this long.
    public var cooldownHours: Int
    /// Activity events older than this are deleted when the contact logs a new one.
    public var retentionDays: Int
    /// Days of activity and of tickets the analysis reads.
    public var activityDays: Int
    public var ticketDays: Int
    /// FAQ searches count as critical only from this many in the window on (a repeated search).
    public var repeatedSearches: Int

    public init(_ j: JSON? = nil) {
        threshold = max(1, j?["threshold"]?.intValue ?? 3)
        windowHours = max(1, j?["window_hours"]?.intValue ?? 24)
        cooldownHours = max(0, j?["cooldown_hours"]?.intValue ?? 72)
        retentionDays = max(1, j?["retention_days"]?.intValue ?? 90)
        activityDays = max(1, j?["activity_days"]?.intValue ?? 7)
        ticketDays = max(1, j?["ticket_days"]?.intValue ?? 30)
        repeatedSearches = max(1, j?["repeated_searches"]?.intValue ?? 2)
    }
}
