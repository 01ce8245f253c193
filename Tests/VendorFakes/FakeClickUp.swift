import Foundation
import PlugboardKernel
import Synchronization

/// An in-memory ClickUp that follows reference/notes/clickup-v2.md and the
/// trimmed OpenAPI document: create task (in a list, or as a subtask whose
/// parent must be in the same list), get task (`include_markdown_description`),
/// update task, list a list's tasks (`tags[]`, `subtasks`, `include_closed`,
/// `page`, `last_page`), create and list comments (newest first, 25 per page,
/// `start` / `start_id`), get the token's user (`GET /v2/user`) and a list
/// (`GET /v2/list/{id}`), `Authorization: <token>`, and `{"err", "ECODE"}`
/// errors. Bodies are checked against the OpenAPI types; every refusal is
/// recorded in `rejections`.
final class FakeClickUp: Sendable {
    struct StoredTask {
        var id: String
        var name: String
        var markdown: String
        var listId: String
        var parent: String?
        var tags: [String]
        var assignees: [Int]
        var created: Double
        var updated: Double
    }

    struct Comment {
        var id: String
        var text: String
        var date: Double
    }

    struct State {
        var clock = FakeClock()
        var nextTask = 0x9a00
        var nextComment = 458
        var lists: Set<String>
        var tasks: [String: StoredTask] = [:]
        var order: [String] = []
        var comments: [String: [Comment]] = [:]
        var faults: [(path: String?, fault: InjectedFault)] = []
        var rejections: [String] = []
        var requests: [String] = []
    }

    let token: String
    /// Tasks per page of `GET /v2/list/{id}/task` (ClickUp: 100; small here, so paging is exercised).
    let pageSize: Int
    let state: Mutex<State>

    init(token: String = "pk_4711_TESTTOKEN0123456789", lists: Set<String> = ["901", "902"], pageSize: Int = 3) {
        self.token = token
        self.pageSize = pageSize
        self.state = Mutex(State(lists: lists))
    }

    func inject(_ fault: InjectedFault, path: String? = nil) { state.withLock { $0.faults.append((path, fault)) } }
    var rejections: [String] { state.withLock { $0.rejections } }
    var taskCount: Int { state.withLock { $0.tasks.count } }
    var requests: [String] { state.withLock { $0.requests } }
    func task(_ id: String) -> StoredTask? { state.withLock { $0.tasks[id] } }

    /// Adds a task directly (as a person would in ClickUp).
    func seed(name: String, list: String = "901", tags: [String] = []) -> String {
        state.withLock { s in
            let t = newTask(name: name, markdown: "", list: list, parent: nil, tags: tags, assignees: [], &s)
            return t.id
        }
    }

    func handle(_ request: HTTPRequest) async throws -> HTTPResponse {
        let r = RoutedRequest(request)
        let fault: InjectedFault? = state.withLock { s in
            s.requests.append("\(r.method) \(r.path)")
            guard let i = s.faults.firstIndex(where: { $0.path == nil || r.path.contains($0.path!) }) else { return nil }
            return s.faults.remove(at: i).fault
        }
        switch fault {
        case .response(let status, let headers, let body)?:
            return HTTPResponse(status: status, headers: headers, body: Data(body.utf8))
        case .malformedJSON?:
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Data(#"{"id": "9hx", "name": "#.utf8))
        case .stall(let d)?:
            try await Task.sleep(for: d)
        case nil:
            break
        }
        guard request.headers["Authorization"] == token else {
            return FakeClickUp.error(401, "Token invalid", "OAUTH_025")
        }
        if !r.rawBody.isEmpty, request.headers["Content-Type"]?.hasPrefix("application/json") != true {
            return reject(400, "Content-Type must be application/json")
        }
        return state.withLock { s in route(r, &s) }
    }

    private func route(_ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        if r.match("GET", "api/v2/user") != nil {
            return HTTPResponse(status: 200, json: ["user": ["id": 4711, "username": "Fake User", "email": "fake.user@example.com",
                                                             "color": "#7b68ee", "initials": "FU", "week_start_day": 1]])
        }
        if let m = r.match("GET", "api/v2/list/*") {
            guard s.lists.contains(m[0]) else { return FakeClickUp.error(404, "List not found", "ITEM_013") }
            return HTTPResponse(status: 200, json: ["id": .string(m[0]), "name": .string("List \(m[0])"), "orderindex": 0,
                                                    "task_count": .string(String(s.tasks.values.filter { $0.listId == m[0] }.count))])
        }
        if let m = r.match("POST", "api/v2/list/*/task") { return createTask(m[0], r, &s) }
        if let m = r.match("GET", "api/v2/list/*/task") { return listTasks(m[0], r, &s) }
        if let m = r.match("GET", "api/v2/task/*") { return getTask(m[0], r, s) }
        if let m = r.match("PUT", "api/v2/task/*") { return updateTask(m[0], r, &s) }
        if let m = r.match("POST", "api/v2/task/*/comment") { return createComment(m[0], r, &s) }
        if let m = r.match("GET", "api/v2/task/*/comment") { return listComments(m[0], r, s) }
        return FakeClickUp.error(404, "Route not found", "APP_001")
    }

    // MARK: - Tasks

    private func createTask(_ list: String, _ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard s.lists.contains(list) else { return FakeClickUp.error(404, "List not found", "ITEM_013") }
        guard let body = r.json?.objectValue else { return reject(400, "Body must be a JSON object", &s) }
        guard let name = body["name"]?.stringValue, !name.isEmpty else { return reject(400, "Task name invalid", &s) }
        for key in ["description", "markdown_content", "status"] where body[key] != nil && body[key]?.stringValue == nil {
            return reject(400, "\(key) must be a string", &s)
        }
        for key in ["notify_all", "check_required_custom_fields", "archived"] where body[key] != nil && body[key]?.boolValue == nil {
            return reject(400, "\(key) must be a boolean", &s)
        }
        guard let assignees = FakeClickUp.integers(body["assignees"]) else { return reject(400, "assignees must be integers", &s) }
        guard let tags = FakeClickUp.strings(body["tags"]) else { return reject(400, "tags must be strings", &s) }
        var parent: String?
        if let p = body["parent"], !p.isNull {
            guard let id = p.stringValue else { return reject(400, "parent must be a string or null", &s) }
            guard let pt = s.tasks[id] else { return FakeClickUp.error(404, "Parent task not found", "ITEM_015") }
            guard pt.listId == list else { return reject(400, "Parent task must be in the same list", &s) }
            parent = id
        }
        let markdown = body["markdown_content"]?.stringValue ?? body["description"]?.stringValue ?? ""
        let t = newTask(name: name, markdown: markdown, list: list, parent: parent, tags: tags.map { $0.lowercased() },
                        assignees: assignees, &s)
        return HTTPResponse(status: 200, json: render(t, markdown: true))
    }

    private func newTask(name: String, markdown: String, list: String, parent: String?, tags: [String], assignees: [Int],
                         _ s: inout State) -> StoredTask {
        let now = s.clock.tick()
        let id = String(s.nextTask, radix: 36)
        s.nextTask += 1
        let t = StoredTask(id: id, name: name, markdown: markdown, listId: list, parent: parent, tags: tags, assignees: assignees,
                     created: now, updated: now)
        s.tasks[id] = t
        s.order.append(id)
        return t
    }

    private func getTask(_ id: String, _ r: RoutedRequest, _ s: State) -> HTTPResponse {
        guard let t = s.tasks[id] else { return FakeClickUp.error(404, "Task not found, deleted", "ITEM_015") }
        return HTTPResponse(status: 200, json: render(t, markdown: r.queryValue("include_markdown_description") == "true"))
    }

    private func updateTask(_ id: String, _ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard let body = r.json?.objectValue else { return reject(400, "Body must be a JSON object", &s) }
        for key in ["name", "description", "markdown_content", "status"] where body[key] != nil && body[key]?.stringValue == nil {
            return reject(400, "\(key) must be a string", &s)
        }
        if let a = body["assignees"], FakeClickUp.integers(a["add"]) == nil || FakeClickUp.integers(a["rem"]) == nil {
            return reject(400, "assignees must be {add: [int], rem: [int]}", &s)
        }
        guard var t = s.tasks[id] else { return FakeClickUp.error(404, "Task not found, deleted", "ITEM_015") }
        if let name = body["name"]?.stringValue { t.name = name }
        if let md = body["markdown_content"]?.stringValue { t.markdown = md } else if let d = body["description"]?.stringValue { t.markdown = d }
        t.updated = s.clock.tick()
        s.tasks[id] = t
        return HTTPResponse(status: 200, json: render(t, markdown: true))
    }

    private func listTasks(_ list: String, _ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard s.lists.contains(list) else { return FakeClickUp.error(404, "List not found", "ITEM_013") }
        guard let page = Int(r.queryValue("page") ?? "0"), page >= 0 else { return reject(400, "page must be an integer", &s) }
        let subtasks = r.queryValue("subtasks") == "true"
        let tags = r.query["tags[]"] ?? []
        let matching = s.order.compactMap { s.tasks[$0] }.filter { t in
            t.listId == list && (subtasks || t.parent == nil) && (tags.isEmpty || tags.contains { t.tags.contains($0.lowercased()) })
        }
        let slice = Array(matching.dropFirst(page * pageSize).prefix(pageSize))
        return HTTPResponse(status: 200, json: ["tasks": .array(slice.map { render($0, markdown: false) }),
                                                "last_page": .bool((page + 1) * pageSize >= matching.count)])
    }

    private func render(_ t: StoredTask, markdown: Bool) -> JSON {
        var o: [String: JSON] = [
            "id": .string(t.id), "custom_id": .null, "name": .string(t.name), "text_content": .string(t.markdown),
            "description": .string(t.markdown), "status": ["status": "to do", "type": "open"],
            "date_created": .string(String(Int64(t.created * 1000))), "date_updated": .string(String(Int64(t.updated * 1000))),
            "archived": false, "assignees": .array(t.assignees.map { ["id": JSON($0), "username": .string("user \($0)")] }),
            "tags": .array(t.tags.map { ["name": .string($0), "tag_fg": "#000000", "tag_bg": "#EA80FC"] }),
            "parent": t.parent.map(JSON.string) ?? .null, "url": .string("https://app.clickup.com/t/\(t.id)"),
            "list": ["id": .string(t.listId), "name": "Support", "access": true], "team_id": "7002367",
        ]
        if markdown { o["markdown_description"] = .string(t.markdown) }
        return .object(o)
    }

    // MARK: - Comments

    private func createComment(_ id: String, _ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard let body = r.json?.objectValue, let text = body["comment_text"]?.stringValue else {
            return reject(400, "comment_text is required", &s)
        }
        guard body["notify_all"]?.boolValue != nil else { return reject(400, "notify_all is required", &s) }
        guard s.tasks[id] != nil else { return FakeClickUp.error(404, "Task not found, deleted", "ITEM_015") }
        let c = Comment(id: String(s.nextComment), text: text, date: s.clock.tick())
        s.nextComment += 1
        s.comments[id, default: []].append(c)
        return HTTPResponse(status: 200, json: ["id": .string(c.id), "hist_id": .string(String(26_000 + s.nextComment)),
                                                "date": JSON(Int(c.date * 1000))])
    }

    private func listComments(_ id: String, _ r: RoutedRequest, _ s: State) -> HTTPResponse {
        guard s.tasks[id] != nil else { return FakeClickUp.error(404, "Task not found, deleted", "ITEM_015") }
        var newestFirst = (s.comments[id] ?? []).reversed().map { $0 }
        if let start = r.queryValue("start").flatMap(Double.init), let startId = r.queryValue("start_id") {
            // Older than the given comment.
            newestFirst = newestFirst.filter { ($0.date * 1000).rounded() < start || (($0.date * 1000).rounded() == start && Int($0.id)! < Int(startId) ?? 0) }
        }
        return HTTPResponse(status: 200, json: ["comments": .array(newestFirst.prefix(25).map {
            ["id": .string($0.id), "comment": [["text": .string($0.text)]], "comment_text": .string($0.text),
             "user": ["id": 183, "username": "Plugboard"], "resolved": false, "assignee": .null, "assigned_by": .null,
             "reactions": [], "date": .string(String(Int64(($0.date * 1000).rounded())))]
        })])
    }

    // MARK: - Checks

    static func integers(_ v: JSON?) -> [Int]? {
        guard let v, !v.isNull else { return [] }
        guard let a = v.arrayValue else { return nil }
        let ints = a.compactMap(\.intValue)
        return ints.count == a.count ? ints : nil
    }

    static func strings(_ v: JSON?) -> [String]? {
        guard let v, !v.isNull else { return [] }
        guard let a = v.arrayValue else { return nil }
        let s = a.compactMap(\.stringValue)
        return s.count == a.count ? s : nil
    }

    private func reject(_ status: Int, _ message: String, _ s: inout State) -> HTTPResponse {
        s.rejections.append(message)
        return FakeClickUp.error(status, message, "INPUT_005")
    }

    private func reject(_ status: Int, _ message: String) -> HTTPResponse {
        state.withLock { $0.rejections.append(message) }
        return FakeClickUp.error(status, message, "INPUT_005")
    }

    static func error(_ status: Int, _ err: String, _ ecode: String) -> HTTPResponse {
        HTTPResponse(status: status, json: ["err": .string(err), "ECODE": .string(ecode)])
    }
}
