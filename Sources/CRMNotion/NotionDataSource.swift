import PlugboardKernel

/// One Notion database as the adapter uses it: where to query it and its
/// columns (name → Notion property type), read once.
struct NotionDataSource: Sendable {
    /// The database id (dashed, lower-case).
    var databaseId: String
    /// The data source to query (2025-09-03 and later), nil for older API versions.
    var dataSourceId: String?
    /// Column name → type (`title`, `rich_text`, `status`, ...).
    var columns: [String: String]

    /// `POST` here to query.
    var queryPath: String {
        dataSourceId.map { "/v1/data_sources/\($0)/query" } ?? "/v1/databases/\(databaseId)/query"
    }

    /// The column `name`, else one whose name matches ignoring case.
    func column(_ name: String) -> String? {
        if columns[name] != nil { return name }
        let lower = name.lowercased()
        return columns.keys.first { $0.lowercased() == lower }
    }

    /// Whether a page's `parent` is this database (or its data source).
    func isParent(of page: JSON) -> Bool {
        let p = page["parent"]
        if let db = p?["database_id"]?.stringValue, NotionCRM.uuid(db) == databaseId { return true }
        if let ds = p?["data_source_id"]?.stringValue, let mine = dataSourceId, NotionCRM.uuid(ds) == mine { return true }
        return false
    }
}

/// Notion property values: the port's JSON in, Notion's typed values out, and back.
enum NotionValues {
    /// Notion's limit on one rich-text item's `text.content`.
    static let maxTextLength = 2000
    /// Notion's limit on items in one rich-text array (and blocks in one request).
    static let maxItems = 100

    /// `text` cut into pieces of at most 2,000 UTF-16 units (Notion counts as
    /// JavaScript does), never inside a character.
    static func pieces(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var units = 0
        for c in text {
            let n = c.utf16.count
            if units + n > maxTextLength, !current.isEmpty {
                out.append(current)
                current = ""
                units = 0
            }
            current.append(c)
            units += n
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// A rich-text array for `text` (empty for an empty string).
    static func richText(_ text: String) -> [JSON] {
        pieces(text).map { ["type": "text", "text": ["content": .string($0)]] }
    }

    /// The plain text of a rich-text array.
    static func plainText(_ items: JSON?) -> String {
        (items?.arrayValue ?? []).map { $0["plain_text"]?.stringValue ?? $0["text"]?["content"]?.stringValue ?? "" }.joined()
    }

    /// Paragraph blocks holding `text` exactly: up to 100 pieces of 2,000 per block.
    static func paragraphs(_ text: String) -> [JSON] {
        let items = richText(text)
        return stride(from: 0, to: items.count, by: maxItems).map { start in
            ["type": "paragraph", "paragraph": ["rich_text": .array(Array(items[start..<min(start + maxItems, items.count)]))]]
        }
    }

    /// The port's value as a property value for a column of `type`.
    static func encode(_ value: JSON, type: String, column: String) throws -> JSON {
        func text(_ v: JSON) -> String {
            switch v {
            case .string(let s): return s
            case .number(let n): return n.text
            case .bool(let b): return b ? "true" : "false"
            case .null: return ""
            case .array(let a): return a.map { $0.stringValue ?? $0.serialized() }.joined(separator: ", ")
            case .object: return v.serialized()
            }
        }
        func refuse(_ why: String) -> PlugboardError {
            PlugboardError.invalidInput("Notion column \"\(column)\" (\(type)): \(why)", adapter: NotionCRM.adapter)
        }
        switch type {
        case "title", "rich_text":
            let items = richText(text(value))
            guard items.count <= maxItems else { throw refuse("the text is over 200,000 characters") }
            return [type: .array(items)]
        case "number":
            if value.isNull { return ["number": .null] }
            if case .number = value { return ["number": value] }
            guard let d = Double(text(value)), let n = JSONNumber(d) else { throw refuse("expected a number, got \(value.snippet)") }
            return ["number": .number(n)]
        case "checkbox":
            if let b = value.boolValue { return ["checkbox": .bool(b)] }
            switch text(value).lowercased() {
            case "true", "yes", "1": return ["checkbox": true]
            case "false", "no", "0", "": return ["checkbox": false]
            default: throw refuse("expected true or false, got \(value.snippet)")
            }
        case "select", "status":
            let name = text(value)
            return [type: name.isEmpty ? .null : ["name": .string(String(name.prefix(100)))]]
        case "multi_select":
            let names = value.arrayValue?.map(text) ?? text(value).split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            return ["multi_select": .array(names.filter { !$0.isEmpty }.map { ["name": .string($0)] })]
        case "url", "email", "phone_number":
            let s = text(value)
            return [type: s.isEmpty ? .null : .string(s)]
        case "date":
            let s = text(value)
            if s.isEmpty { return ["date": .null] }
            guard Timestamp.parse(s) != nil else { throw refuse("expected an ISO 8601 date, got \(value.snippet)") }
            return ["date": ["start": .string(s)]]
        case "relation":
            let ids = value.arrayValue?.map(text) ?? [text(value)]
            return ["relation": .array(try ids.filter { !$0.isEmpty }.map { id in
                guard let u = NotionCRM.uuid(id) else { throw refuse("\"\(id)\" is not a page id") }
                return ["id": .string(u)]
            })]
        default:
            throw refuse("this column type cannot be written")
        }
    }

    /// A property value as the port's JSON; nil for types the port has no use for.
    static func decode(_ p: JSON) -> JSON? {
        guard let type = p["type"]?.stringValue else { return nil }
        let v = p[type]
        switch type {
        case "title", "rich_text": return .string(plainText(v))
        case "number": return v ?? .null
        case "checkbox": return v?.boolValue.map(JSON.bool) ?? .null
        case "select", "status": return v?["name"]?.stringValue.map(JSON.string) ?? .null
        case "multi_select": return .array((v?.arrayValue ?? []).compactMap { $0["name"]?.stringValue.map(JSON.string) })
        case "url", "email", "phone_number": return v?.stringValue.map(JSON.string) ?? .null
        case "date": return v?["start"]?.stringValue.map(JSON.string) ?? .null
        case "relation": return .array((v?.arrayValue ?? []).compactMap { $0["id"]?.stringValue.map(JSON.string) })
        case "created_time", "last_edited_time": return v ?? .null
        case "unique_id":
            guard let n = v?["number"] else { return nil }
            return .string((v?["prefix"]?.stringValue.map { "\($0)-" } ?? "") + (n.numberValue?.text ?? ""))
        default: return nil
        }
    }
}
