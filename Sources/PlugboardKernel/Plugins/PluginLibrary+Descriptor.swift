/// Reading the descriptor a plugin declares as JSON.
extension PluginLibrary {
    static func descriptor(port: Port, name: String, json: String,
                           fail: (String) -> PlugboardError) throws -> AdapterDescriptor {
        guard let parsed = try? JSONParser.parse(json), case .object(let o) = parsed else {
            throw fail("descriptor_json is not a JSON object")
        }
        var fields: [ConfigField] = []
        for (i, f) in (o["fields"]?.arrayValue ?? []).enumerated() {
            guard let fieldName = f["name"]?.stringValue, let kindName = f["kind"]?.stringValue else {
                throw fail("descriptor field \(i): needs \"name\" and \"kind\"")
            }
            let kind: ConfigField.Kind
            switch kindName {
            case "string": kind = .string
            case "integer": kind = .integer
            case "number": kind = .number
            case "boolean": kind = .boolean
            case "string_list": kind = .stringList
            case "object": kind = .object
            case "choice": kind = .choice(f["choices"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            default: throw fail("descriptor field \(fieldName): unknown kind \"\(kindName)\"")
            }
            let d = f["default"]
            fields.append(ConfigField(fieldName, kind, required: f["required"]?.boolValue ?? false,
                                      default: d == .null ? nil : d, secret: f["secret"]?.boolValue ?? false,
                                      environment: f["environment"]?.stringValue,
                                      f["description"]?.stringValue ?? ""))
        }
        return AdapterDescriptor(port: port, name: name, summary: o["summary"]?.stringValue ?? "Loaded from a plugin.",
                                 fields: fields, capabilities: (o["capabilities"]?.arrayValue ?? []).compactMap(\.stringValue))
    }
}

extension Registry {
    /// This registry with the adapters of the given plugin libraries added.
    /// A plugin may not replace a built-in adapter of the same name.
    public func addingPlugins(_ paths: [String]) throws -> Registry {
        var r = self
        for path in paths {
            let lib = try PluginLibrary.load(path: path)
            let d = lib.descriptor
            if r.entry(port: d.port, name: d.name) != nil {
                throw PlugboardError.invalidConfiguration(
                    "plugin \(lib.path): provides the \(d.port.rawValue) adapter \"\(d.name)\", which is already registered; rename it")
            }
            r.register(lib.registryEntry)
        }
        return r
    }
}
