// An example storage adapter loaded at run time: documents in process memory,
// behind the C ABI of Sources/CPlugboardPlugin/plugboard_plugin.h.
//
// It is built outside the Plugboard package (./build.sh) and shares nothing
// with it but that header: every call is JSON in, JSON out. Bodies arrive as
// JSON text and are stored as text; index values arrive computed.
import CPlugboardPlugin
import Foundation
import Synchronization

/// One stored document: its body as JSON text and its values per index.
struct StoredEntry: Sendable {
    var revision: Int
    var body: String
    var keys: [String: (partition: String, sort: String)]
}

/// One opened instance: collection → id → document.
final class MemoryInstance: Sendable {
    let collections = Mutex<[String: [String: StoredEntry]]>([:])
}

/// An error the kernel maps to a PlugboardError of the same code.
struct PluginFailure: Error {
    var code: String
    var message: String
}

// MARK: - Operations

extension MemoryInstance {
    func run(_ op: String, _ a: [String: Any]) throws -> Any {
        let collection = a["collection"] as? String ?? ""
        switch op {
        case "get":
            let id = a["id"] as? String ?? ""
            guard let d = collections.withLock({ $0[collection]?[id] }) else { return NSNull() }
            return ["id": id, "revision": d.revision, "body": d.body]
        case "put":
            let id = a["id"] as? String ?? ""
            let body = a["body"] as? String ?? "{}"
            let keys = MemoryInstance.keys(a["index_keys"])
            return try collections.withLock { c -> Int in
                let current = c[collection]?[id]
                try MemoryInstance.check(a["condition"], current, "\(collection)/\(id)")
                let rev = (current?.revision ?? 0) + 1
                c[collection, default: [:]][id] = StoredEntry(revision: rev, body: body, keys: keys)
                return rev
            }
        case "delete":
            let id = a["id"] as? String ?? ""
            return try collections.withLock { c -> Bool in
                try MemoryInstance.check(a["condition"], c[collection]?[id], "\(collection)/\(id)")
                return c[collection]?.removeValue(forKey: id) != nil
            }
        case "batch_put":
            let docs = a["documents"] as? [[String: Any]] ?? []
            collections.withLock { c in
                var coll = c[collection] ?? [:]
                for d in docs {
                    let id = d["id"] as? String ?? ""
                    coll[id] = StoredEntry(revision: (coll[id]?.revision ?? 0) + 1, body: d["body"] as? String ?? "{}",
                                           keys: MemoryInstance.keys(d["index_keys"]))
                }
                c[collection] = coll
            }
            return NSNull()
        case "query":
            return query(collection, a)
        case "scan":
            let after = a["after"] as? String
            let limit = a["limit"] as? Int ?? 100
            let all = collections.withLock { $0[collection] ?? [:] }
            let ids = all.keys.filter { after == nil || $0 > after! }.sorted().prefix(limit)
            return ["documents": ids.map { ["id": $0, "revision": all[$0]!.revision, "body": all[$0]!.body] as [String: Any] }]
        case "count":
            return collections.withLock { $0[collection]?.count ?? 0 }
        case "check":
            return ["ok": true, "detail": "in process memory"]
        default:
            throw PluginFailure(code: "unsupported", message: "unknown operation \(op)")
        }
    }

    /// Filter on the index's precomputed values, order by (sort, id), keyset after the cursor.
    func query(_ collection: String, _ a: [String: Any]) -> Any {
        let index = a["index"] as? String ?? ""
        let partition = a["partition"] as? String
        let from = a["from"] as? String, to = a["to"] as? String
        let descending = a["descending"] as? Bool ?? false
        let limit = a["limit"] as? Int ?? 100
        let after = (a["after"] as? [String: Any]).map { ($0["sort"] as? String ?? "", $0["id"] as? String ?? "") }
        let all = collections.withLock { $0[collection] ?? [:] }
        var hits: [(sort: String, id: String, doc: StoredEntry)] = []
        for (id, d) in all {
            guard let k = d.keys[index] else { continue }
            if let partition, k.partition != partition { continue }
            if let from, k.sort < from { continue }
            if let to, k.sort > to { continue }
            if let after {
                let beyond = descending ? (k.sort, id) < after : (k.sort, id) > after
                if !beyond { continue }
            }
            hits.append((k.sort, id, d))
        }
        hits.sort { descending ? ($0.sort, $0.id) > ($1.sort, $1.id) : ($0.sort, $0.id) < ($1.sort, $1.id) }
        let page = hits.prefix(limit).map { ["id": $0.id, "revision": $0.doc.revision, "body": $0.doc.body, "sort": $0.sort] as [String: Any] }
        return ["documents": page, "more": hits.count > limit]
    }

    static func keys(_ v: Any?) -> [String: (partition: String, sort: String)] {
        var out: [String: (partition: String, sort: String)] = [:]
        for (name, k) in v as? [String: [String: String]] ?? [:] { out[name] = (k["partition"] ?? "", k["sort"] ?? "") }
        return out
    }

    static func check(_ condition: Any?, _ current: StoredEntry?, _ what: String) throws {
        if condition as? String == "absent", current != nil {
            throw PluginFailure(code: "conflict", message: "\(what) already exists")
        }
        if let r = (condition as? [String: Any])?["revision"] as? Int {
            guard let current else { throw PluginFailure(code: "conflict", message: "\(what) does not exist (expected revision \(r))") }
            if current.revision != r { throw PluginFailure(code: "conflict", message: "\(what) is at revision \(current.revision), expected \(r)") }
        }
    }
}

// MARK: - The C entry table

func reply(_ object: Any) -> UnsafeMutablePointer<CChar>? {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed])) ?? Data("{\"error\":{\"code\":\"internal\",\"message\":\"unencodable reply\"}}".utf8)
    return strdup(String(decoding: data, as: UTF8.self))
}

let descriptorJSON = """
{"summary": "Example run-time plugin: documents in the plugin's memory (Examples/plugin-memory-store).",
 "fields": [{"name": "label", "kind": "string", "description": "A name shown in logs; unused."}],
 "capabilities": []}
"""

// nonisolated(unsafe): written once, while the first caller runs the global's initializer, then only read.
nonisolated(unsafe) let entryTable: UnsafeMutablePointer<plugboard_plugin_v1> = {
    let t = UnsafeMutablePointer<plugboard_plugin_v1>.allocate(capacity: 1)
    #if PLUGBOARD_ABI_MISMATCH
    let abi: UInt32 = 999
    #else
    let abi = UInt32(PLUGBOARD_PLUGIN_ABI_VERSION)
    #endif
    t.initialize(to: plugboard_plugin_v1(
        abi_version: abi,
        contract_version: UInt32(PLUGBOARD_STORAGE_CONTRACT_VERSION),
        port: UnsafePointer(strdup("storage")),
        name: UnsafePointer(strdup("example-memory")),
        descriptor_json: UnsafePointer(strdup(descriptorJSON)),
        open: { _, _ in Unmanaged.passRetained(MemoryInstance()).toOpaque() },
        call: { handle, op, args in
            guard let handle, let op, let args else { return reply(["error": ["code": "internal", "message": "null argument"]]) }
            let instance = Unmanaged<MemoryInstance>.fromOpaque(handle).takeUnretainedValue()
            do {
                let parsed = try JSONSerialization.jsonObject(with: Data(String(cString: args).utf8)) as? [String: Any] ?? [:]
                return reply(["ok": try instance.run(String(cString: op), parsed)])
            } catch let f as PluginFailure {
                return reply(["error": ["code": f.code, "message": f.message]])
            } catch {
                return reply(["error": ["code": "invalid_input", "message": "\(error)"]])
            }
        },
        close: { handle in if let handle { Unmanaged<MemoryInstance>.fromOpaque(handle).release() } },
        free_string: { free($0) }))
    return t
}()

@_cdecl("plugboard_plugin_entry")
public func plugboardPluginEntry() -> UnsafePointer<plugboard_plugin_v1> {
    UnsafePointer(entryTable)
}
