import Foundation
import PlugboardKernel
import Synchronization

/// An in-memory Notion that follows reference/notes/notion.md and the
/// 2025-09-03 OpenAPI subset (reference/openapi/notion-openapi.json):
/// databases holding one data source each, data source query (compound
/// filters, property and timestamp sorts, `start_cursor` paging), page create
/// (parent `database_id`, typed properties, up to 100 children), read and
/// update, block children append (up to 100, paragraph and bulleted list item
/// blocks as the OpenAPI allows) and list (paged), the token's bot user
/// (`GET /v1/users/me`), bearer auth, the required
/// `Notion-Version`, and Notion's error objects. Rich text is checked against
/// the limits (2,000 characters per item, 100 items); every refusal is
/// recorded in `rejections`.
final class FakeNotion: Sendable {
    struct Column {
        var id: String
        var type: String
        /// Option names of status columns (fixed) and select columns (grown on write).
        var options: [String] = []
    }

    struct Database {
        var id: String
        var dataSourceId: String
        var title: String
        var columns: [String: Column]
    }

    struct Page {
        var id: String
        var database: String
        var properties: [String: JSON]
        var created: Double
        var edited: Double
        var children: [String] = []
        var inTrash = false
    }

    struct State {
        var clock = FakeClock()
        var databases: [String: Database] = [:]
        var pages: [String: Page] = [:]
        var blocks: [String: JSON] = [:]
        var faults: [(path: String?, fault: InjectedFault)] = []
        var rejections: [String] = []
        var requests: [String] = []
    }

    static let version = "2025-09-03"
    static let contactsDatabase = "1a2b3c4d-0000-4000-8000-00000000c0c0"
    static let ticketsDatabase = "1a2b3c4d-0000-4000-8000-00000000d1d1"
    static let templatesDatabase = "1a2b3c4d-0000-4000-8000-00000000e2e2"

    let token: String
    /// Results per page of queries and block lists (Notion: up to 100; small here, so paging is exercised).
    let pageSize: Int
    let state: Mutex<State>

    init(token: String = "ntn_test_" + String(UInt64.random(in: 0..<UInt64.max), radix: 36), pageSize: Int = 2) {
        self.token = token
        self.pageSize = pageSize
        var s = State()
        func db(_ id: String, _ title: String, _ columns: [(String, String, [String])]) {
            var cols: [String: Column] = [:]
            for (i, (name, type, options)) in columns.enumerated() { cols[name] = Column(id: "p\(i)", type: type, options: options) }
            s.databases[id] = Database(id: id, dataSourceId: FakeNotion.newID(), title: title, columns: cols)
        }
        db(FakeNotion.contactsDatabase, "Contacts", [("Name", "title", []), ("Email", "email", []), ("Phone", "phone_number", [])])
        db(FakeNotion.ticketsDatabase, "Tickets", [
            ("Name", "title", []), ("Status", "status", ["Not started", "In progress", "Done"]), ("Contact", "relation", []),
            ("Plugboard ID", "rich_text", []), ("Résumé", "rich_text", []), ("Catégorie", "select", []), ("channel", "select", []),
            ("Urgent", "checkbox", []), ("Score", "number", []), ("Mis à jour", "date", []), ("fichiers_urls", "rich_text", []),
            ("Tags", "multi_select", []), ("Created", "created_time", []),
        ])
        db(FakeNotion.templatesDatabase, "Réponses types", [("Category", "title", []), ("Reply", "rich_text", [])])
        state = Mutex(s)
    }

    static func newID() -> String { UUID().uuidString.lowercased() }

    // MARK: - Test controls

    func inject(_ fault: InjectedFault, path: String? = nil) { state.withLock { $0.faults.append((path, fault)) } }
    var rejections: [String] { state.withLock { $0.rejections } }
    var requests: [String] { state.withLock { $0.requests } }
    var pageCount: Int { state.withLock { $0.pages.count } }
    func page(_ id: String) -> Page? { state.withLock { $0.pages[id] } }
    func blocks(of id: String) -> [JSON] { state.withLock { s in (s.pages[id]?.children ?? []).compactMap { s.blocks[$0] } } }

    /// Adds a row as a person would in Notion (plain text values into title / rich text columns).
    func seed(_ database: String, _ values: [String: String]) {
        state.withLock { s in
            let db = s.databases[database]!
            var props: [String: JSON] = [:]
            for (k, v) in values {
                let c = db.columns[k]!
                props[k] = .object(["id": .string(c.id), "type": .string(c.type),
                                    c.type: .array(FakeNotion.richTextResponse([["type": "text", "text": ["content": .string(v)]]]))])
            }
            let now = s.clock.tick()
            let id = FakeNotion.newID()
            s.pages[id] = Page(id: id, database: database, properties: props, created: now, edited: now)
        }
    }

    // MARK: - Serving

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
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Data(#"{"object": "list", "results": ["#.utf8))
        case .stall(let d)?:
            try await Task.sleep(for: d)
        case nil:
            break
        }
        guard request.headers["Authorization"] == "Bearer \(token)" else {
            return FakeNotion.error(401, "unauthorized", "API token is invalid.")
        }
        guard request.headers["Notion-Version"] == FakeNotion.version else {
            return reject(400, "missing_version", "Notion-Version header failed validation: should be \(FakeNotion.version).")
        }
        if !r.rawBody.isEmpty, request.headers["Content-Type"]?.hasPrefix("application/json") != true {
            return reject(400, "invalid_request", "Content-Type must be application/json")
        }
        if !r.rawBody.isEmpty, r.json == nil { return reject(400, "invalid_json", "Error parsing JSON body.") }
        return state.withLock { s in route(r, &s) }
    }

    private func route(_ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        if r.match("GET", "v1/users/me") != nil {
            return HTTPResponse(status: 200, json: ["object": "user", "id": "16d84278-ab0e-484c-9bdd-b35da3bd8905", "name": "Plugboard fake",
                                                    "avatar_url": .null, "type": "bot", "bot": ["owner": ["type": "workspace", "workspace": true]]])
        }
        if let m = r.match("GET", "v1/databases/*") { return getDatabase(m[0], s) }
        if let m = r.match("GET", "v1/data_sources/*") { return getDataSource(m[0], s) }
        if let m = r.match("POST", "v1/data_sources/*/query") { return query(m[0], r, &s) }
        if r.match("POST", "v1/pages") != nil { return createPage(r, &s) }
        if let m = r.match("GET", "v1/pages/*") { return getPage(m[0], s) }
        if let m = r.match("PATCH", "v1/pages/*") { return updatePage(m[0], r, &s) }
        if let m = r.match("PATCH", "v1/blocks/*/children") { return appendChildren(m[0], r, &s) }
        if let m = r.match("GET", "v1/blocks/*/children") { return listChildren(m[0], r, &s) }
        return FakeNotion.error(400, "invalid_request_url", "Invalid request URL.")
    }

    // MARK: - Databases

    private func database(_ id: String, _ s: State) -> Database? {
        guard let u = FakeNotion.uuid(id) else { return nil }
        return s.databases[u]
    }

    private func getDatabase(_ id: String, _ s: State) -> HTTPResponse {
        guard let db = database(id, s) else { return FakeNotion.notFound("database", id) }
        return HTTPResponse(status: 200, json: ["object": "database", "id": .string(db.id), "title": FakeNotion.plainTitle(db.title),
                                                "data_sources": [["id": .string(db.dataSourceId), "name": .string(db.title)]],
                                                "in_trash": false, "is_inline": false])
    }

    private func getDataSource(_ id: String, _ s: State) -> HTTPResponse {
        guard let db = s.databases.values.first(where: { $0.dataSourceId == FakeNotion.uuid(id) }) else { return FakeNotion.notFound("data source", id) }
        var props: [String: JSON] = [:]
        for (name, c) in db.columns {
            var config: JSON = [:]
            if !c.options.isEmpty { config = ["options": .array(c.options.map { ["name": .string($0)] })] }
            props[name] = .object(["id": .string(c.id), "name": .string(name), "type": .string(c.type), c.type: config])
        }
        return HTTPResponse(status: 200, json: ["object": "data_source", "id": .string(db.dataSourceId), "properties": .object(props),
                                                "parent": ["type": "database_id", "database_id": .string(db.id)]])
    }

    private func query(_ id: String, _ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard let db = s.databases.values.first(where: { $0.dataSourceId == FakeNotion.uuid(id) }) else { return FakeNotion.notFound("data source", id) }
        let body = r.json?.objectValue ?? [:]
        for k in body.keys where !["filter", "sorts", "start_cursor", "page_size", "archived", "in_trash"].contains(k) {
            return reject(400, "validation_error", "body.\(k) should be not present", &s)
        }
        let size = body["page_size"]?.intValue ?? 100
        guard (1...100).contains(size) else { return reject(400, "validation_error", "body.page_size should be ≤ 100", &s) }
        var rows = s.pages.values.filter { $0.database == db.id && !$0.inTrash }
        if let filter = body["filter"] {
            switch predicate(filter, db, depth: 0) {
            case .success(let keep): rows = rows.filter(keep)
            case .failure(let f): return reject(400, "validation_error", f.message, &s)
            }
        }
        var sorts: [((Page) -> Double, Bool)] = []
        for sort in body["sorts"]?.arrayValue ?? [] {
            let descending = sort["direction"]?.stringValue == "descending"
            guard descending || sort["direction"]?.stringValue == "ascending" else { return reject(400, "validation_error", "sort direction", &s) }
            if let ts = sort["timestamp"]?.stringValue {
                sorts.append((ts == "created_time" ? { $0.created } : { $0.edited }, descending))
            } else if let p = sort["property"]?.stringValue, let c = db.columns[p] {
                sorts.append(({ page in FakeNotion.sortValue(page.properties[p], c.type) }, descending))
            } else {
                return reject(400, "validation_error", "Could not find sort property \(sort.serialized())", &s)
            }
        }
        rows.sort { a, b in
            for (key, descending) in sorts where key(a) != key(b) { return descending ? key(a) > key(b) : key(a) < key(b) }
            return a.created < b.created
        }
        return paged(rows.map { render($0, s) }, cursor: body["start_cursor"]?.stringValue, size: size, type: "page_or_data_source", &s)
    }

    /// One page of a list: Notion's list object with `next_cursor` and `has_more`.
    private func paged(_ all: [JSON], cursor: String?, size: Int, type: String, _ s: inout State) -> HTTPResponse {
        var start = 0
        if let cursor {
            guard cursor.hasPrefix("cursor-"), let n = Int(cursor.dropFirst(7)), n <= all.count else {
                return reject(400, "validation_error", "body.start_cursor should be a valid cursor", &s)
            }
            start = n
        }
        let end = min(all.count, start + min(size, pageSize))
        let more = end < all.count
        return HTTPResponse(status: 200, json: ["object": "list", "results": .array(Array(all[start..<end])),
                                                "next_cursor": more ? .string("cursor-\(end)") : .null, "has_more": .bool(more),
                                                "type": .string(type), type: [:]])
    }

    // MARK: - Filters

    struct FilterError: Error { let message: String }

    private func predicate(_ f: JSON, _ db: Database, depth: Int) -> Result<(Page) -> Bool, FilterError> {
        for op in ["and", "or"] {
            guard let parts = f[op]?.arrayValue else { continue }
            guard depth < 2 else { return .failure(FilterError(message: "filter nests more than two levels")) }
            var preds: [(Page) -> Bool] = []
            for p in parts {
                switch predicate(p, db, depth: depth + 1) {
                case .success(let x): preds.append(x)
                case .failure(let e): return .failure(e)
                }
            }
            return .success(op == "and" ? { page in preds.allSatisfy { $0(page) } } : { page in preds.contains { $0(page) } })
        }
        if let ts = f["timestamp"]?.stringValue {
            guard ["created_time", "last_edited_time"].contains(ts), let cond = f[ts]?.objectValue, let (op, v) = cond.first,
                  let t = v.stringValue.flatMap(Timestamp.parse) else { return .failure(FilterError(message: "invalid timestamp filter \(f.serialized())")) }
            let get: (Page) -> Double = ts == "created_time" ? { $0.created } : { $0.edited }
            return FakeNotion.dateCondition(op, t).map { c in { c(get($0)) } }
        }
        guard let name = f["property"]?.stringValue, let column = db.columns[name] else {
            return .failure(FilterError(message: "Could not find property with name or id: \(f["property"]?.stringValue ?? "?")"))
        }
        guard let cond = f[column.type]?.objectValue, cond.count == 1, let (op, v) = cond.first else {
            return .failure(FilterError(message: "body.filter.\(column.type) should be defined, instead was `undefined`."))
        }
        switch column.type {
        case "title", "rich_text", "email", "url", "phone_number", "select", "status":
            let text: (Page) -> String? = { page in FakeNotion.text(page.properties[name], column.type) }
            switch (op, v.stringValue) {
            case ("equals", let x?): return .success { text($0) == x }
            case ("does_not_equal", let x?): return .success { text($0) != x }
            case ("contains", let x?): return .success { text($0)?.contains(x) ?? false }
            case ("is_empty", _): return .success { (text($0) ?? "").isEmpty }
            case ("is_not_empty", _): return .success { !(text($0) ?? "").isEmpty }
            default: return .failure(FilterError(message: "unsupported \(column.type) condition \(op)"))
            }
        case "relation":
            guard op == "contains" || op == "does_not_contain", let id = v.stringValue.flatMap(FakeNotion.uuid) else {
                return .failure(FilterError(message: "relation filter takes contains / does_not_contain a page id"))
            }
            let has: (Page) -> Bool = { page in
                (page.properties[name]?["relation"]?.arrayValue ?? []).contains { $0["id"]?.stringValue == id }
            }
            return .success(op == "contains" ? has : { !has($0) })
        case "date":
            guard let t = v.stringValue.flatMap(Timestamp.parse) else { return .failure(FilterError(message: "date filter takes an ISO date")) }
            return FakeNotion.dateCondition(op, t).map { c in
                { page in (page.properties[name]?["date"]?["start"]?.stringValue).flatMap(Timestamp.parse).map(c) ?? false }
            }
        default:
            return .failure(FilterError(message: "the fake does not filter \(column.type) columns"))
        }
    }

    static func dateCondition(_ op: String, _ t: Double) -> Result<(Double) -> Bool, FilterError> {
        switch op {
        case "on_or_after": return .success { $0 >= t }
        case "after": return .success { $0 > t }
        case "on_or_before": return .success { $0 <= t }
        case "before": return .success { $0 < t }
        case "equals": return .success { $0 == t }
        default: return .failure(FilterError(message: "unsupported date condition \(op)"))
        }
    }

    static func text(_ value: JSON?, _ type: String) -> String? {
        guard let v = value?[type] else { return nil }
        switch type {
        case "title", "rich_text": return (v.arrayValue ?? []).compactMap { $0["plain_text"]?.stringValue }.joined()
        case "select", "status": return v["name"]?.stringValue
        default: return v.stringValue
        }
    }

    static func sortValue(_ value: JSON?, _ type: String) -> Double {
        switch type {
        case "date": return (value?["date"]?["start"]?.stringValue).flatMap(Timestamp.parse) ?? -.infinity
        case "number": return value?["number"]?.doubleValue ?? -.infinity
        default: return Double(text(value, type)?.unicodeScalars.first?.value ?? 0)
        }
    }

    // MARK: - Pages

    private func createPage(_ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard let body = r.json?.objectValue else { return reject(400, "validation_error", "body should be an object", &s) }
        guard let parent = body["parent"]?.objectValue, let dbID = parent["database_id"]?.stringValue else {
            return reject(400, "validation_error", "body.parent.database_id should be defined", &s)
        }
        if let t = parent["type"], t.stringValue != "database_id" { return reject(400, "validation_error", "body.parent.type should be database_id", &s) }
        guard let props = body["properties"]?.objectValue else { return reject(400, "validation_error", "body.properties should be defined", &s) }
        guard var db = database(dbID, s) else { return FakeNotion.notFound("database", dbID) }
        var page = Page(id: FakeNotion.newID(), database: db.id, properties: [:], created: 0, edited: 0)
        if let failure = apply(props, to: &page, &db, &s) { return failure }
        var children: [JSON] = []
        if let c = body["children"] {
            switch checkBlocks(c) {
            case .success(let blocks): children = blocks
            case .failure(let e): return reject(400, "validation_error", e.message, &s)
            }
        }
        let now = s.clock.tick()
        page.created = now
        page.edited = now
        s.databases[db.id] = db
        s.pages[page.id] = page
        _ = store(children, in: page.id, &s)
        return HTTPResponse(status: 200, json: render(s.pages[page.id]!, s))
    }

    private func getPage(_ id: String, _ s: State) -> HTTPResponse {
        guard let u = FakeNotion.uuid(id), let page = s.pages[u] else { return FakeNotion.notFound("page", id) }
        return HTTPResponse(status: 200, json: render(page, s))
    }

    private func updatePage(_ id: String, _ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard let body = r.json?.objectValue else { return reject(400, "validation_error", "body should be an object", &s) }
        for k in body.keys where !["properties", "in_trash", "archived", "icon", "cover"].contains(k) {
            return reject(400, "validation_error", "body.\(k) should be not present", &s)
        }
        guard let u = FakeNotion.uuid(id), var page = s.pages[u] else { return FakeNotion.notFound("page", id) }
        var db = s.databases[page.database]!
        if let props = body["properties"] {
            guard let o = props.objectValue else { return reject(400, "validation_error", "body.properties should be an object", &s) }
            if let failure = apply(o, to: &page, &db, &s) { return failure }
        }
        if let t = body["in_trash"]?.boolValue { page.inTrash = t }
        page.edited = s.clock.tick()
        s.databases[db.id] = db
        s.pages[u] = page
        return HTTPResponse(status: 200, json: render(page, s))
    }

    /// Checks and writes property values the way Notion validates them.
    private func apply(_ props: [String: JSON], to page: inout Page, _ db: inout Database, _ s: inout State) -> HTTPResponse? {
        for (key, value) in props {
            guard let name = db.columns[key] != nil ? key : db.columns.first(where: { $0.value.id == key })?.key, var column = db.columns[name] else {
                return reject(400, "validation_error", "\(key) is not a property that exists.", &s)
            }
            guard let o = value.objectValue, let v = o[column.type], o.keys.allSatisfy({ $0 == column.type || $0 == "type" }) else {
                return reject(400, "validation_error", "body.properties.\(key).\(column.type) should be defined, instead was `undefined`.", &s)
            }
            var stored = v
            switch column.type {
            case "title", "rich_text":
                guard let items = v.arrayValue else { return reject(400, "validation_error", "\(key): rich text must be an array", &s) }
                if let e = FakeNotion.checkRichText(items) { return reject(400, "validation_error", "body.properties.\(key).\(column.type)\(e)", &s) }
                stored = .array(FakeNotion.richTextResponse(items))
            case "number":
                guard v.isNull || v.numberValue != nil else { return reject(400, "validation_error", "\(key) should be a number", &s) }
            case "checkbox":
                guard v.boolValue != nil else { return reject(400, "validation_error", "\(key) should be a boolean", &s) }
            case "select", "status":
                if !v.isNull {
                    guard let n = v["name"]?.stringValue, !n.isEmpty, n.count <= 100 else { return reject(400, "validation_error", "\(key).name should be a string", &s) }
                    if column.type == "status", !column.options.contains(n) {
                        return reject(400, "validation_error", "Invalid status option. Status option \"\(n)\" does not exist\".", &s)
                    }
                    if column.type == "select", !column.options.contains(n) { column.options.append(n) }
                }
            case "multi_select":
                guard let a = v.arrayValue, a.count <= 100, a.allSatisfy({ $0["name"]?.stringValue != nil }) else {
                    return reject(400, "validation_error", "\(key) should be an array of {name}", &s)
                }
            case "email", "url", "phone_number":
                guard v.isNull || (v.stringValue.map { $0.count <= (column.type == "url" ? 2000 : 200) } ?? false) else {
                    return reject(400, "validation_error", "\(key) should be a string within the size limit", &s)
                }
            case "date":
                guard v.isNull || v["start"]?.stringValue.flatMap(Timestamp.parse) != nil else {
                    return reject(400, "validation_error", "\(key).start should be an ISO 8601 date", &s)
                }
            case "relation":
                guard let a = v.arrayValue, a.count <= 100, a.allSatisfy({ $0["id"]?.stringValue.flatMap(FakeNotion.uuid) != nil }) else {
                    return reject(400, "validation_error", "\(key) should be an array of {id} (at most 100)", &s)
                }
                stored = .array(a.map { ["id": .string(FakeNotion.uuid($0["id"]!.stringValue!)!)] })
            default:
                return reject(400, "validation_error", "\(key) is a \(column.type) property and cannot be written.", &s)
            }
            db.columns[name] = column
            page.properties[name] = .object(["id": .string(column.id), "type": .string(column.type), column.type: stored])
        }
        return nil
    }

    /// A page object: every column (empty ones too), parent, url, timestamps.
    private func render(_ page: Page, _ s: State) -> JSON {
        let db = s.databases[page.database]!
        var props: [String: JSON] = [:]
        for (name, c) in db.columns {
            switch c.type {
            case "created_time": props[name] = ["id": .string(c.id), "type": "created_time", "created_time": .string(Timestamp.sortKey(page.created))]
            default:
                let empty: JSON
                switch c.type {
                case "title", "rich_text", "relation", "multi_select": empty = []
                case "checkbox": empty = false
                default: empty = .null
                }
                props[name] = page.properties[name] ?? .object(["id": .string(c.id), "type": .string(c.type), c.type: empty])
            }
        }
        if var rel = props.first(where: { db.columns[$0.key]?.type == "relation" }) {
            rel.value["has_more"] = false
            props[rel.key] = rel.value
        }
        let title = db.columns.first { $0.value.type == "title" }.flatMap { FakeNotion.text(page.properties[$0.key], "title") } ?? ""
        let slug = title.lowercased().filter { $0.isLetter || $0.isNumber || $0 == " " }.split(separator: " ").prefix(5).joined(separator: "-")
        return ["object": "page", "id": .string(page.id), "created_time": .string(Timestamp.sortKey(page.created)),
                "last_edited_time": .string(Timestamp.sortKey(page.edited)), "in_trash": .bool(page.inTrash), "archived": .bool(page.inTrash),
                "parent": ["type": "data_source_id", "data_source_id": .string(db.dataSourceId), "database_id": .string(db.id)],
                "properties": .object(props),
                "url": .string("https://www.notion.so/\(slug.isEmpty ? "" : slug + "-")\(page.id.filter { $0 != "-" })")]
    }

    // MARK: - Blocks

    private func appendChildren(_ id: String, _ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard let body = r.json?.objectValue, let children = body["children"] else {
            return reject(400, "validation_error", "body.children should be defined", &s)
        }
        for k in body.keys where !["children", "after"].contains(k) { return reject(400, "validation_error", "body.\(k) should be not present", &s) }
        let blocks: [JSON]
        switch checkBlocks(children) {
        case .success(let b): blocks = b
        case .failure(let e): return reject(400, "validation_error", e.message, &s)
        }
        guard let u = FakeNotion.uuid(id), s.pages[u] != nil else { return FakeNotion.notFound("block", id) }
        let made = store(blocks, in: u, &s)
        s.pages[u]!.edited = s.clock.tick()
        return HTTPResponse(status: 200, json: ["object": "list", "results": .array(made), "next_cursor": .null, "has_more": false,
                                                "type": "block", "block": [:]])
    }

    private func listChildren(_ id: String, _ r: RoutedRequest, _ s: inout State) -> HTTPResponse {
        guard let u = FakeNotion.uuid(id), let page = s.pages[u] else { return FakeNotion.notFound("block", id) }
        let size = Int(r.queryValue("page_size") ?? "100") ?? 0
        guard (1...100).contains(size) else { return reject(400, "validation_error", "page_size should be ≤ 100", &s) }
        return paged(page.children.compactMap { s.blocks[$0] }, cursor: r.queryValue("start_cursor"), size: size, type: "block", &s)
    }

    private func store(_ blocks: [JSON], in pageId: String, _ s: inout State) -> [JSON] {
        blocks.map { b in
            let type = b["type"]?.stringValue ?? b.objectValue!.keys.first { $0 != "type" }!
            let id = FakeNotion.newID()
            let block: JSON = ["object": "block", "id": .string(id), "type": .string(type), "has_children": false, "in_trash": false,
                               "parent": ["type": "page_id", "page_id": .string(pageId)],
                               type: ["rich_text": .array(FakeNotion.richTextResponse(b[type]?["rich_text"]?.arrayValue ?? [])), "color": "default"]]
            s.blocks[id] = block
            s.pages[pageId]!.children.append(id)
            return block
        }
    }

    /// Blocks as the OpenAPI's `blockObjectRequest` allows: paragraph or
    /// bulleted list item, `{type?, <type>: {rich_text}}`, at most 100.
    private func checkBlocks(_ v: JSON) -> Result<[JSON], FilterError> {
        guard let blocks = v.arrayValue else { return .failure(FilterError(message: "children should be an array")) }
        guard blocks.count <= 100 else { return .failure(FilterError(message: "body.children.length should be ≤ 100, instead was `\(blocks.count)`.")) }
        for (i, b) in blocks.enumerated() {
            guard let o = b.objectValue else { return .failure(FilterError(message: "children[\(i)] should be an object")) }
            let kinds = o.keys.filter { $0 != "type" }
            guard kinds.count == 1, let kind = kinds.first, ["paragraph", "bulleted_list_item"].contains(kind),
                  o["type"] == nil || o["type"]?.stringValue == kind else {
                return .failure(FilterError(message: "children[\(i)] should be a paragraph or bulleted_list_item block, got keys \(o.keys.sorted())"))
            }
            guard let content = o[kind]?.objectValue, content.keys.allSatisfy({ $0 == "rich_text" }), let items = content["rich_text"]?.arrayValue else {
                return .failure(FilterError(message: "children[\(i)].\(kind).rich_text should be defined"))
            }
            if let e = FakeNotion.checkRichText(items) { return .failure(FilterError(message: "children[\(i)].\(kind).rich_text\(e)")) }
        }
        return .success(blocks)
    }

    // MARK: - Rich text

    /// `richTextRequest`: `{type?: "text", text: {content (≤ 2,000), link?}}`, at most 100 items.
    static func checkRichText(_ items: [JSON]) -> String? {
        guard items.count <= 100 else { return ".length should be ≤ 100, instead was `\(items.count)`." }
        for (i, item) in items.enumerated() {
            guard let o = item.objectValue, o.keys.allSatisfy({ ["type", "text"].contains($0) }), o["type"] == nil || o["type"] == "text",
                  let text = o["text"]?.objectValue, text.keys.allSatisfy({ ["content", "link"].contains($0) }),
                  let content = text["content"]?.stringValue else { return "[\(i)] should be a text rich text object" }
            if content.utf16.count > 2000 { return "[\(i)].text.content.length should be ≤ 2000, instead was `\(content.utf16.count)`." }
        }
        return nil
    }

    static func richTextResponse(_ items: [JSON]) -> [JSON] {
        items.map { item in
            let content = item["text"]?["content"]?.stringValue ?? ""
            return ["type": "text", "text": ["content": .string(content), "link": .null],
                    "annotations": ["bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"],
                    "plain_text": .string(content), "href": .null]
        }
    }

    static func plainTitle(_ s: String) -> JSON { .array(richTextResponse([["text": ["content": .string(s)]]])) }

    // MARK: - Errors

    static func uuid(_ s: String) -> String? {
        let hex = s.lowercased().filter { $0 != "-" }
        guard hex.count == 32, hex.allSatisfy(\.isHexDigit) else { return nil }
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }

    private func reject(_ status: Int, _ code: String, _ message: String, _ s: inout State) -> HTTPResponse {
        s.rejections.append(message)
        return FakeNotion.error(status, code, message)
    }

    private func reject(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
        state.withLock { $0.rejections.append(message) }
        return FakeNotion.error(status, code, message)
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
        HTTPResponse(status: status, json: ["object": "error", "status": JSON(status), "code": .string(code), "message": .string(message),
                                            "request_id": .string(newID())])
    }

    static func notFound(_ what: String, _ id: String) -> HTTPResponse {
        if uuid(id) == nil {
            return error(400, "validation_error", "path failed validation: path.\(what == "page" ? "page_id" : "id") should be a valid uuid, instead was `\"\(id)\"`.")
        }
        return error(404, "object_not_found",
                     "Could not find \(what) with ID: \(id). Make sure the relevant pages and databases are shared with your integration.")
    }
}
