// An example objects adapter loaded at run time: objects in process memory,
// behind the C ABI of Sources/CPlugboardPlugin/plugboard_plugin.h.
//
// It is built outside the Plugboard package (./build.sh) and shares nothing
// with it but that header: every call is JSON in, JSON out, bodies as base64
// (docs/ADAPTERS.md, "Objects operations"). The kernel validates every key
// before calling, so this plugin takes keys as given.
import CPlugboardPlugin
import Foundation
import Synchronization

/// One object as this store holds it.
struct StoredObject: Sendable {
    var data: Data
    var contentType: String?
    var etag: String
}

/// One opened instance: its objects by key, and where its public URLs point.
final class ObjectsInstance: Sendable {
    /// A put replaces the whole value under the lock, so a read sees one whole version or the other.
    let objects = Mutex<[String: StoredObject]>([:])
    let publicBaseURL: String?

    init(publicBaseURL: String?) { self.publicBaseURL = publicBaseURL }
}

/// An error the kernel maps to a PlugboardError of the same code.
struct PluginFailure: Error {
    var code: String
    var message: String
}

// MARK: - Operations

extension ObjectsInstance {
    func run(_ op: String, _ a: [String: Any]) throws -> Any {
        let key = a["key"] as? String ?? ""
        switch op {
        case "put":
            guard let text = a["data"] as? String, let data = Data(base64Encoded: text) else {
                throw PluginFailure(code: "invalid_input", message: "put \(key): data is not base64")
            }
            let object = StoredObject(data: data, contentType: a["content_type"] as? String, etag: Self.etag(of: data))
            objects.withLock { $0[key] = object }
            return Self.info(key, object)
        case "get":
            guard let object = objects.withLock({ $0[key] }) else {
                throw PluginFailure(code: "not_found", message: "no object \(key)")
            }
            return ["data": object.data.base64EncodedString()]
        case "head":
            guard let object = objects.withLock({ $0[key] }) else { return NSNull() }
            return Self.info(key, object)
        case "delete":
            objects.withLock { $0[key] = nil }
            return NSNull()
        case "url":
            // Nothing is served there: the URL shows where a real store's public bucket would be.
            guard let publicBaseURL else { return NSNull() }
            return publicBaseURL + "/" + Self.percentEncoded(key)
        case "check":
            let (count, bytes) = objects.withLock { o in (o.count, o.values.reduce(0) { $0 + $1.data.count }) }
            return ["ok": true, "detail": "objects in process memory (\(count) held, \(bytes) bytes)"]
        default:
            throw PluginFailure(code: "unsupported", message: "unknown operation \(op)")
        }
    }

    static func info(_ key: String, _ o: StoredObject) -> [String: Any] {
        ["key": key, "size": o.data.count, "content_type": o.contentType ?? NSNull(), "etag": o.etag]
    }

    /// FNV-1a of the bytes: changes with the content, cheap, and needs no crypto library.
    static func etag(of data: Data) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in data { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return String(h, radix: 16)
    }

    /// The key's UTF-8 bytes with everything but unreserved characters and "/" as %XX,
    /// as the contract asks (the same rule as the kernel's `ObjectKey.percentEncoded`).
    static func percentEncoded(_ key: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        for b in key.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

// MARK: - The C entry table

func reply(_ object: Any) -> UnsafeMutablePointer<CChar>? {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed, .withoutEscapingSlashes]))
        ?? Data("{\"error\":{\"code\":\"internal\",\"message\":\"unencodable reply\"}}".utf8)
    return strdup(String(decoding: data, as: UTF8.self))
}

let descriptorJSON = """
{"summary": "Example run-time plugin: objects in the plugin's memory (Examples/plugin-memory-objects).",
 "fields": [{"name": "public_base_url", "kind": "string",
             "description": "When set, url(for:) gives this URL plus the percent-encoded key (nothing is served there)."}],
 "capabilities": ["public_urls"]}
"""

// nonisolated(unsafe): written once, while the first caller runs the global's initializer, then only read.
nonisolated(unsafe) let entryTable: UnsafeMutablePointer<plugboard_plugin_v1> = {
    let t = UnsafeMutablePointer<plugboard_plugin_v1>.allocate(capacity: 1)
    t.initialize(to: plugboard_plugin_v1(
        abi_version: UInt32(PLUGBOARD_PLUGIN_ABI_VERSION),
        contract_version: UInt32(PLUGBOARD_OBJECTS_CONTRACT_VERSION),
        port: UnsafePointer(strdup("objects")),
        name: UnsafePointer(strdup("example-objects")),
        descriptor_json: UnsafePointer(strdup(descriptorJSON)),
        open: { settings, error in
            let parsed = settings.flatMap { try? JSONSerialization.jsonObject(with: Data(String(cString: $0).utf8)) } as? [String: Any]
            var base = parsed?["public_base_url"] as? String
            if let b = base {
                guard b.hasPrefix("https://") || b.hasPrefix("http://") else {
                    error?.pointee = strdup("{\"code\": \"invalid_configuration\", \"message\": \"public_base_url must be an http(s) URL\"}")
                    return nil
                }
                base = b.hasSuffix("/") ? String(b.dropLast()) : b
            }
            return Unmanaged.passRetained(ObjectsInstance(publicBaseURL: base)).toOpaque()
        },
        call: { handle, op, args in
            guard let handle, let op, let args else { return reply(["error": ["code": "internal", "message": "null argument"]]) }
            let instance = Unmanaged<ObjectsInstance>.fromOpaque(handle).takeUnretainedValue()
            do {
                let parsed = try JSONSerialization.jsonObject(with: Data(String(cString: args).utf8)) as? [String: Any] ?? [:]
                return reply(["ok": try instance.run(String(cString: op), parsed)])
            } catch let f as PluginFailure {
                return reply(["error": ["code": f.code, "message": f.message]])
            } catch {
                return reply(["error": ["code": "invalid_input", "message": "\(error)"]])
            }
        },
        close: { handle in if let handle { Unmanaged<ObjectsInstance>.fromOpaque(handle).release() } },
        free_string: { free($0) }))
    return t
}()

@_cdecl("plugboard_plugin_entry")
public func plugboardPluginEntry() -> UnsafePointer<plugboard_plugin_v1> {
    UnsafePointer(entryTable)
}
