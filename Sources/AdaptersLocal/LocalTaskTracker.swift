import PlugboardKernel

/// The `local` task tracker: tasks kept in the configured store, in `tasks`.
///
/// A task is `{task_id, name, markdown, parent_id?, assignees, comments:
/// [{id, text, timestamp}], created_at, updated_at}`; ids are `task-` plus
/// 12 random base-36 digits. There are no task pages, so `url` is nil.
public final class LocalTaskTracker: TaskTracker {
    /// The store the tasks are kept in.
    public let store: any DocumentStore

    static let adapter = "local"

    public static let collection = CollectionSpec(name: "tasks", keyField: "task_id", indexes: [
        IndexSpec(name: "parent-created_at", partition: "parent_id", sort: "created_at"),
    ])

    public init(store: any DocumentStore) { self.store = store }

    public static let descriptor = AdapterDescriptor(
        port: .tasks, name: "local", summary: "Tasks kept in the configured storage (collection `tasks`).", fields: [])

    public static let registryEntry = Registry.Entry(descriptor, .tasks { settings, context in
        guard let store = context.storage else {
            throw settings.error("adapter", "the local task tracker keeps its data in the storage port, and no storage is configured")
        }
        return LocalTaskTracker(store: store)
    })

    public func createTask(_ draft: TaskDraft) async throws -> TrackedTask {
        if let parent = draft.parentId, try await store.get(LocalTaskTracker.collection, id: parent) == nil {
            throw PlugboardError.notFound("no task \(parent) to be the parent of \"\(draft.name)\"", adapter: LocalTaskTracker.adapter)
        }
        let now = Timestamp.now()
        var body: [String: JSON] = [
            "name": .string(draft.name), "markdown": .string(draft.markdown),
            "assignees": .array(draft.assignees.map(JSON.string)), "comments": [],
            "created_at": .string(now), "updated_at": .string(now),
        ]
        if let parent = draft.parentId { body["parent_id"] = .string(parent) }
        if let key = draft.key {
            // One task per key: a retried create finds the first one.
            let id = "task-" + Digest.sha256Hex(key).prefix(12)
            body["task_id"] = .string(id)
            body["key"] = .string(key)
            do {
                try await store.put(LocalTaskTracker.collection, id: id, body: .object(body), condition: .absent)
            } catch let e as PlugboardError where e.code == .conflict {}
            return TrackedTask(id: id, url: nil)
        }
        for _ in 0..<8 {
            let id = LocalTaskTracker.newTaskId()
            body["task_id"] = .string(id)
            do {
                try await store.put(LocalTaskTracker.collection, id: id, body: .object(body), condition: .absent)
                return TrackedTask(id: id, url: nil)
            } catch let e as PlugboardError where e.code == .conflict {
                continue
            }
        }
        throw PlugboardError.conflict("could not pick an unused task id", adapter: LocalTaskTracker.adapter)
    }

    static func newTaskId() -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        return "task-" + String((0..<12).map { _ in alphabet.randomElement()! })
    }

    public func updateDescription(taskId: String, markdown: String) async throws {
        try await change(taskId) { $0["markdown"] = .string(markdown) }
    }

    public func comment(taskId: String, text: String) async throws {
        try await change(taskId) { task in
            var comments = task["comments"]?.arrayValue ?? []
            comments.append(["id": .string("comment-\(comments.count + 1)"), "text": .string(text),
                             "timestamp": .string(Timestamp.now())])
            task["comments"] = .array(comments)
        }
    }

    /// Read-modify-write of one task with its revision as precondition; `.notFound` when missing.
    private func change(_ id: String, _ edit: (inout JSON) -> Void) async throws {
        try await store.update(LocalTaskTracker.collection, id: id) { doc in
            guard var task = doc else {
                throw PlugboardError.notFound("no task \(id)", adapter: LocalTaskTracker.adapter)
            }
            edit(&task)
            task["updated_at"] = .string(Timestamp.now())
            doc = task
        }
    }
}
