/// What every port's wrapper needs around `call`: the plugin's `check` for
/// `doctor`, and errors for replies of the wrong shape.
extension PluginInstance {
    /// The plugin's own `check` operation (`{"ok": BOOL, "detail", "hint"}`) for `doctor`;
    /// nil when the plugin answers `unsupported`, so the wrapper does the port's generic check.
    func pluginCheck() async -> HealthCheck? {
        do {
            let r = try await call("check", [:])
            let detail = r["detail"]?.stringValue ?? "plugin \(library.path)"
            return r["ok"]?.boolValue == false ? .failed(detail, hint: r["hint"]?.stringValue) : .passed(detail)
        } catch let e as PlugboardError where e.code == .unsupported {
            return nil
        } catch {
            return .failed("\(error)", hint: nil)
        }
    }

    /// A reply that is valid JSON but not what the port's contract says `operation` returns.
    func malformed(_ operation: String, expected: String, got reply: JSON) -> PlugboardError {
        PlugboardError(.internal, "\(operation): expected \(expected) from the plugin, got \(reply.snippet)",
                       adapter: adapter, cause: library.path)
    }

    /// A string field of a reply object, or nil when the field is absent or null.
    func optionalString(_ reply: JSON, _ field: String, _ operation: String) throws -> String? {
        switch reply[field] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw malformed(operation, expected: "a string or null in \"\(field)\"", got: reply)
        }
    }
}
