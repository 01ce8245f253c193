import PlugboardKernel

/// `plugboard doctor`: nothing to reach; `none` creates no task.
extension DiscardingTaskTracker: HealthChecking {
    public func check() async -> HealthCheck {
        .passed("nothing to reach: no task is created")
    }
}
