import Foundation
import PlugboardKernel
import Synchronization

/// The `notion` CRM: contacts and tickets as pages of two Notion databases,
/// notes appended to the ticket page as blocks, and a third database of
/// response templates (category → generic reply) the workflow can read.
///
/// - Columns are found through `PropertyMapping` and written by their type
///   (read once per database from its data source's schema); ticket
///   properties without a column are skipped with a warning.
/// - The port's reserved names map to mapped columns: `subject` → title,
///   `status`, `plugboard_ticket_id` → key, `description`, `updated_at`,
///   `contacts` → the relation to contacts.
/// - Idempotency: a ticket created with a key is first looked up by its key
///   column; a note starts with a marker paragraph `📝 <time> · plugboard-note <hash>`
///   by which a retried `addNote` finds it. Notion has no unique columns, so two
///   *concurrent* creates of one e-mail or key can both create (the workflow
///   serializes its own).
/// - Ids are UUIDs; anything else names no page (`nil` / `.notFound`).
/// - Queries page through `start_cursor`; no retries here (429 and 529 carry
///   `Retry-After` for the policy layer).
public final class NotionCRM: CRM {
    public let configuration: Configuration
    let client: NotionClient
    let logger: Logger
    /// Resolved databases, by database id.
    let sources = Mutex<[String: NotionDataSource]>([:])
    /// Port name → column, for the reserved ticket names and the configured fields.
    let ticketColumns: [String: String]

    static let adapter = "notion"

    /// - Parameter transport: defaults to a libcurl transport.
    public init(_ configuration: Configuration, transport: (any HTTPTransport)? = nil,
                logger: Logger = Logger(label: "plugboard.notion")) throws {
        guard URLParts(configuration.baseURL) != nil else {
            throw PlugboardError.invalidConfiguration("notion: base_url \"\(configuration.baseURL)\" is not an http(s) URL", adapter: NotionCRM.adapter)
        }
        self.configuration = configuration
        self.logger = logger
        self.client = NotionClient(baseURL: configuration.baseURL, token: configuration.token, version: configuration.notionVersion,
                                   timeout: configuration.timeout,
                                   transport: transport ?? CurlTransport(.init(timeout: configuration.timeout, logger: logger)), logger: logger)
        let m = configuration.properties
        var columns = m.ticketFields
        columns["subject"] = m.ticketTitle
        columns["status"] = m.ticketStatus
        columns["plugboard_ticket_id"] = m.ticketKey
        columns["contacts"] = m.ticketContacts
        if let d = m.ticketDescription { columns["description"] = d }
        if let u = m.ticketUpdatedAt { columns["updated_at"] = u }
        ticketColumns = columns
    }

    // MARK: - Databases

    /// The database's data source and columns, read on first use.
    func source(_ databaseId: String) async throws -> NotionDataSource {
        if let known = sources.withLock({ $0[databaseId] }) { return known }
        let database = try await client.json(.get, "/v1/databases/\(databaseId)", what: "read database \(databaseId)")
        var resolved = NotionDataSource(databaseId: databaseId, dataSourceId: nil, columns: [:])
        var schema = database["properties"]
        if let first = database["data_sources"]?.arrayValue?.first?["id"]?.stringValue {
            let id = NotionCRM.uuid(first) ?? first
            resolved.dataSourceId = id
            schema = try await client.json(.get, "/v1/data_sources/\(id)", what: "read data source of database \(databaseId)")["properties"]
        }
        for (name, p) in schema?.objectValue ?? [:] { resolved.columns[name] = p["type"]?.stringValue ?? "" }
        sources.withLock { $0[databaseId] = resolved }
        return resolved
    }

    /// The column holding `role` in `source`, or an error naming the mapping to fix.
    func column(_ name: String, in source: NotionDataSource, role: String, types: Set<String>) throws -> (name: String, type: String) {
        guard let found = source.column(name), let type = source.columns[found], types.contains(type) else {
            let has = source.columns[name].map { " (it is \($0))" } ?? " (no such column)"
            throw PlugboardError.invalidConfiguration(
                "notion: database \(source.databaseId) needs a \(types.sorted().joined(separator: " or ")) column \"\(name)\" for the \(role)\(has); "
                    + "set crm.properties to map it", adapter: NotionCRM.adapter)
        }
        return (found, type)
    }

    /// Pages of `source` matching `filter`, in `sorts` order: the first `limit`, or all.
    func query(_ source: NotionDataSource, filter: JSON?, sorts: [JSON] = [], limit: Int? = nil, what: String) async throws -> [JSON] {
        var body: [String: JSON] = [:]
        if let filter { body["filter"] = filter }
        if !sorts.isEmpty { body["sorts"] = .array(sorts) }
        if let limit {
            body["page_size"] = JSON(min(limit, 100))
            return Array((try await client.json(.post, source.queryPath, body: .object(body), what: what)["results"]?.arrayValue ?? []).prefix(limit))
        }
        return try await client.all(.post, source.queryPath, body: body, what: what)
    }

    /// The page, nil when Notion has none (or it is in the trash).
    func page(_ id: String, what: String) async throws -> JSON? {
        do {
            let p = try await client.json(.get, "/v1/pages/\(id)", what: what)
            if p["in_trash"]?.boolValue == true || p["archived"]?.boolValue == true { return nil }
            return p
        } catch let e as PlugboardError where e.code == .notFound {
            return nil
        }
    }

    // MARK: - Contacts

    public func findOrCreateContact(email: String, name: String?) async throws -> CRMContact {
        let address = try NotionCRM.normalizedEmail(email)
        let contacts = try await source(configuration.contactsDatabase)
        let m = configuration.properties
        let emailColumn = try column(m.contactEmail, in: contacts, role: "contact e-mail", types: ["email", "rich_text", "title"])
        let nameColumn = try column(m.contactName, in: contacts, role: "contact name", types: ["title", "rich_text"])
        let filter = JSON.object(["property": .string(emailColumn.name), emailColumn.type: ["equals": .string(address)]])
        if let found = try await query(contacts, filter: filter, limit: 1, what: "find contact by e-mail").first {
            return contact(found, email: address, nameColumn: nameColumn.name, created: false)
        }
        var properties: [String: JSON] = [emailColumn.name: try NotionValues.encode(.string(address), type: emailColumn.type, column: emailColumn.name)]
        if nameColumn.name != emailColumn.name {
            properties[nameColumn.name] = try NotionValues.encode(.string(name ?? ""), type: nameColumn.type, column: nameColumn.name)
        }
        let created = try await client.json(.post, "/v1/pages", body: [
            "parent": ["database_id": .string(contacts.databaseId)], "properties": .object(properties),
        ], what: "create contact")
        return contact(created, email: address, nameColumn: nameColumn.name, created: true)
    }

    func contact(_ page: JSON, email: String, nameColumn: String, created: Bool) -> CRMContact {
        let name = page["properties"]?[nameColumn].flatMap(NotionValues.decode)?.stringValue
        return CRMContact(id: page["id"]?.stringValue ?? "", email: email, name: (name?.isEmpty ?? true) ? nil : name, created: created)
    }

    // MARK: - Tickets

    public func createTicket(_ draft: CRMTicketDraft) async throws -> CRMTicket {
        guard let contactId = NotionCRM.uuid(draft.contactId) else {
            throw PlugboardError.notFound("Notion create ticket: no contact \(draft.contactId)", adapter: NotionCRM.adapter)
        }
        let tickets = try await source(configuration.ticketsDatabase)
        let m = configuration.properties
        let key = try column(m.ticketKey, in: tickets, role: "ticket key", types: ["rich_text", "title"])
        if let k = draft.key, let existing = try await query(tickets, filter: .object(["property": .string(key.name), key.type: ["equals": .string(k)]]),
                                                            limit: 1, what: "find ticket by key").first {
            return try ticket(existing, in: tickets)
        }
        var values = draft.properties
        values["subject"] = .string(draft.subject)
        values["contacts"] = [.string(contactId)]
        if let k = draft.key { values["plugboard_ticket_id"] = .string(k) }
        if m.ticketDescription != nil { values["description"] = .string(draft.description) }
        if values["status"] == nil, let open = configuration.openStatus { values["status"] = .string(open) }
        let properties = try encodeTicket(values, in: tickets)
        let blocks = NotionValues.paragraphs(draft.description)
        let created = try await client.json(.post, "/v1/pages", body: [
            "parent": ["database_id": .string(tickets.databaseId)], "properties": .object(properties),
            "children": .array(Array(blocks.prefix(NotionValues.maxItems))),
        ], what: "create ticket")
        if blocks.count > NotionValues.maxItems, let id = created["id"]?.stringValue {
            try await append(Array(blocks.dropFirst(NotionValues.maxItems)), to: id)
        }
        return try ticket(created, in: tickets)
    }

    public func findOpenTicket(contactId: String, updatedSince: String?) async throws -> CRMTicket? {
        var since: String?
        if let updatedSince {
            guard let t = Timestamp.parse(updatedSince) else {
                throw PlugboardError.invalidInput("Notion find open ticket: updatedSince \"\(updatedSince.prefix(40))\" is not ISO 8601",
                                                  adapter: NotionCRM.adapter)
            }
            since = Timestamp.sortKey(t)
        }
        guard let contact = NotionCRM.uuid(contactId) else { return nil }
        let tickets = try await source(configuration.ticketsDatabase)
        let m = configuration.properties
        let relation = try column(m.ticketContacts, in: tickets, role: "ticket contacts", types: ["relation"])
        var and: [JSON] = [["property": .string(relation.name), "relation": ["contains": .string(contact)]]]
        if !configuration.closedStatuses.isEmpty {
            let status = try column(m.ticketStatus, in: tickets, role: "ticket status", types: ["status", "select"])
            for closed in configuration.closedStatuses {
                and.append(.object(["property": .string(status.name), status.type: ["does_not_equal": .string(closed)]]))
            }
        }
        let sorts: [JSON]
        if let updated = m.ticketUpdatedAt {
            let u = try column(updated, in: tickets, role: "ticket update time", types: ["date"])
            if let since { and.append(["property": .string(u.name), "date": ["on_or_after": .string(since)]]) }
            sorts = [["property": .string(u.name), "direction": "descending"]]
        } else {
            if let since { and.append(["timestamp": "last_edited_time", "last_edited_time": ["on_or_after": .string(since)]]) }
            sorts = [["timestamp": "last_edited_time", "direction": "descending"]]
        }
        let found = try await query(tickets, filter: ["and": .array(and)], sorts: sorts, limit: 1, what: "find open ticket")
        return try found.first.map { try ticket($0, in: tickets) }
    }

    public func ticket(id: String) async throws -> CRMTicket? {
        guard let pageId = NotionCRM.uuid(id) else { return nil }
        let tickets = try await source(configuration.ticketsDatabase)
        guard let p = try await page(pageId, what: "read ticket \(id)"), tickets.isParent(of: p) else { return nil }
        return try ticket(p, in: tickets)
    }

    public func updateTicket(id: String, properties: [String: JSON]) async throws {
        let pageId = try ticketPageId(id, what: "update ticket")
        let tickets = try await source(configuration.ticketsDatabase)
        _ = try await client.json(.patch, "/v1/pages/\(pageId)", body: ["properties": .object(try encodeTicket(properties, in: tickets))],
                                  what: "update ticket \(id)")
    }

    public func linkTicket(_ ticketId: String, toContact contactId: String) async throws {
        let pageId = try ticketPageId(ticketId, what: "link ticket")
        guard let contact = NotionCRM.uuid(contactId) else {
            throw PlugboardError.notFound("Notion link ticket: no contact \(contactId)", adapter: NotionCRM.adapter)
        }
        let tickets = try await source(configuration.ticketsDatabase)
        let relation = try column(configuration.properties.ticketContacts, in: tickets, role: "ticket contacts", types: ["relation"])
        guard let p = try await page(pageId, what: "read ticket \(ticketId)"), tickets.isParent(of: p) else {
            throw PlugboardError.notFound("Notion link ticket: no ticket \(ticketId)", adapter: NotionCRM.adapter)
        }
        let linked = (p["properties"]?[relation.name]?["relation"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue.flatMap(NotionCRM.uuid) }
        if linked.contains(contact) { return }
        try await updateTicket(id: pageId, properties: ["contacts": .array((linked + [contact]).map(JSON.string))])
    }

    /// The page id of a ticket id, `.notFound` when it cannot name a page.
    func ticketPageId(_ id: String, what: String) throws -> String {
        guard let pageId = NotionCRM.uuid(id) else {
            throw PlugboardError.notFound("Notion \(what): no ticket \(id)", adapter: NotionCRM.adapter)
        }
        return pageId
    }

    /// Ticket values by port name → Notion property values by column, typed by the
    /// schema; `updated_at` stamped when mapped. Values without a column are skipped.
    func encodeTicket(_ values: [String: JSON], in tickets: NotionDataSource) throws -> [String: JSON] {
        var values = values
        if configuration.properties.ticketUpdatedAt != nil { values["updated_at"] = .string(Timestamp.sortKey(Date().timeIntervalSince1970)) }
        var out: [String: JSON] = [:]
        for (name, value) in values {
            guard let column = tickets.column(ticketColumns[name] ?? name), let type = tickets.columns[column] else {
                logger.warning("notion: ticket property \(name) has no column in database \(tickets.databaseId); not kept "
                               + "(add the column, or map it in crm.properties.tickets)")
                continue
            }
            out[column] = try NotionValues.encode(value, type: type, column: column)
        }
        return out
    }

    /// A ticket from its page: properties by port name (mapped columns under their port names).
    func ticket(_ page: JSON, in tickets: NotionDataSource) throws -> CRMTicket {
        let byColumn = Dictionary(ticketColumns.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        var properties: [String: JSON] = [:]
        for (column, value) in page["properties"]?.objectValue ?? [:] {
            guard let decoded = NotionValues.decode(value) else { continue }
            properties[byColumn[column] ?? column] = decoded
        }
        let updated = configuration.properties.ticketUpdatedAt != nil ? properties["updated_at"]?.stringValue : page["last_edited_time"]?.stringValue
        return CRMTicket(id: page["id"]?.stringValue ?? "", url: page["url"]?.stringValue,
                         status: properties["status"]?.stringValue ?? "", updatedAt: updated.flatMap(Timestamp.normalize),
                         properties: properties)
    }

    // MARK: - Values

    /// A Notion id in its dashed lower-case form; nil when `s` is not 32 hex digits (dashes allowed).
    public static func uuid(_ s: String) -> String? {
        let hex = s.lowercased().filter { $0 != "-" }
        guard hex.count == 32, hex.allSatisfy(\.isHexDigit) else { return nil }
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }

    /// Trimmed and lower-cased; `.invalidInput` unless it looks like `local@domain`.
    static func normalizedEmail(_ raw: String) throws -> String {
        let address = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        let clean = !address.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, clean, address.utf8.count <= 200 else {
            throw PlugboardError.invalidInput("invalid e-mail address \"\(raw.prefix(100))\": expected local@domain", adapter: adapter)
        }
        return address
    }
}
