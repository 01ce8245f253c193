/// The six ports of the kernel.
public enum Port: String, Sendable, CaseIterable, Comparable {
    case storage, crm, tasks, objects, llm, notify

    public static func < (a: Port, b: Port) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The adapter used when `adapters.json` has no section for the port.
    public var embeddedDefault: String {
        switch self {
        case .storage: return "sqlite"
        case .crm: return "local"
        case .tasks: return "local"
        case .objects: return "filesystem"
        case .llm: return "rules"
        case .notify: return "log"
        }
    }
}

/// One configuration field of an adapter or section.
public struct ConfigField: Sendable {
    public enum Kind: Sendable, Equatable {
        case string, integer, number, boolean
        case stringList
        case object
        case choice([String])
        /// A list of adapter sections of a port (a fallback chain).
        case adapters(Port)

        /// A short name for help text and generated docs.
        public var displayName: String { name }

        var name: String {
            switch self {
            case .string: return "string"
            case .integer: return "integer"
            case .number: return "number"
            case .boolean: return "boolean"
            case .stringList: return "array of strings"
            case .object: return "object"
            case .choice(let c): return "one of " + c.map { "\"\($0)\"" }.joined(separator: ", ")
            case .adapters(let p): return "array of \(p.rawValue) adapter sections"
            }
        }
    }

    public var name: String
    public var kind: Kind
    public var required: Bool
    public var defaultValue: JSON?
    /// Never printed or logged; shown as `***`.
    public var secret: Bool
    /// An environment variable used when the field is absent (`AWS_ACCESS_KEY_ID`).
    public var environment: String?
    public var description: String

    public init(_ name: String, _ kind: Kind, required: Bool = false, default defaultValue: JSON? = nil,
                secret: Bool = false, environment: String? = nil, _ description: String) {
        self.name = name
        self.kind = kind
        self.required = required
        self.defaultValue = defaultValue
        self.secret = secret
        self.environment = environment
        self.description = description
    }
}

/// What an adapter declares about itself: the registry builds it from config through this.
public struct AdapterDescriptor: Sendable {
    public var port: Port
    public var name: String
    public var summary: String
    public var fields: [ConfigField]
    /// Optional behaviours the adapter supports (`transactions`, `presigned_urls`, ...).
    public var capabilities: [String]

    public init(port: Port, name: String, summary: String, fields: [ConfigField], capabilities: [String] = []) {
        self.port = port
        self.name = name
        self.summary = summary
        self.fields = fields
        self.capabilities = capabilities
    }

    /// Fields every adapter accepts: the kernel's policy layer reads them.
    public static let policyFields: [ConfigField] = [
        ConfigField("retry", .object, "Retry policy: {\"max_attempts\": 3, \"base_delay\": 0.2} (seconds)."),
        ConfigField("rate_limit", .object, "Rate budget: {\"requests\": 100, \"per_seconds\": 10}."),
    ]

    public var allFields: [ConfigField] { fields + AdapterDescriptor.policyFields }
}
