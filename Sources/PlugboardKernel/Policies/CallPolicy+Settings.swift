extension CallPolicy {
    /// The retry policy when an adapter's config has no `retry`: 3 attempts in all,
    /// 0.2 s base delay, 30 s cap (storage adapters alike).
    public static let defaultRetry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(200), maxDelay: .seconds(30))

    /// The layer for one adapter section: its `retry` and `rate_limit` settings
    /// over the defaults (`defaultRetry`; the vendor's published rate limit for
    /// hubspot, clickup and notion, none for others).
    ///
    /// `nested`: the adapter wraps other adapters that carry their own layers (an
    /// LLM fallback chain). Its own layer then neither retries nor budgets unless
    /// its section says so, because retrying the chain would retry every link again.
    public init(settings: AdapterSettings, nested: Bool = false, metrics: AdapterMetrics = .shared,
                logger: Logger = Logger(label: "plugboard"), clock: any PolicyClock = ContinuousPolicyClock()) {
        let retry = RetryPolicy(settings: settings.values["retry"], default: nested ? .none : CallPolicy.defaultRetry)
        let limit = nested && settings.values["rate_limit"] == nil
            ? nil : RateBudget.Limit.from(settings: settings.values["rate_limit"], adapter: settings.adapter)
        self.init(port: settings.port, adapter: settings.adapter, retry: retry, budget: RateBudget(limit: limit, clock: clock),
                  metrics: metrics, logger: logger, clock: clock)
    }
}

extension AdapterDescriptor {
    /// The capability an adapter declares when it is built from nested adapter
    /// sections that each get their own policy layer (`CallPolicy(settings:)`
    /// around every link): the kernel's layer around the adapter itself then
    /// defaults to no retry and no budget, so retries never stack.
    public static let nestedPolicies = "nested_policies"
}
