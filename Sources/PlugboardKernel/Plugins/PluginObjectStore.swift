import Foundation

/// An `ObjectStore` whose work is done by a run-time plugin, over the objects
/// operations of `plugboard_plugin.h` (contract version 1, docs/ADAPTERS.md).
///
/// Bodies travel as base64 inside the JSON (`"data"`): the ABI stays one call
/// shape for every port, at the cost of a third more bytes and one encode and
/// decode per call, small next to a network store. Keys are checked with
/// `ObjectKey.validate` before the plugin sees them.
final class PluginObjectStore: ObjectStore {
    let instance: PluginInstance

    init(instance: PluginInstance) { self.instance = instance }

    /// `{"key", "size", "content_type", "etag"}` as an `ObjectInfo`.
    private func info(_ r: JSON, key: String, _ operation: String) throws -> ObjectInfo {
        guard let size = r["size"]?.intValue, size >= 0 else {
            throw instance.malformed(operation, expected: "{\"key\", \"size\": N, \"content_type\", \"etag\"}", got: r)
        }
        return ObjectInfo(key: r["key"]?.stringValue ?? key, size: size,
                          contentType: try instance.optionalString(r, "content_type", operation),
                          etag: try instance.optionalString(r, "etag", operation))
    }

    func put(key: String, data: Data, contentType: String?) async throws -> ObjectInfo {
        _ = try ObjectKey.validate(key, adapter: instance.adapter)
        let r = try await instance.call("put", [
            "key": .string(key), "data": .string(data.base64EncodedString()), "content_type": contentType.map(JSON.string) ?? .null,
        ])
        return try info(r, key: key, "put")
    }

    func get(key: String) async throws -> Data {
        _ = try ObjectKey.validate(key, adapter: instance.adapter)
        let r = try await instance.call("get", ["key": .string(key)])
        guard let text = r["data"]?.stringValue, let data = Data(base64Encoded: text) else {
            throw instance.malformed("get", expected: "{\"data\": BASE64}", got: r)
        }
        return data
    }

    func head(key: String) async throws -> ObjectInfo? {
        _ = try ObjectKey.validate(key, adapter: instance.adapter)
        let r = try await instance.call("head", ["key": .string(key)])
        return r == .null ? nil : try info(r, key: key, "head")
    }

    func delete(key: String) async throws {
        _ = try ObjectKey.validate(key, adapter: instance.adapter)
        _ = try await instance.call("delete", ["key": .string(key)])
    }

    func url(for key: String, expiresIn: Duration) async throws -> String? {
        _ = try ObjectKey.validate(key, adapter: instance.adapter)
        let r = try await instance.call("url", ["key": .string(key), "expires_in": JSON(Int(expiresIn.components.seconds))])
        switch r {
        case .null: return nil
        case .string(let s): return s
        default: throw instance.malformed("url", expected: "a URL string or null", got: r)
        }
    }
}

extension PluginObjectStore: HealthChecking {
    /// The plugin's `check`; without one, a lookup of an object no one has.
    func check() async -> HealthCheck {
        if let h = await instance.pluginCheck() { return h }
        do {
            _ = try await head(key: "plugboard-doctor-check")
            return .passed("looked up an object in plugin \(instance.library.path)")
        } catch {
            return .failed("\(error)", hint: nil)
        }
    }
}
