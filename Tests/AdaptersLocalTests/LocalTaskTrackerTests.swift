import AdaptersLocal
import PlugboardKernel
import Testing

@Suite("local and none task trackers")
struct LocalTaskTrackerTests {
    @Test func tasksAreStoredWithTheirFields() async throws {
        let store = MemoryStore()
        let tracker = LocalTaskTracker(store: store)
        let parent = try await tracker.createTask(TaskDraft(name: "Parent", markdown: "p", assignees: ["alice", "bob"]))
        let child = try await tracker.createTask(TaskDraft(name: "Child", markdown: "c", parentId: parent.id))
        #expect(parent.id.hasPrefix("task-"))
        #expect(parent.url == nil)
        try await tracker.comment(taskId: child.id, text: "done")
        let body = try #require(try await store.get(LocalTaskTracker.collection, id: child.id)?.body)
        #expect(body["task_id"] == .string(child.id))
        #expect(body["parent_id"] == .string(parent.id))
        #expect(body["comments"]?.arrayValue?.first?["text"] == "done")
        #expect(body["comments"]?.arrayValue?.first?["id"] == "comment-1")
        let p = try #require(try await store.get(LocalTaskTracker.collection, id: parent.id)?.body)
        #expect(p["assignees"] == ["alice", "bob"])
        #expect(p["parent_id"] == nil)
        // Subtasks are found through the parent index.
        let children = try await store.queryAll(LocalTaskTracker.collection, IndexQuery(index: "parent-created_at", partition: parent.id))
        #expect(children.map(\.id) == [child.id])
    }

    @Test func concurrentCommentsAllLand() async throws {
        let tracker = LocalTaskTracker(store: MemoryStore())
        let task = try await tracker.createTask(TaskDraft(name: "busy", markdown: ""))
        try await withThrowingTaskGroup(of: Void.self) { g in
            for i in 0..<10 { g.addTask { try await tracker.comment(taskId: task.id, text: "c\(i)") } }
            try await g.waitForAll()
        }
        let comments = try await tracker.store.get(LocalTaskTracker.collection, id: task.id)?.body["comments"]?.arrayValue ?? []
        #expect(Set(comments.compactMap { $0["text"]?.stringValue }) == Set((0..<10).map { "c\($0)" }))
        #expect(Set(comments.compactMap { $0["id"]?.stringValue }).count == 10, "comment ids are distinct")
    }

    @Test func theNoneTrackerReturnsNoneAndKeepsNothing() async throws {
        let none = DiscardingTaskTracker()
        let t = try await none.createTask(TaskDraft(name: "x", markdown: "y", parentId: "whatever"))
        #expect(t == TrackedTask(id: "none", url: nil))
        try await none.updateDescription(taskId: "none", markdown: "z")
        try await none.comment(taskId: "anything", text: "z")
        #expect(DiscardingTaskTracker.descriptor.name == "none")
        #expect(DiscardingTaskTracker.descriptor.port == .tasks)
    }
}
