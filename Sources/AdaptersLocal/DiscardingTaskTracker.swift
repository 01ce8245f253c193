import PlugboardKernel

/// The `none` task tracker, for teams without one: it accepts every call,
/// stores nothing, and returns a task with the id `"none"` and no URL.
/// Updating or commenting on any id (even `"none"`) succeeds and does nothing.
public struct DiscardingTaskTracker: TaskTracker {
    public init() {}

    public static let descriptor = AdapterDescriptor(
        port: .tasks, name: "none", summary: "No task tracker: calls succeed and nothing is kept (task id \"none\").",
        fields: [])

    public static let registryEntry = Registry.Entry(descriptor, .tasks { _, _ in DiscardingTaskTracker() })

    public static let taskId = "none"

    public func createTask(_ draft: TaskDraft) async throws -> TrackedTask { TrackedTask(id: Self.taskId, url: nil) }
    public func updateDescription(taskId: String, markdown: String) async throws {}
    public func comment(taskId: String, text: String) async throws {}
}
