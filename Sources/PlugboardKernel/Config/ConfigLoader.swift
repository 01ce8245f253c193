import Foundation

/// The whole validated configuration.
public struct PlugboardConfig: Sendable {
    public var file: String
    public var directory: String
    /// One section per port; ports absent from the file get their embedded default.
    public var ports: [Port: AdapterSettings]
    public var workflow: [String: JSON]
    public var server: [String: JSON]
    public var serverSecrets: Set<String>
    /// Shared libraries to load adapters from, resolved against the config folder.
    public var plugins: [String]
    /// The adapters those libraries provide (`Adapters` adds them to its registry).
    public var pluginAdapters: [Registry.Entry] = []

    /// The port's settings; nil when the port is not configured.
    public func settings(_ port: Port) -> AdapterSettings? { ports[port] }

    /// The port's settings, or an error saying the port has no adapter.
    public func require(_ port: Port) throws -> AdapterSettings {
        guard let s = ports[port] else {
            throw PlugboardError.invalidConfiguration("\(file): \(port.rawValue): no adapter configured for this port")
        }
        return s
    }

    /// The configuration as JSON with every secret shown as `***`.
    public var redacted: JSON {
        var o: [String: JSON] = [:]
        for (p, s) in ports { o[p.rawValue] = s.redacted }
        o["workflow"] = .object(workflow)
        var server = self.server
        for k in serverSecrets where server[k] != nil { server[k] = "***" }
        o["server"] = .object(server)
        o["plugins"] = .array(plugins.map(JSON.string))
        return .object(o)
    }
}

/// Reads `adapters.json`: JSON with line and column on syntax errors, `${VAR}`
/// and `${VAR:-default}` from the environment or a `.env` beside the file,
/// unknown keys rejected, every field checked against its adapter's descriptor.
/// Every error reads `FILE: JSON.PATH: what was expected, what was found`.
public struct ConfigLoader: Sendable {
    public var registry: Registry
    public var environment: [String: String]

    public init(registry: Registry, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.registry = registry
        self.environment = environment
    }

    /// Where `--config` points by default: `$PLUGBOARD_CONFIG`, else `./adapters.json`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["PLUGBOARD_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "adapters.json"
    }

    public func load(path: String) throws -> PlugboardConfig {
        let url = URL(fileURLWithPath: path)
        let name = path
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw PlugboardError.invalidConfiguration(
                exists ? "\(name): cannot be read (permissions?)"
                    : "\(name): no such file (create one with `plugboard init`, or pass --config PATH)")
        }
        let dir = url.deletingLastPathComponent().path
        var env = try ConfigLoader.readDotEnv(in: dir)
        for (k, v) in environment { env[k] = v }
        return try load(bytes: [UInt8](data), file: name, directory: dir, environment: env)
    }

    /// Validates configuration text; `environment` replaces the process's.
    public func load(bytes: [UInt8], file: String, directory: String, environment env: [String: String]? = nil) throws -> PlugboardConfig {
        let env = env ?? environment
        let (root, locations): (JSON, [String: (line: Int, column: Int)])
        do {
            (root, locations) = try JSONParser.parseWithLocations(bytes)
        } catch {
            throw PlugboardError.invalidConfiguration("\(file):\(error.line):\(error.column): invalid JSON: \(error.message)")
        }
        var v = Validator(file: file, directory: directory, env: env, registry: registry, locations: locations)
        guard case .object(let top) = root else {
            throw PlugboardError.invalidConfiguration("\(file): (root): expected an object, got \(root.typeName)")
        }
        for key in top.keys.sorted() where !ConfigSections.topLevelKeys.contains(key) {
            v.fail(key, "unknown section; expected one of \(ConfigSections.topLevelKeys.joined(separator: ", "))")
        }
        var plugins: [String] = []
        if let p = top["plugins"] {
            if case .array(let a) = p {
                for (i, item) in a.enumerated() {
                    if let s = v.interpolate(item, path: "plugins[\(i)]", secret: false)?.stringValue {
                        plugins.append(AdapterSettings.resolve(s, against: directory))
                    } else {
                        v.fail("plugins[\(i)]", "expected a path string, got \(item.typeName)")
                    }
                }
            } else {
                v.fail("plugins", "expected an array of paths, got \(p.typeName)")
            }
        }
        // Plugins first: their adapters may be named by the port sections below.
        var pluginAdapters: [Registry.Entry] = []
        if v.errors.isEmpty && !plugins.isEmpty {
            do {
                let extended = try registry.addingPlugins(plugins)
                pluginAdapters = plugins.compactMap { try? PluginLibrary.load(path: $0).registryEntry }
                v.registry = extended
            } catch let e as PlugboardError {
                throw PlugboardError.invalidConfiguration("\(file): plugins: \(e.message)")
            }
        }
        var ports: [Port: AdapterSettings] = [:]
        for port in Port.allCases {
            let section: JSON
            if let given = top[port.rawValue] {
                section = given
            } else if registry.entry(port: port, name: port.embeddedDefault) != nil {
                section = .object(["adapter": .string(port.embeddedDefault)])
            } else {
                continue  // no adapter of this port is built in: the port stays unconfigured
            }
            if let s = v.adapterSection(port: port, section, path: port.rawValue) { ports[port] = s }
        }
        let (workflow, _) = v.plainSection(top["workflow"], fields: ConfigSections.workflow, path: "workflow")
        let (server, serverSecrets) = v.plainSection(top["server"], fields: ConfigSections.server, path: "server")
        if !v.errors.isEmpty {
            throw PlugboardError.invalidConfiguration(v.errors.joined(separator: "\n"))
        }
        return PlugboardConfig(file: file, directory: directory, ports: ports, workflow: workflow, server: server,
                               serverSecrets: serverSecrets, plugins: plugins, pluginAdapters: pluginAdapters)
    }

    /// Validates one adapter section outside a file (a short-form `--from`, a test).
    public func settings(port: Port, section: JSON, file: String = "(command line)", directory: String = ".") throws -> AdapterSettings {
        var v = Validator(file: file, directory: directory, env: environment, registry: registry, locations: [:])
        let s = v.adapterSection(port: port, section, path: port.rawValue)
        if !v.errors.isEmpty { throw PlugboardError.invalidConfiguration(v.errors.joined(separator: "\n")) }
        return s!
    }

    static func redactNested(_ v: JSON) -> JSON {
        // Nested adapter sections (a fallback chain) carry their own secrets.
        guard case .array(let a) = v else { return v }
        return .array(a.map { item in
            guard case .object(var o) = item else { return item }
            for k in ["token", "api_key", "password", "secret_access_key", "session_token", "access_key_id"] where o[k] != nil {
                o[k] = "***"
            }
            return .object(o)
        })
    }

    /// `KEY=VALUE` lines of a `.env` in `directory` (missing file: empty).
    public static func readDotEnv(in directory: String) throws -> [String: String] {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(".env").path
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        var out: [String: String] = [:]
        for (n, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let eq = line.firstIndex(of: "=") else {
                throw PlugboardError.invalidConfiguration("\(path):\(n + 1): expected KEY=VALUE, got \"\(line.prefix(20))...\"")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let f = value.first, f == "\"" || f == "'", value.last == f {
                value = String(value.dropFirst().dropLast())
                if f == "\"" { value = value.replacingOccurrences(of: "\\n", with: "\n") }
            } else if let hash = value.range(of: " #") {
                value = value[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            out[key] = value
        }
        return out
    }
}

/// Collects every error of one file instead of stopping at the first.
struct Validator {
    let file: String
    let directory: String
    let env: [String: String]
    /// The given registry, plus the adapters of the file's plugins once loaded.
    var registry: Registry
    let locations: [String: (line: Int, column: Int)]
    var errors: [String] = []

    init(file: String, directory: String, env: [String: String], registry: Registry, locations: [String: (line: Int, column: Int)]) {
        self.file = file
        self.directory = directory
        self.env = env
        self.registry = registry
        self.locations = locations
    }

    mutating func fail(_ path: String, _ message: String) {
        var line = "\(file): \(path): \(message)"
        if let loc = locations[path] { line += " (line \(loc.line), column \(loc.column))" }
        errors.append(line)
    }

    func described(_ v: JSON, secret: Bool) -> String {
        guard secret else { return v.snippet }
        let article = "aeiou".contains(v.typeName.first!) ? "an" : "a"
        return "\(article) \(v.typeName) (value hidden)"
    }

    /// Resolves `${VAR}`, `${VAR:-default}` and `$${` (a literal `${`) in every string.
    mutating func interpolate(_ v: JSON, path: String, secret: Bool) -> JSON? {
        switch v {
        case .string(let s):
            guard s.contains("${") else { return v }
            var out = ""
            var rest = Substring(s)
            while let r = rest.range(of: "${") {
                if r.lowerBound > rest.startIndex, rest[rest.index(before: r.lowerBound)] == "$" {
                    out += rest[..<rest.index(before: r.lowerBound)] + "${"
                    rest = rest[r.upperBound...]
                    continue
                }
                out += rest[..<r.lowerBound]
                guard let close = rest[r.upperBound...].firstIndex(of: "}") else {
                    fail(path, "unterminated ${ in \(secret ? "a secret value" : "\"\(s)\"")")
                    return nil
                }
                let expr = rest[r.upperBound..<close]
                var name = String(expr)
                var fallback: String?
                if let d = expr.range(of: ":-") {
                    name = String(expr[..<d.lowerBound])
                    fallback = String(expr[d.upperBound...])
                }
                if let value = env[name], !(value.isEmpty && fallback != nil) {
                    out += value
                } else if let fallback {
                    out += fallback
                } else {
                    fail(path, "environment variable \(name) is not set (set it, put it in .env beside the config, or write ${\(name):-default})")
                    return nil
                }
                rest = rest[rest.index(after: close)...]
            }
            out += rest
            return .string(out)
        case .array(let a):
            var out: [JSON] = []
            for (i, item) in a.enumerated() {
                guard let x = interpolate(item, path: "\(path)[\(i)]", secret: secret) else { return nil }
                out.append(x)
            }
            return .array(out)
        case .object(let o):
            var out: [String: JSON] = [:]
            for (k, item) in o {
                guard let x = interpolate(item, path: "\(path).\(k)", secret: secret) else { return nil }
                out[k] = x
            }
            return .object(out)
        default:
            return v
        }
    }

    /// Checks a value against a field's kind, coercing interpolated strings to numbers and booleans.
    mutating func check(_ field: ConfigField, _ raw: JSON, path: String) -> JSON? {
        let wasInterpolated = raw.stringValue?.contains("${") ?? false
        // Nested adapter sections are interpolated section by section, each knowing its secret fields.
        if case .adapters = field.kind {
            if case .array = raw { return raw }
            fail(path, "expected \(field.kind.name), got \(raw.typeName)")
            return nil
        }
        guard let v = interpolate(raw, path: path, secret: field.secret) else { return nil }
        let shown = described(v, secret: field.secret)
        switch field.kind {
        case .string:
            if case .string = v { return v }
        case .integer:
            if let _ = v.intValue { return v }
            if wasInterpolated, let s = v.stringValue, let i = Int(s.trimmingCharacters(in: .whitespaces)) { return JSON(i) }
        case .number:
            if case .number = v { return v }
            if wasInterpolated, let s = v.stringValue, let n = JSONNumber(s.trimmingCharacters(in: .whitespaces)) { return .number(n) }
        case .boolean:
            if case .bool = v { return v }
            if wasInterpolated, let s = v.stringValue?.lowercased() {
                if ["true", "1", "yes"].contains(s) { return .bool(true) }
                if ["false", "0", "no"].contains(s) { return .bool(false) }
            }
        case .stringList:
            if case .array(let a) = v {
                if let bad = a.firstIndex(where: { $0.stringValue == nil }) {
                    fail("\(path)[\(bad)]", "expected string, got \(described(a[bad], secret: field.secret))")
                    return nil
                }
                return v
            }
        case .object:
            if case .object = v { return v }
        case .choice(let options):
            if let s = v.stringValue, options.contains(s) { return v }
            fail(path, "expected \(field.kind.name), got \(shown)")
            return nil
        case .adapters:
            if case .array = v { return v }
        }
        fail(path, "expected \(field.kind.name), got \(shown)")
        return nil
    }

    mutating func adapterSection(port: Port, _ section: JSON, path: String) -> AdapterSettings? {
        guard case .object(let o) = section else {
            fail(path, "expected an object like {\"adapter\": \"\(port.embeddedDefault)\"}, got \(section.typeName)")
            return nil
        }
        guard let rawName = o["adapter"] else {
            fail(path, "missing \"adapter\"; known \(port.rawValue) adapters: \(registry.names(for: port).joined(separator: ", "))")
            return nil
        }
        guard let name = interpolate(rawName, path: "\(path).adapter", secret: false)?.stringValue else {
            if rawName.stringValue == nil { fail("\(path).adapter", "expected string, got \(rawName.snippet)") }
            return nil
        }
        guard let entry = registry.entry(port: port, name: name) else {
            fail("\(path).adapter", "unknown \(port.rawValue) adapter \"\(name)\"; known: \(registry.names(for: port).joined(separator: ", "))")
            return nil
        }
        let fields = entry.descriptor.allFields
        var values: [String: JSON] = [:]
        var nested: [String: [AdapterSettings]] = [:]
        var secrets: Set<String> = []
        var ok = true
        for key in o.keys.sorted() where key != "adapter" && !fields.contains(where: { $0.name == key }) {
            fail("\(path).\(key)", "unknown field for the \(name) adapter; expected one of \(fields.map(\.name).joined(separator: ", "))")
            ok = false
        }
        for field in fields {
            if field.secret { secrets.insert(field.name) }
            let fpath = "\(path).\(field.name)"
            var raw = o[field.name]
            if raw == nil, let e = field.environment, let value = env[e], !value.isEmpty { raw = .string(value) }
            if let raw {
                if raw.isNull && !field.required { continue }
                guard let value = check(field, raw, path: fpath) else { ok = false; continue }
                if case .adapters(let nestedPort) = field.kind, case .array(let items) = value {
                    var sections: [AdapterSettings] = []
                    for (i, item) in items.enumerated() {
                        if let s = adapterSection(port: nestedPort, item, path: "\(fpath)[\(i)]") { sections.append(s) } else { ok = false }
                    }
                    nested[field.name] = sections
                }
                if field.name == "retry" || field.name == "rate_limit" { ok = checkPolicy(field.name, value, path: fpath) && ok }
                values[field.name] = value
            } else if let d = field.defaultValue {
                values[field.name] = d
            } else if field.required {
                fail(fpath, "required by the \(name) adapter (\(field.description))")
                ok = false
            }
        }
        guard ok else { return nil }
        var settings = AdapterSettings(port: port, adapter: name, values: values, secretFields: secrets, file: file,
                                       directory: directory, path: path)
        settings.nested = nested
        return settings
    }

    mutating func checkPolicy(_ name: String, _ v: JSON, path: String) -> Bool {
        let allowed: [String: ConfigField.Kind] = name == "retry"
            ? ["max_attempts": .integer, "base_delay": .number, "max_delay": .number]
            : ["requests": .integer, "per_seconds": .number]
        guard case .object(let o) = v else { return false }
        var ok = true
        for (k, item) in o {
            guard let kind = allowed[k] else {
                fail("\(path).\(k)", "unknown field; expected one of \(allowed.keys.sorted().joined(separator: ", "))")
                ok = false
                continue
            }
            let good = kind == .integer ? (item.intValue.map { $0 > 0 } ?? false) : (item.doubleValue.map { $0 >= 0 } ?? false)
            if !good {
                fail("\(path).\(k)", "expected a positive \(kind == .integer ? "integer" : "number"), got \(item.snippet)")
                ok = false
            }
        }
        return ok
    }

    mutating func plainSection(_ section: JSON?, fields: [ConfigField], path: String) -> ([String: JSON], Set<String>) {
        var values: [String: JSON] = [:]
        var secrets: Set<String> = []
        let o: [String: JSON]
        switch section {
        case nil: o = [:]
        case .object(let x)?: o = x
        case let other?:
            fail(path, "expected an object, got \(other.typeName)")
            o = [:]
        }
        for key in o.keys.sorted() where !fields.contains(where: { $0.name == key }) {
            fail("\(path).\(key)", "unknown field; expected one of \(fields.map(\.name).joined(separator: ", "))")
        }
        for field in fields {
            if field.secret { secrets.insert(field.name) }
            var raw = o[field.name]
            if raw == nil, let e = field.environment, let value = env[e], !value.isEmpty { raw = .string(value) }
            if let raw, !raw.isNull {
                if let value = check(field, raw, path: "\(path).\(field.name)") { values[field.name] = value }
            } else if let d = field.defaultValue {
                values[field.name] = d
            }
        }
        return (values, secrets)
    }
}
