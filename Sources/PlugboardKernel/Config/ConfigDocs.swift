/// Generates `docs/CONFIG.md` from the registry's descriptors: every adapter,
/// every field, its type, default, and whether it is a secret.
public enum ConfigDocs {
    public static func markdown(_ registry: Registry) -> String {
        var s = """
        # Configuration reference

        Generated from the adapters' descriptors by `plugboard config docs`; do not edit by hand.
        `adapters.json` has one section per port, `{"adapter": "<name>", ...fields}`, plus `workflow`, `server` and
        `plugins`. Any string value may use `${VAR}` or `${VAR:-default}` (from the environment or a `.env` file
        beside the config). Secrets are shown as `***` by `plugboard config show` and never logged.


        """
        for port in Port.allCases {
            let names = registry.names(for: port)
            guard !names.isEmpty else { continue }
            s += "## `\(port.rawValue)`\n\nDefault adapter: `\(port.embeddedDefault)`. Known: \(names.map { "`\($0)`" }.joined(separator: ", ")).\n\n"
            for name in names {
                let d = registry.entry(port: port, name: name)!.descriptor
                s += "### `\(port.rawValue)`: `\(name)`\n\n\(d.summary)\n\n"
                if !d.capabilities.isEmpty { s += "Capabilities: \(d.capabilities.map { "`\($0)`" }.joined(separator: ", ")).\n\n" }
                s += table(d.allFields)
            }
        }
        s += "## `workflow`\n\n" + table(ConfigSections.workflow)
        s += "## `server`\n\n" + table(ConfigSections.server)
        s += "## `plugins`\n\nAn array of paths to shared libraries that provide more adapters, relative to the config file.\n"
        return s
    }

    static func table(_ fields: [ConfigField]) -> String {
        var s = "| field | type | default | required | secret | description |\n|---|---|---|---|---|---|\n"
        for f in fields {
            let def = f.defaultValue.map { "`\($0.serialized())`" } ?? ""
            var desc = f.description
            if let e = f.environment { desc += " Falls back to `$\(e)`." }
            s += "| `\(f.name)` | \(f.kind.displayName) | \(def) | \(f.required ? "yes" : "") | \(f.secret ? "yes" : "") | \(desc.replacingOccurrences(of: "|", with: "\\|")) |\n"
        }
        return s + "\n"
    }
}
