/// A `TaskTracker` whose work is done by a run-time plugin, over the tasks
/// operations of `plugboard_plugin.h` (contract version 1, docs/ADAPTERS.md).
final class PluginTaskTracker: TaskTracker {
    let instance: PluginInstance

    init(instance: PluginInstance) { self.instance = instance }

    func createTask(_ draft: TaskDraft) async throws -> TrackedTask {
        let r = try await instance.call("create_task", [
            "name": .string(draft.name), "markdown": .string(draft.markdown),
            "parent_id": draft.parentId.map(JSON.string) ?? .null,
            "assignees": .array(draft.assignees.map(JSON.string)), "key": draft.key.map(JSON.string) ?? .null,
        ])
        guard let id = r["id"]?.stringValue, !id.isEmpty else {
            throw instance.malformed("create_task", expected: "{\"id\": non-empty string, \"url\"}", got: r)
        }
        return TrackedTask(id: id, url: try instance.optionalString(r, "url", "create_task"))
    }

    func updateDescription(taskId: String, markdown: String) async throws {
        _ = try await instance.call("update_description", ["task_id": .string(taskId), "markdown": .string(markdown)])
    }

    func comment(taskId: String, text: String) async throws {
        _ = try await instance.call("comment", ["task_id": .string(taskId), "text": .string(text)])
    }
}

extension PluginTaskTracker: HealthChecking {
    /// The plugin's `check`; without one, the tasks port has no read-only call to try.
    func check() async -> HealthCheck {
        await instance.pluginCheck() ?? .passed("plugin \(instance.library.path) loaded (it has no check operation)")
    }
}
