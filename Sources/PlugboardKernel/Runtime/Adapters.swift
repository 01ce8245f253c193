import Synchronization

/// The adapters built from one configuration, made on first use and shared.
/// The CLI and the server hold one; the workflow sees only the ports.
///
/// Every adapter handed out is wrapped in its policy layer (`PolicyStore`,
/// `PolicyCRM`, ...) built from its section's `retry` and `rate_limit`
/// (`CallPolicy(settings:)`): retries, rate budgets, metrics and call logging
/// live there, once, never in adapters.
public final class Adapters: Sendable {
    public let config: PlugboardConfig
    public let registry: Registry
    public let logger: Logger
    /// Where the policy layers count calls (`AdapterMetrics.shared` unless a test gives its own).
    public let metrics: AdapterMetrics
    private let built = Mutex<[Port: any Sendable]>([:])

    /// The storage adapter as built, and as handed out (under its policy layer).
    private struct BuiltStorage: Sendable {
        var raw: any DocumentStore
        var policed: any DocumentStore
    }

    public init(config: PlugboardConfig, registry: Registry, logger: Logger = Logger(label: "plugboard"),
                metrics: AdapterMetrics = .shared) {
        self.config = config
        var r = registry
        for e in config.pluginAdapters where r.entry(port: e.descriptor.port, name: e.descriptor.name) == nil { r.register(e) }
        self.registry = r
        self.logger = logger
        self.metrics = metrics
    }

    private func cached<T: Sendable>(_ port: Port, _ make: () async throws -> T) async throws -> T {
        if let x = built.withLock({ $0[port] }) as? T { return x }
        let made = try await make()
        return built.withLock { b in
            if let x = b[port] as? T { return x }
            b[port] = made
            return made
        }
    }

    /// The policy layer of one section.
    private func policy(_ s: AdapterSettings) -> CallPolicy {
        let nested = registry.entry(port: s.port, name: s.adapter)?.descriptor.capabilities
            .contains(AdapterDescriptor.nestedPolicies) ?? false
        return CallPolicy(settings: s, nested: nested, metrics: metrics, logger: logger)
    }

    /// Adapters that keep their data in the store (`local` CRM and tasks) get it
    /// without a layer: their own calls are already under their port's layer, and
    /// a second layer inside would multiply the retries.
    func context() async throws -> AdapterContext {
        AdapterContext(registry: registry, storage: try await builtStorage().raw, logger: logger)
    }

    private func builtStorage() async throws -> BuiltStorage {
        try await cached(.storage) {
            let s = try config.require(.storage)
            let raw = try await registry.makeStorage(s, AdapterContext(registry: registry, logger: logger))
            return BuiltStorage(raw: raw, policed: PolicyStore(raw, policy: policy(s)))
        }
    }

    public func storage() async throws -> any DocumentStore {
        try await builtStorage().policed
    }
    public func crm() async throws -> any CRM {
        try await cached(.crm) {
            let s = try config.require(.crm)
            return PolicyCRM(try await registry.makeCRM(s, try await context()), policy: policy(s))
        }
    }
    public func tasks() async throws -> any TaskTracker {
        try await cached(.tasks) {
            let s = try config.require(.tasks)
            return PolicyTasks(try await registry.makeTasks(s, try await context()), policy: policy(s))
        }
    }
    public func objects() async throws -> any ObjectStore {
        try await cached(.objects) {
            let s = try config.require(.objects)
            return PolicyObjects(try await registry.makeObjects(s, try await context()), policy: policy(s))
        }
    }
    public func llm() async throws -> any LanguageModel {
        try await cached(.llm) {
            let s = try config.require(.llm)
            return PolicyLanguageModel(try await registry.makeLLM(s, try await context()), policy: policy(s))
        }
    }
    public func notifier() async throws -> any Notifier {
        try await cached(.notify) {
            let s = try config.require(.notify)
            return PolicyNotifier(try await registry.makeNotifier(s, try await context()), policy: policy(s))
        }
    }

    /// Closes what was built (flushes files, releases locks and connections).
    public func close() async throws {
        let store = built.withLock { $0[.storage] } as? BuiltStorage
        try await store?.raw.close()
    }
}
