import PlugboardKernel

/// `plugboard doctor`: nothing to reach; the rules run in the process.
extension RulesLanguageModel: HealthChecking {
    public func check() async -> HealthCheck {
        .passed("local keyword rules: no network, no key")
    }
}
