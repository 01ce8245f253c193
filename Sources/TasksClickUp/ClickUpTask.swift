/// A task as ClickUp holds it: what `ClickUpTaskTracker.task(id:)` reads back.
public struct ClickUpTask: Sendable, Hashable {
    public var id: String
    public var name: String
    /// The Markdown description (`markdown_description`).
    public var markdown: String
    public var parentId: String?
    public var listId: String?
    public var url: String?
    public var tags: [String]
    /// ClickUp user ids.
    public var assignees: [Int]
}
