import PlugboardKernel

extension NotionCRM {
    /// Which Notion properties hold what. Keys are the port's names, values the
    /// names of the columns in your databases.
    public struct PropertyMapping: Sendable, Hashable {
        /// Contacts: the title column (the person's name) and the e-mail column (type email).
        public var contactName: String
        public var contactEmail: String
        /// Tickets: the title (subject), status (status or select), contacts (relation to
        /// the contacts database), key (rich text holding the workflow's ticket id).
        public var ticketTitle: String
        public var ticketStatus: String
        public var ticketContacts: String
        public var ticketKey: String
        /// A rich-text column for the description too (it always goes in the page body).
        public var ticketDescription: String?
        /// A date column the adapter stamps on every write, used instead of Notion's
        /// `last_edited_time` (which Notion keeps to the minute).
        public var ticketUpdatedAt: String?
        /// Other ticket properties: port name (`category`) → column (`Catégorie`).
        /// Unlisted properties go to a column of the same name when there is one.
        public var ticketFields: [String: String]
        /// Response templates: the category (title or select) and the reply (rich text).
        public var templateCategory: String
        public var templateReply: String

        public init(contactName: String = "Name", contactEmail: String = "Email", ticketTitle: String = "Name",
                    ticketStatus: String = "Status", ticketContacts: String = "Contact", ticketKey: String = "Plugboard ID",
                    ticketDescription: String? = nil, ticketUpdatedAt: String? = nil, ticketFields: [String: String] = [:],
                    templateCategory: String = "Category", templateReply: String = "Reply") {
            self.contactName = contactName
            self.contactEmail = contactEmail
            self.ticketTitle = ticketTitle
            self.ticketStatus = ticketStatus
            self.ticketContacts = ticketContacts
            self.ticketKey = ticketKey
            self.ticketDescription = ticketDescription
            self.ticketUpdatedAt = ticketUpdatedAt
            self.ticketFields = ticketFields
            self.templateCategory = templateCategory
            self.templateReply = templateReply
        }
    }

    public struct Configuration: Sendable {
        public var baseURL: String
        /// An internal integration secret (`ntn_…` / `secret_…`). Never logged.
        public var token: String
        /// The `Notion-Version` sent on every request.
        public var notionVersion: String
        public var timeout: Duration
        /// Database ids (as in the database's URL, with or without dashes).
        public var contactsDatabase: String
        public var ticketsDatabase: String
        public var templatesDatabase: String?
        public var properties: PropertyMapping
        /// Status given to new tickets; nil lets Notion use the column's default.
        public var openStatus: String?
        /// Statuses of closed tickets (exact option names).
        public var closedStatuses: [String]

        public init(baseURL: String = "https://api.notion.com", token: String, notionVersion: String = NotionCRM.notionVersion,
                    timeout: Duration = .seconds(30), contactsDatabase: String, ticketsDatabase: String, templatesDatabase: String? = nil,
                    properties: PropertyMapping = PropertyMapping(), openStatus: String? = nil, closedStatuses: [String] = ["Done"]) {
            self.baseURL = baseURL
            self.token = token
            self.notionVersion = notionVersion
            self.timeout = timeout
            self.contactsDatabase = contactsDatabase
            self.ticketsDatabase = ticketsDatabase
            self.templatesDatabase = templatesDatabase
            self.properties = properties
            self.openStatus = openStatus
            self.closedStatuses = closedStatuses
        }
    }

    /// The API version this adapter is written against (databases hold data sources).
    public static let notionVersion = "2025-09-03"

    // MARK: - Registry

    public static let descriptor = AdapterDescriptor(
        port: .crm, name: "notion",
        summary: "Notion databases as the CRM: contacts, tickets (notes appended to the ticket page), and response templates.",
        fields: [
            ConfigField("token", .string, secret: true, environment: "NOTION_TOKEN",
                        "Internal integration secret; share the databases with the integration."),
            ConfigField("contacts_database", .string, required: true, "Contacts database id (from its URL)."),
            ConfigField("tickets_database", .string, required: true, "Tickets database id (from its URL)."),
            ConfigField("templates_database", .string, "Response templates database id: category → generic reply, read by the workflow."),
            ConfigField("properties", .object,
                        #"Column names: {"contacts": {"name": "Name", "email": "Email"}, "tickets": {"title": "Name", "status": "Status", "#
                        + #""contact": "Contact", "key": "Plugboard ID", "description": null, "updated_at": null, "category": "Category", ...}, "#
                        + #""templates": {"category": "Category", "reply": "Reply"}}."#),
            ConfigField("open_status", .string, "Status of new tickets (default: the status column's default)."),
            ConfigField("closed_statuses", .stringList, default: ["Done"], "Statuses (option names) of closed tickets."),
            ConfigField("notion_version", .string, default: .string(notionVersion), "Notion-Version header."),
            ConfigField("base_url", .string, default: "https://api.notion.com", "API root URL."),
            ConfigField("timeout", .number, default: 30, "Seconds allowed for each HTTP request."),
        ],
        capabilities: ["ticket_urls", "response_templates"])

    public static let registryEntry = Registry.Entry(descriptor, .crm { settings, context in
        try NotionCRM(configuration(from: settings), logger: Logger(label: "plugboard.notion", metadata: context.logger.metadata))
    })

    /// Validates settings into a configuration; every error names the field.
    public static func configuration(from s: AdapterSettings) throws -> Configuration {
        guard let token = s.string("token"), !token.isEmpty else {
            throw s.error("token", "required, not set (or set NOTION_TOKEN, e.g. in .env)")
        }
        var ids: [String: String] = [:]
        for field in ["contacts_database", "tickets_database", "templates_database"] {
            guard let raw = s.string(field), !raw.isEmpty else { continue }
            guard let id = NotionCRM.uuid(raw) else { throw s.error(field, "expected a Notion database id (32 hex digits), got \"\(raw)\"") }
            ids[field] = id
        }
        guard let contacts = ids["contacts_database"] else { throw s.error("contacts_database", "required, not set") }
        guard let tickets = ids["tickets_database"] else { throw s.error("tickets_database", "required, not set") }
        let base = s.string("base_url") ?? "https://api.notion.com"
        guard URLParts(base) != nil else { throw s.error("base_url", "expected an http:// or https:// URL, got \"\(base)\"") }
        let seconds = s.double("timeout") ?? 30
        guard seconds > 0 else { throw s.error("timeout", "expected a positive number of seconds, got \(seconds)") }
        return Configuration(
            baseURL: base, token: token, notionVersion: s.string("notion_version") ?? notionVersion,
            timeout: .milliseconds(Int64(seconds * 1000)), contactsDatabase: contacts, ticketsDatabase: tickets,
            templatesDatabase: ids["templates_database"], properties: try mapping(s.values["properties"], s),
            openStatus: s.string("open_status").flatMap { $0.isEmpty ? nil : $0 }, closedStatuses: s.strings("closed_statuses") ?? ["Done"])
    }

    static func mapping(_ raw: JSON?, _ s: AdapterSettings) throws -> PropertyMapping {
        var m = PropertyMapping()
        guard let raw, !raw.isNull else { return m }
        guard case .object(let o) = raw else { throw s.error("properties", "expected an object, got \(raw.typeName)") }
        func names(_ section: String) throws -> [String: String?] {
            guard let v = o[section] else { return [:] }
            guard case .object(let fields) = v else { throw s.error("properties.\(section)", "expected an object of column names") }
            var out: [String: String?] = [:]
            for (k, v) in fields {
                switch v {
                case .string(let name) where !name.isEmpty: out[k] = name
                case .null: out[k] = .some(nil)
                default: throw s.error("properties.\(section).\(k)", "expected a column name, got \(v.snippet)")
                }
            }
            return out
        }
        for k in o.keys where !["contacts", "tickets", "templates"].contains(k) {
            throw s.error("properties.\(k)", "unknown section; expected contacts, tickets or templates")
        }
        let contacts = try names("contacts")
        for k in contacts.keys where !["name", "email"].contains(k) {
            throw s.error("properties.contacts.\(k)", "unknown; expected name or email")
        }
        if let v = contacts["name"] ?? nil { m.contactName = v }
        if let v = contacts["email"] ?? nil { m.contactEmail = v }
        for (k, v) in try names("tickets") {
            switch k {
            case "title": if let v { m.ticketTitle = v }
            case "status": if let v { m.ticketStatus = v }
            case "contact": if let v { m.ticketContacts = v }
            case "key": if let v { m.ticketKey = v }
            case "description": m.ticketDescription = v
            case "updated_at": m.ticketUpdatedAt = v
            default: if let v { m.ticketFields[k] = v }
            }
        }
        let templates = try names("templates")
        for k in templates.keys where !["category", "reply"].contains(k) {
            throw s.error("properties.templates.\(k)", "unknown; expected category or reply")
        }
        if let v = templates["category"] ?? nil { m.templateCategory = v }
        if let v = templates["reply"] ?? nil { m.templateReply = v }
        return m
    }
}
