import PlugboardKernel

/// A task as the backend holds it, read by a harness (the port has no read).
public struct InspectedTask: Sendable, Hashable {
    public var name: String
    public var markdown: String
    public var parentId: String?
    /// Comment texts, oldest first.
    public var comments: [String]
    public init(name: String, markdown: String, parentId: String?, comments: [String]) {
        self.name = name; self.markdown = markdown; self.parentId = parentId; self.comments = comments
    }
}

/// Opens task trackers for the tasks conformance suite.
public protocol TaskTrackerHarness: Sendable {
    /// A tracker over a fresh, empty data set.
    func open() async throws -> any TaskTracker
    /// The tracker stores nothing and answers every call (the `none` adapter):
    /// the suite then checks only that calls succeed.
    var discardsTasks: Bool { get }
    /// `createTask` returns a URL (the tracker has task pages).
    var tasksHaveURLs: Bool { get }
    /// `inspect` can read tasks from the backend.
    var canInspect: Bool { get }
    /// The task as the backend holds it, nil when there is no such task.
    func inspect(_ tracker: any TaskTracker, taskId: String) async throws -> InspectedTask?
}

/// The `tasks` port's conformance suite: every task adapter runs these cases
/// unchanged (`@Test(arguments: TaskTrackerConformance.cases)`).
public enum TaskTrackerConformance {
    public struct Case: Sendable, CustomStringConvertible {
        public let name: String
        let body: @Sendable (any TaskTrackerHarness, any TaskTracker, Checker, String) async throws -> Void
        public var description: String { name }

        public func run(_ harness: any TaskTrackerHarness) async throws {
            let tag = String(UInt64.random(in: 0..<UInt64.max), radix: 36)
            let tracker = try await harness.open()
            try await body(harness, tracker, Checker(check: name, suite: "TaskTrackerConformance"), tag)
        }
    }

    /// The inspected task, when the harness can look; fails when it is missing.
    static func look(_ h: any TaskTrackerHarness, _ t: any TaskTracker, _ id: String, _ c: Checker,
                     line: Int = #line) async throws -> InspectedTask? {
        guard h.canInspect, !h.discardsTasks else { return nil }
        return try c.some(try await h.inspect(t, taskId: id), "task \(id) in the backend", line: line)
    }

    public static let cases: [Case] = [
        Case(name: "create a task") { h, t, c, tag in
            let draft = TaskDraft(name: "Remboursement commande 1042 (\(tag))", markdown: "**Client**: alice@example.com\n\n- point 1")
            let a = try await t.createTask(draft)
            try c.expect(!a.id.isEmpty, "the task has an id")
            if h.tasksHaveURLs {
                let url = try c.some(a.url, "the task URL")
                try c.expect(url.hasPrefix("https://") || url.hasPrefix("http://"), "the task URL is http(s): \(url)")
            }
            if h.discardsTasks { return }
            let b = try await t.createTask(draft)
            try c.expect(b.id != a.id, "two creates give two tasks")
            if let seen = try await look(h, t, a.id, c) {
                try c.equal(seen.name, draft.name, "name in the backend")
                try c.equal(seen.markdown, draft.markdown, "description in the backend")
                try c.equal(seen.parentId, nil, "a top-level task has no parent")
            }
        },
        Case(name: "create a subtask") { h, t, c, tag in
            let parent = try await t.createTask(TaskDraft(name: "Parent \(tag)", markdown: "parent"))
            let child = try await t.createTask(TaskDraft(name: "Child \(tag)", markdown: "child", parentId: parent.id))
            try c.expect(!child.id.isEmpty, "the subtask has an id")
            if h.discardsTasks { return }
            try c.expect(child.id != parent.id, "the subtask is a task of its own")
            if let seen = try await look(h, t, child.id, c) {
                try c.equal(seen.parentId, parent.id, "the subtask's parent in the backend")
                try c.equal(seen.name, "Child \(tag)", "the subtask's name")
            }
            try await c.throwsCode(.notFound, "a subtask of an unknown parent") {
                _ = try await t.createTask(TaskDraft(name: "Orphan", markdown: "", parentId: "no-such-task-\(tag)"))
            }
        },
        Case(name: "update the description") { h, t, c, tag in
            let task = try await t.createTask(TaskDraft(name: "Describe \(tag)", markdown: "v1"))
            try await t.updateDescription(taskId: task.id, markdown: "## v2\n\nRésumé mis à jour")
            if let seen = try await look(h, t, task.id, c) {
                try c.equal(seen.markdown, "## v2\n\nRésumé mis à jour", "description after the update")
                try c.equal(seen.name, "Describe \(tag)", "name unchanged by a description update")
            }
        },
        Case(name: "comment on a task") { h, t, c, tag in
            let task = try await t.createTask(TaskDraft(name: "Comment \(tag)", markdown: ""))
            try await t.comment(taskId: task.id, text: "Premier commentaire")
            try await t.comment(taskId: task.id, text: "Second commentaire")
            if let seen = try await look(h, t, task.id, c) {
                try c.equal(Array(seen.comments.suffix(2)), ["Premier commentaire", "Second commentaire"], "comments, oldest first")
            }
        },
        Case(name: "unknown task ids are .notFound") { h, t, c, tag in
            if h.discardsTasks {
                // The `none` tracker accepts everything.
                try await t.updateDescription(taskId: "no-such-task-\(tag)", markdown: "x")
                try await t.comment(taskId: "no-such-task-\(tag)", text: "x")
                return
            }
            try await c.throwsCode(.notFound, "updateDescription on an unknown task") {
                try await t.updateDescription(taskId: "no-such-task-\(tag)", markdown: "x")
            }
            try await c.throwsCode(.notFound, "comment on an unknown task") {
                try await t.comment(taskId: "no-such-task-\(tag)", text: "x")
            }
        },
        Case(name: "unicode content is kept as given") { h, t, c, tag in
            let text = "Été 🎫👩‍💻🇫🇷 « guillemets » \"double\" back\\slash\n日本語 — مرحبا\t`code`"
            let task = try await t.createTask(TaskDraft(name: "Tâche 🎫 \(tag)", markdown: text))
            try await t.comment(taskId: task.id, text: text)
            if let seen = try await look(h, t, task.id, c) {
                try c.equal(seen.name, "Tâche 🎫 \(tag)", "unicode name")
                try c.equal(seen.markdown, text, "unicode description")
                try c.equal(seen.comments.last, text, "unicode comment")
            }
        },
    ]
}
