import Foundation

/// One adapter's validated configuration: the adapter's name, its fields with
/// defaults applied and `${VAR}`s resolved, and where they came from.
public struct AdapterSettings: Sendable {
    public var port: Port
    public var adapter: String
    public var values: [String: JSON]
    /// Names of fields that hold secrets (redacted when shown).
    public var secretFields: Set<String>
    /// The config file (for messages) and the folder relative paths resolve against.
    public var file: String
    public var directory: String
    /// The JSON path of this section (`storage`, `llm.chain[1]`).
    public var path: String
    /// Nested adapter sections (a fallback `chain`), validated like top-level ones,
    /// keyed by field name, in order. The field's entry in `values` keeps the raw sections.
    public var nested: [String: [AdapterSettings]] = [:]

    public init(port: Port, adapter: String, values: [String: JSON] = [:], secretFields: Set<String> = [],
                file: String = "adapters.json", directory: String = ".", path: String? = nil) {
        self.port = port
        self.adapter = adapter
        self.values = values
        self.secretFields = secretFields
        self.file = file
        self.directory = directory
        self.path = path ?? port.rawValue
    }

    public func string(_ name: String) -> String? { values[name]?.stringValue }
    public func int(_ name: String) -> Int? { values[name]?.intValue }
    public func double(_ name: String) -> Double? { values[name]?.doubleValue }
    public func bool(_ name: String) -> Bool? { values[name]?.boolValue }
    public func strings(_ name: String) -> [String]? { values[name]?.arrayValue?.compactMap(\.stringValue) }

    /// A required string field, or an error naming the file and path.
    public func requireString(_ name: String) throws -> String {
        guard let s = string(name), !s.isEmpty else {
            throw PlugboardError.invalidConfiguration("\(file): \(path).\(name): required, not set")
        }
        return s
    }

    /// A path field resolved against the config's folder (absolute paths kept).
    public func filePath(_ name: String) -> String? {
        guard let p = string(name) else { return nil }
        return AdapterSettings.resolve(p, against: directory)
    }

    public static func resolve(_ p: String, against directory: String) -> String {
        if p.hasPrefix("/") { return p }
        if p.hasPrefix("~/") { return NSString(string: p).expandingTildeInPath }
        return URL(fileURLWithPath: directory).appendingPathComponent(p).standardizedFileURL.path
    }

    /// An error about one field, in the house format.
    public func error(_ field: String, _ what: String) -> PlugboardError {
        .invalidConfiguration("\(file): \(path).\(field): \(what)", adapter: adapter)
    }

    /// The section as JSON with secrets replaced by `***`.
    public var redacted: JSON {
        var o: [String: JSON] = ["adapter": .string(adapter)]
        for (k, v) in values {
            if let sections = nested[k] {
                o[k] = .array(sections.map(\.redacted))
            } else {
                o[k] = secretFields.contains(k) ? .string("***") : ConfigLoader.redactNested(v)
            }
        }
        return .object(o)
    }
}
