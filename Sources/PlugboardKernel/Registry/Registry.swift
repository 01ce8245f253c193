/// Builds an adapter of one port from its validated settings.
public enum AdapterFactory: Sendable {
    case storage(@Sendable (AdapterSettings, AdapterContext) async throws -> any DocumentStore)
    case crm(@Sendable (AdapterSettings, AdapterContext) async throws -> any CRM)
    case tasks(@Sendable (AdapterSettings, AdapterContext) async throws -> any TaskTracker)
    case objects(@Sendable (AdapterSettings, AdapterContext) async throws -> any ObjectStore)
    case llm(@Sendable (AdapterSettings, AdapterContext) async throws -> any LanguageModel)
    case notify(@Sendable (AdapterSettings, AdapterContext) async throws -> any Notifier)

    var port: Port {
        switch self {
        case .storage: return .storage
        case .crm: return .crm
        case .tasks: return .tasks
        case .objects: return .objects
        case .llm: return .llm
        case .notify: return .notify
        }
    }
}

/// What an adapter is given besides its settings: the other parts of the kernel it may use.
public struct AdapterContext: Sendable {
    /// The registry, for adapters built from nested sections (a fallback chain).
    public var registry: Registry
    /// The configured store, for adapters that keep their data in it (`local` CRM and tasks).
    public var storage: (any DocumentStore)?
    public var logger: Logger

    public init(registry: Registry, storage: (any DocumentStore)? = nil, logger: Logger = Logger(label: "plugboard")) {
        self.registry = registry
        self.storage = storage
        self.logger = logger
    }
}

/// The adapters the kernel knows, keyed by port and name.
public struct Registry: Sendable {
    public struct Entry: Sendable {
        public var descriptor: AdapterDescriptor
        public var factory: AdapterFactory
        public init(_ descriptor: AdapterDescriptor, _ factory: AdapterFactory) {
            precondition(descriptor.port == factory.port, "\(descriptor.name): descriptor and factory ports differ")
            self.descriptor = descriptor
            self.factory = factory
        }
    }

    private var entries: [Port: [String: Entry]] = [:]

    public init(_ entries: [Entry] = []) {
        for e in entries { register(e) }
    }

    public mutating func register(_ entry: Entry) {
        entries[entry.descriptor.port, default: [:]][entry.descriptor.name] = entry
    }

    public func entry(port: Port, name: String) -> Entry? { entries[port]?[name] }

    /// Adapter names of a port, sorted.
    public func names(for port: Port) -> [String] { (entries[port] ?? [:]).keys.sorted() }

    /// Every descriptor, by port then name.
    public var descriptors: [AdapterDescriptor] {
        Port.allCases.flatMap { p in names(for: p).map { entries[p]![$0]!.descriptor } }
    }

    /// Looks up an adapter, or says which ones exist.
    public func require(port: Port, name: String) throws -> Entry {
        if let e = entry(port: port, name: name) { return e }
        let known = names(for: port)
        throw PlugboardError.invalidConfiguration(
            "unknown \(port.rawValue) adapter \"\(name)\"; known: \(known.isEmpty ? "none" : known.joined(separator: ", "))")
    }

    // MARK: - Building

    public func makeStorage(_ s: AdapterSettings, _ c: AdapterContext) async throws -> any DocumentStore {
        guard case .storage(let f) = try require(port: .storage, name: s.adapter).factory else { throw wrongPort(s) }
        return try await f(s, c)
    }
    public func makeCRM(_ s: AdapterSettings, _ c: AdapterContext) async throws -> any CRM {
        guard case .crm(let f) = try require(port: .crm, name: s.adapter).factory else { throw wrongPort(s) }
        return try await f(s, c)
    }
    public func makeTasks(_ s: AdapterSettings, _ c: AdapterContext) async throws -> any TaskTracker {
        guard case .tasks(let f) = try require(port: .tasks, name: s.adapter).factory else { throw wrongPort(s) }
        return try await f(s, c)
    }
    public func makeObjects(_ s: AdapterSettings, _ c: AdapterContext) async throws -> any ObjectStore {
        guard case .objects(let f) = try require(port: .objects, name: s.adapter).factory else { throw wrongPort(s) }
        return try await f(s, c)
    }
    public func makeLLM(_ s: AdapterSettings, _ c: AdapterContext) async throws -> any LanguageModel {
        guard case .llm(let f) = try require(port: .llm, name: s.adapter).factory else { throw wrongPort(s) }
        return try await f(s, c)
    }
    public func makeNotifier(_ s: AdapterSettings, _ c: AdapterContext) async throws -> any Notifier {
        guard case .notify(let f) = try require(port: .notify, name: s.adapter).factory else { throw wrongPort(s) }
        return try await f(s, c)
    }

    private func wrongPort(_ s: AdapterSettings) -> PlugboardError {
        .internal("adapter \(s.adapter) is registered under another port")
    }
}
