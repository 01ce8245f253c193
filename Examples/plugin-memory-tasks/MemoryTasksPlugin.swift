// An example tasks adapter loaded at run time: tasks in process memory,
// behind the C ABI of Sources/CPlugboardPlugin/plugboard_plugin.h.
//
// It is built outside the Plugboard package (./build.sh) and shares nothing
// with it but that header: every call is JSON in, JSON out (docs/ADAPTERS.md,
// "Tasks operations").
import CPlugboardPlugin
import Foundation
import Synchronization

/// One task as this tracker holds it.
struct MemoryTask: Sendable {
    var name: String
    var markdown: String
    var parentId: String?
    var assignees: [String]
    var comments: [String]
}

/// One opened instance: its tasks, the ids given per idempotency key, and a counter for new ids.
final class TasksInstance: Sendable {
    let state = Mutex<(tasks: [String: MemoryTask], byKey: [String: String], next: Int)>(([:], [:], 0))
    let baseURL: String

    init(baseURL: String) { self.baseURL = baseURL }
}

/// An error the kernel maps to a PlugboardError of the same code.
struct PluginFailure: Error {
    var code: String
    var message: String
}

// MARK: - Operations

extension TasksInstance {
    func run(_ op: String, _ a: [String: Any]) throws -> Any {
        switch op {
        case "create_task":
            let name = a["name"] as? String ?? ""
            let markdown = a["markdown"] as? String ?? ""
            let parent = a["parent_id"] as? String
            let key = a["key"] as? String
            let id = try state.withLock { s -> String in
                if let key, let existing = s.byKey[key] { return existing }
                if let parent, s.tasks[parent] == nil {
                    throw PluginFailure(code: "not_found", message: "no parent task \(parent)")
                }
                s.next += 1
                let id = "task-\(s.next)"
                s.tasks[id] = MemoryTask(name: name, markdown: markdown, parentId: parent,
                                         assignees: a["assignees"] as? [String] ?? [], comments: [])
                if let key { s.byKey[key] = id }
                return id
            }
            return ["id": id, "url": "\(baseURL)/\(id)"]
        case "update_description":
            try update(a) { $0.markdown = a["markdown"] as? String ?? "" }
            return NSNull()
        case "comment":
            try update(a) { $0.comments.append(a["text"] as? String ?? "") }
            return NSNull()
        case "get_task":
            let id = a["task_id"] as? String ?? ""
            guard let t = state.withLock({ $0.tasks[id] }) else { return NSNull() }
            return ["name": t.name, "markdown": t.markdown, "parent_id": t.parentId ?? NSNull(),
                    "assignees": t.assignees, "comments": t.comments] as [String: Any]
        case "check":
            return ["ok": true, "detail": "tasks in process memory (\(state.withLock { $0.tasks.count }) held)"]
        default:
            throw PluginFailure(code: "unsupported", message: "unknown operation \(op)")
        }
    }

    private func update(_ a: [String: Any], _ change: (inout MemoryTask) -> Void) throws {
        let id = a["task_id"] as? String ?? ""
        try state.withLock { s in
            guard var t = s.tasks[id] else { throw PluginFailure(code: "not_found", message: "no task \(id)") }
            change(&t)
            s.tasks[id] = t
        }
    }
}

// MARK: - The C entry table

func reply(_ object: Any) -> UnsafeMutablePointer<CChar>? {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed])) ?? Data("{\"error\":{\"code\":\"internal\",\"message\":\"unencodable reply\"}}".utf8)
    return strdup(String(decoding: data, as: UTF8.self))
}

let descriptorJSON = """
{"summary": "Example run-time plugin: tasks in the plugin's memory (Examples/plugin-memory-tasks).",
 "fields": [{"name": "base_url", "kind": "string", "default": "https://tasks.example.com/t",
             "description": "Where task URLs point (nothing is served there)."}],
 "capabilities": ["task_urls"]}
"""

// nonisolated(unsafe): written once, while the first caller runs the global's initializer, then only read.
nonisolated(unsafe) let entryTable: UnsafeMutablePointer<plugboard_plugin_v1> = {
    let t = UnsafeMutablePointer<plugboard_plugin_v1>.allocate(capacity: 1)
    #if PLUGBOARD_CONTRACT_MISMATCH
    let contract: UInt32 = 7
    #else
    let contract = UInt32(PLUGBOARD_TASKS_CONTRACT_VERSION)
    #endif
    t.initialize(to: plugboard_plugin_v1(
        abi_version: UInt32(PLUGBOARD_PLUGIN_ABI_VERSION),
        contract_version: contract,
        port: UnsafePointer(strdup("tasks")),
        name: UnsafePointer(strdup("example-tasks")),
        descriptor_json: UnsafePointer(strdup(descriptorJSON)),
        open: { settings, error in
            let parsed = settings.flatMap { try? JSONSerialization.jsonObject(with: Data(String(cString: $0).utf8)) } as? [String: Any]
            let base = parsed?["base_url"] as? String ?? "https://tasks.example.com/t"
            guard base.hasPrefix("https://") || base.hasPrefix("http://") else {
                error?.pointee = strdup("{\"code\": \"invalid_configuration\", \"message\": \"base_url must be an http(s) URL\"}")
                return nil
            }
            return Unmanaged.passRetained(TasksInstance(baseURL: base)).toOpaque()
        },
        call: { handle, op, args in
            guard let handle, let op, let args else { return reply(["error": ["code": "internal", "message": "null argument"]]) }
            let instance = Unmanaged<TasksInstance>.fromOpaque(handle).takeUnretainedValue()
            do {
                let parsed = try JSONSerialization.jsonObject(with: Data(String(cString: args).utf8)) as? [String: Any] ?? [:]
                return reply(["ok": try instance.run(String(cString: op), parsed)])
            } catch let f as PluginFailure {
                return reply(["error": ["code": f.code, "message": f.message]])
            } catch {
                return reply(["error": ["code": "invalid_input", "message": "\(error)"]])
            }
        },
        close: { handle in if let handle { Unmanaged<TasksInstance>.fromOpaque(handle).release() } },
        free_string: { free($0) }))
    return t
}()

@_cdecl("plugboard_plugin_entry")
public func plugboardPluginEntry() -> UnsafePointer<plugboard_plugin_v1> {
    UnsafePointer(entryTable)
}
