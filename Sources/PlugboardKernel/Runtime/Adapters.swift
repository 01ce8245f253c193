import Synchronization

/// The adapters built from one configuration, made on first use and shared.
/// The CLI and the server hold one; the workflow sees only the ports.
public final class Adapters: Sendable {
    public let config: PlugboardConfig
    public let registry: Registry
    public let logger: Logger
    private let built = Mutex<[Port: any Sendable]>([:])

    public init(config: PlugboardConfig, registry: Registry, logger: Logger = Logger(label: "plugboard")) {
        self.config = config
        self.registry = registry
        self.logger = logger
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

    func context() async throws -> AdapterContext {
        AdapterContext(registry: registry, storage: try await storage(), logger: logger)
    }

    public func storage() async throws -> any DocumentStore {
        try await cached(.storage) {
            try await registry.makeStorage(try config.require(.storage), AdapterContext(registry: registry, logger: logger))
        }
    }
    public func crm() async throws -> any CRM {
        try await cached(.crm) { try await registry.makeCRM(try config.require(.crm), try await context()) }
    }
    public func tasks() async throws -> any TaskTracker {
        try await cached(.tasks) { try await registry.makeTasks(try config.require(.tasks), try await context()) }
    }
    public func objects() async throws -> any ObjectStore {
        try await cached(.objects) { try await registry.makeObjects(try config.require(.objects), try await context()) }
    }
    public func llm() async throws -> any LanguageModel {
        try await cached(.llm) { try await registry.makeLLM(try config.require(.llm), try await context()) }
    }
    public func notifier() async throws -> any Notifier {
        try await cached(.notify) { try await registry.makeNotifier(try config.require(.notify), try await context()) }
    }

    /// Closes what was built (flushes files, releases locks and connections).
    public func close() async throws {
        let store = built.withLock { $0[.storage] } as? any DocumentStore
        try await store?.close()
    }
}
