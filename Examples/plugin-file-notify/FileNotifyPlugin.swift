// An example notify adapter loaded at run time: each notification is one JSON
// line appended to a file, behind the C ABI of
// Sources/CPlugboardPlugin/plugboard_plugin.h (docs/ADAPTERS.md, "Notify operations").
//
// Built outside the Plugboard package by ./build.sh; shares only that header.
import CPlugboardPlugin
import Foundation
import Synchronization

/// One opened instance: the file, and the idempotency keys already written.
final class NotifyInstance: Sendable {
    let path: String
    let sentKeys = Mutex<Set<String>>([])

    init(path: String) { self.path = path }

    func send(_ a: [String: Any]) throws {
        // Keep only the notification's fields, every URL (in the text too) without its user info,
        // query string or fragment: presigned signatures and credentials live there.
        var line: [String: Any] = ["subject": redacted(a["subject"] as? String ?? ""), "text": redacted(a["text"] as? String ?? "")]
        if let t = a["ticket_id"] as? String { line["ticket_id"] = t }
        if let u = a["url"] as? String { line["url"] = redacted(u) }
        let key = a["key"] as? String
        try sentKeys.withLock { keys in
            if let key, keys.contains(key) { return }
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]) + Data("\n".utf8)
            guard let h = FileHandle(forWritingAtPath: path) else {
                throw PluginFailure(code: "unavailable", message: "cannot open \(path) for writing")
            }
            defer { try? h.close() }
            try h.seekToEnd()
            try h.write(contentsOf: data)
            if let key { keys.insert(key) }
        }
    }
}

/// `text` with each http(s) URL cut to scheme, host and path.
func redacted(_ text: String) -> String {
    var out = text
    for (pattern, template) in [(#"(https?://)[^/\s@]+@"#, "$1"), (#"(https?://[^\s?#]*)[?#][^\s]*"#, "$1")] {
        let re = try! NSRegularExpression(pattern: pattern)
        out = re.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: template)
    }
    return out
}

/// An error the kernel maps to a PlugboardError of the same code.
struct PluginFailure: Error {
    var code: String
    var message: String
}

func reply(_ object: Any) -> UnsafeMutablePointer<CChar>? {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed])) ?? Data("{\"error\":{\"code\":\"internal\",\"message\":\"unencodable reply\"}}".utf8)
    return strdup(String(decoding: data, as: UTF8.self))
}

let descriptorJSON = """
{"summary": "Example run-time plugin: notifications as JSON lines in a file (Examples/plugin-file-notify).",
 "fields": [{"name": "path", "kind": "string", "required": true, "description": "The file lines are appended to (created if missing)."}],
 "capabilities": []}
"""

// nonisolated(unsafe): written once, while the first caller runs the global's initializer, then only read.
nonisolated(unsafe) let entryTable: UnsafeMutablePointer<plugboard_plugin_v1> = {
    let t = UnsafeMutablePointer<plugboard_plugin_v1>.allocate(capacity: 1)
    t.initialize(to: plugboard_plugin_v1(
        abi_version: UInt32(PLUGBOARD_PLUGIN_ABI_VERSION),
        contract_version: UInt32(PLUGBOARD_NOTIFY_CONTRACT_VERSION),
        port: UnsafePointer(strdup("notify")),
        name: UnsafePointer(strdup("example-file-notify")),
        descriptor_json: UnsafePointer(strdup(descriptorJSON)),
        open: { settings, error in
            let parsed = settings.flatMap { try? JSONSerialization.jsonObject(with: Data(String(cString: $0).utf8)) } as? [String: Any]
            guard let path = parsed?["path"] as? String, !path.isEmpty,
                  FileManager.default.fileExists(atPath: path) || FileManager.default.createFile(atPath: path, contents: nil) else {
                error?.pointee = strdup("{\"code\": \"invalid_configuration\", \"message\": \"path: cannot create the file\"}")
                return nil
            }
            return Unmanaged.passRetained(NotifyInstance(path: path)).toOpaque()
        },
        call: { handle, op, args in
            guard let handle, let op, let args else { return reply(["error": ["code": "internal", "message": "null argument"]]) }
            let instance = Unmanaged<NotifyInstance>.fromOpaque(handle).takeUnretainedValue()
            do {
                let parsed = try JSONSerialization.jsonObject(with: Data(String(cString: args).utf8)) as? [String: Any] ?? [:]
                switch String(cString: op) {
                case "send":
                    try instance.send(parsed)
                    return reply(["ok": NSNull()])
                case "check":
                    let ok = FileManager.default.isWritableFile(atPath: instance.path)
                    return reply(["ok": ["ok": ok, "detail": "\(instance.path) \(ok ? "is" : "is not") writable",
                                         "hint": ok ? NSNull() : "make the file writable by this user"] as [String: Any]])
                default:
                    return reply(["error": ["code": "unsupported", "message": "unknown operation \(String(cString: op))"]])
                }
            } catch let f as PluginFailure {
                return reply(["error": ["code": f.code, "message": f.message, "retryable": f.code == "unavailable"] as [String: Any]])
            } catch {
                // A failed write (a full disk, say) may work later.
                return reply(["error": ["code": "unavailable", "message": "\(error)", "retryable": true] as [String: Any]])
            }
        },
        close: { handle in if let handle { Unmanaged<NotifyInstance>.fromOpaque(handle).release() } },
        free_string: { free($0) }))
    return t
}()

@_cdecl("plugboard_plugin_entry")
public func plugboardPluginEntry() -> UnsafePointer<plugboard_plugin_v1> {
    UnsafePointer(entryTable)
}
