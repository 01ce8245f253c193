import Foundation
import PlugboardKernel

struct ConfigCheckCommand: Command {
    static let words = ["config", "check"]
    static let summary = "Validate the configuration file and say what each port uses."
    static let synopsis = "[--config PATH]"
    static let details = "Every problem is listed as FILE: JSON.PATH: what was expected, what was found. Exit 2 when any."

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        let config = try inv.loadConfig()
        inv.print("\(config.file): OK")
        for port in Port.allCases {
            if let s = config.settings(port) { inv.print("  \(port.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(s.adapter)") }
        }
        return 0
    }
}

struct ConfigShowCommand: Command {
    static let words = ["config", "show"]
    static let summary = "Print the resolved configuration (defaults applied, ${VARS} resolved, secrets as ***)."
    static let synopsis = "[--config PATH]"

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        inv.print(try inv.loadConfig().redacted.serialized(pretty: true))
        return 0
    }
}

struct ConfigSchemaCommand: Command {
    static let words = ["config", "schema"]
    static let summary = "Print the JSON Schema of adapters.json, generated from the adapters' descriptors."
    static let synopsis = "[--out FILE]"
    static let options = [OptionSpec(name: "out", value: "FILE", help: "Write to FILE instead of standard output.")]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        try inv.emit(DefaultConfig.schemaText(inv.registry))
        return 0
    }
}

struct ConfigDocsCommand: Command {
    static let words = ["config", "docs"]
    static let summary = "Print the Markdown reference of every adapter's fields (docs/CONFIG.md)."
    static let synopsis = "[--out FILE]"
    static let options = [OptionSpec(name: "out", value: "FILE", help: "Write to FILE instead of standard output.")]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        try inv.emit(ConfigDocs.markdown(inv.registry))
        return 0
    }
}

struct AdaptersListCommand: Command {
    static let words = ["adapters", "list"]
    static let summary = "List the adapters compiled in and those of the configuration's plugins, by port, with their capabilities and settings."
    static let synopsis = "[--json] [--config PATH]"
    static let options = [OptionSpec(name: "json", value: nil, help: "Print descriptors as JSON (fields, types, defaults).")]
    static let details = "With a configuration file (--config, or the default one when present), its \"plugins\" are loaded and their adapters listed too."

    /// The compiled-in adapters, plus the run-time plugins' when there is a config file:
    /// a plugin adapter is listed like a built-in one. A config that does not load is said, not hidden.
    static func registry(_ inv: Invocation) -> Registry {
        guard FileManager.default.fileExists(atPath: inv.configPath) else { return inv.registry }
        do {
            return try inv.registry.addingPlugins(try inv.loadConfig().plugins)
        } catch {
            inv.warn("\(inv.configPath): \(error); listing the compiled-in adapters only")
            return inv.registry
        }
    }

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        let ds = registry(inv).descriptors
        if inv.args.flag("json") {
            inv.print(JSON.array(ds.map(describe)).serialized(pretty: true))
            return 0
        }
        inv.print("PORT     ADAPTER      DEFAULT  SUMMARY")
        for d in ds {
            let def = d.port.embeddedDefault == d.name ? "yes" : ""
            inv.print(d.port.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                      + d.name.padding(toLength: 13, withPad: " ", startingAt: 0)
                      + def.padding(toLength: 9, withPad: " ", startingAt: 0) + d.summary)
            if !d.fields.isEmpty {
                inv.print(String(repeating: " ", count: 31) + "fields: " + d.fields.map { $0.name + ($0.secret ? " (secret)" : "") }.joined(separator: ", "))
            }
            if !d.capabilities.isEmpty {
                inv.print(String(repeating: " ", count: 31) + "capabilities: " + d.capabilities.joined(separator: ", "))
            }
        }
        return 0
    }

    static func describe(_ d: AdapterDescriptor) -> JSON {
        [
            "port": .string(d.port.rawValue), "name": .string(d.name), "summary": .string(d.summary),
            "default": .bool(d.port.embeddedDefault == d.name),
            "capabilities": .array(d.capabilities.map(JSON.string)),
            "fields": .array(d.fields.map { f in
                var o: [String: JSON] = ["name": .string(f.name), "type": .string(f.kind.displayName),
                                         "required": .bool(f.required), "secret": .bool(f.secret),
                                         "description": .string(f.description)]
                if let d = f.defaultValue { o["default"] = d }
                if let e = f.environment { o["environment"] = .string(e) }
                return .object(o)
            }),
        ]
    }
}
