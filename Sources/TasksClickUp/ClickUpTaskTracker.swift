import Foundation
import PlugboardKernel

/// The `clickup` task tracker: ClickUp API v2 tasks in one list.
///
/// - `createTask` posts to `list_id` (a subtask is created in its parent's own
///   list, as ClickUp requires: the parent is read first, which also makes an
///   unknown parent `.notFound`). The description goes as `markdown_content`.
/// - Idempotency: ClickUp has no request key, so a task created with a key
///   carries the tag `plugboard-<key>`; before creating, the list's tasks with
///   that tag (subtasks and closed ones included, every page) are searched, and
///   a match is returned instead of a second task.
/// - Assignees are ClickUp user ids: the configured ones plus the draft's.
/// - No retries here: errors carry `retryAfter` (from `X-RateLimit-Reset`) and
///   the policy layer retries.
public final class ClickUpTaskTracker: TaskTracker {
    public let configuration: Configuration
    let client: ClickUpClient

    static let adapter = "clickup"

    /// - Parameter transport: defaults to a libcurl transport.
    public init(_ configuration: Configuration, transport: (any HTTPTransport)? = nil,
                logger: Logger = Logger(label: "plugboard.clickup")) throws {
        guard URLParts(configuration.baseURL) != nil else {
            throw PlugboardError.invalidConfiguration("clickup: base_url \"\(configuration.baseURL)\" is not an http(s) URL",
                                                      adapter: ClickUpTaskTracker.adapter)
        }
        self.configuration = configuration
        self.client = ClickUpClient(baseURL: configuration.baseURL, token: configuration.token, timeout: configuration.timeout,
                                    transport: transport ?? CurlTransport(.init(timeout: configuration.timeout, logger: logger)),
                                    logger: logger)
    }

    // MARK: - Port

    public func createTask(_ draft: TaskDraft) async throws -> TrackedTask {
        var assignees = configuration.assignees
        for raw in draft.assignees {
            guard let id = Int(raw) else {
                throw PlugboardError.invalidInput("ClickUp create task: assignee \"\(raw.prefix(40))\" is not a ClickUp user id",
                                                  adapter: ClickUpTaskTracker.adapter)
            }
            if !assignees.contains(id) { assignees.append(id) }
        }
        var listId = configuration.listId
        let parent = draft.parentId ?? configuration.parentTaskId
        if let parent {
            guard let p = try await task(id: parent) else {
                throw PlugboardError.notFound("ClickUp create subtask: no parent task \(parent)", adapter: ClickUpTaskTracker.adapter)
            }
            listId = p.listId ?? listId
        }
        let tag = draft.key.map(ClickUpTaskTracker.keyTag)
        if let tag, let existing = try await taskTagged(tag, inList: listId) {
            return TrackedTask(id: existing.id, url: existing.url)
        }
        var body: [String: JSON] = ["name": .string(draft.name), "notify_all": false]
        if !draft.markdown.isEmpty { body["markdown_content"] = .string(draft.markdown) }
        if !assignees.isEmpty { body["assignees"] = .array(assignees.map { JSON($0) }) }
        if let parent { body["parent"] = .string(parent) }
        if let tag { body["tags"] = [.string(tag)] }
        let created = try await client.json(.post, "/v2/list/\(ClickUpClient.segment(listId))/task", body: .object(body),
                                            what: "create task in list \(listId)")
        guard let id = created["id"]?.stringValue else {
            throw PlugboardError(.unavailable, "ClickUp create task: the response has no id", adapter: ClickUpTaskTracker.adapter,
                                 cause: "unexpected response", retryable: true)
        }
        return TrackedTask(id: id, url: created["url"]?.stringValue)
    }

    public func updateDescription(taskId: String, markdown: String) async throws {
        _ = try await client.json(.put, "/v2/task/\(ClickUpClient.segment(taskId))", body: ["markdown_content": .string(markdown)],
                                  what: "update task \(taskId)")
    }

    public func comment(taskId: String, text: String) async throws {
        _ = try await client.json(.post, "/v2/task/\(ClickUpClient.segment(taskId))/comment",
                                  body: ["comment_text": .string(text), "notify_all": false], what: "comment on task \(taskId)")
    }

    // MARK: - Reads

    /// The task with its Markdown description, nil when ClickUp has no such task.
    public func task(id: String) async throws -> ClickUpTask? {
        do {
            let t = try await client.json(.get, "/v2/task/\(ClickUpClient.segment(id))", query: [("include_markdown_description", "true")],
                                          what: "read task \(id)")
            return ClickUpTaskTracker.task(t)
        } catch let e as PlugboardError where e.code == .notFound {
            return nil
        }
    }

    /// The task's comments, oldest first (ClickUp pages them newest first, 25 at a time).
    public func comments(taskId: String) async throws -> [String] {
        var newestFirst: [String] = []
        var cursor: (start: String, id: String)?
        while true {
            var query: [(String, String)] = []
            if let cursor { query = [("start", cursor.start), ("start_id", cursor.id)] }
            let page = try await client.json(.get, "/v2/task/\(ClickUpClient.segment(taskId))/comment", query: query,
                                             what: "list comments of task \(taskId)")
            let comments = page["comments"]?.arrayValue ?? []
            newestFirst += comments.map { $0["comment_text"]?.stringValue ?? "" }
            guard comments.count >= 25, let last = comments.last, let id = last["id"]?.stringValue,
                  let date = last["date"].flatMap({ $0.stringValue ?? $0.numberValue?.text }) else { break }
            cursor = (date, id)
        }
        return newestFirst.reversed()
    }

    /// The first task of the list carrying `tag`, searching every page.
    func taskTagged(_ tag: String, inList listId: String) async throws -> ClickUpTask? {
        var page = 0
        while true {
            let listed = try await client.json(.get, "/v2/list/\(ClickUpClient.segment(listId))/task", query: [
                ("tags[]", tag), ("subtasks", "true"), ("include_closed", "true"), ("page", String(page)),
            ], what: "search tasks of list \(listId)")
            let tasks = (listed["tasks"]?.arrayValue ?? []).map(ClickUpTaskTracker.task)
            if let match = tasks.first(where: { $0.tags.contains(tag) }) { return match }
            if tasks.isEmpty || listed["last_page"]?.boolValue != false { return nil }
            page += 1
        }
    }

    static func task(_ t: JSON) -> ClickUpTask {
        ClickUpTask(id: t["id"]?.stringValue ?? "", name: t["name"]?.stringValue ?? "",
             markdown: t["markdown_description"]?.stringValue ?? t["description"]?.stringValue ?? "",
             parentId: t["parent"]?.stringValue, listId: t["list"]?["id"]?.stringValue, url: t["url"]?.stringValue,
             tags: (t["tags"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue },
             assignees: (t["assignees"]?.arrayValue ?? []).compactMap { $0["id"]?.intValue })
    }

    /// `plugboard-<key>` in ClickUp's lower-case tag form; keys with other
    /// characters than letters, digits, `-`, `_` and `.` (or long ones) go hashed.
    static func keyTag(_ key: String) -> String {
        let lower = key.lowercased()
        let plain = lower.utf8.count <= 48 && !lower.isEmpty && lower.utf8.allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E
        }
        return "plugboard-" + (plain ? lower : String(Digest.sha256Hex(key).prefix(24)))
    }
}
