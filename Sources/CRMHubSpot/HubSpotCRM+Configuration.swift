import PlugboardKernel

extension HubSpotCRM {
    /// Where the HubSpot account is and how tickets are filed there.
    public struct Configuration: Sendable {
        /// API root, `https://api.hubapi.com` unless a proxy or a test server stands in.
        public var baseURL: String
        /// A private app's access token (or an OAuth access token). Never logged.
        public var token: String
        /// Limit on each HTTP request.
        public var timeout: Duration
        /// Pipeline id new tickets go to (`"0"`: the default support pipeline).
        public var pipeline: String
        /// Stage id of a new ticket (`"1"`: New, in the default pipeline).
        public var stage: String
        /// Stage ids of closed tickets in `pipeline` (`"4"`: Closed, in the default pipeline).
        public var closedStages: [String]
        /// The account's hub id, for ticket links; no links without it (unless HubSpot sends a `url`).
        public var portalId: String?
        /// The web app ticket links point to (`https://app-eu1.hubspot.com` for EU accounts).
        public var appBaseURL: String
        /// A unique-value ticket property that holds the workflow's ticket id
        /// (the idempotency key); created when missing.
        public var keyProperty: String
        /// Create missing ticket properties (single-line text) before writing them.
        public var createProperties: Bool

        public init(baseURL: String = "https://api.hubapi.com", token: String, timeout: Duration = .seconds(30),
                    pipeline: String = "0", stage: String = "1", closedStages: [String] = ["4"], portalId: String? = nil,
                    appBaseURL: String = "https://app.hubspot.com", keyProperty: String = "plugboard_ticket_id",
                    createProperties: Bool = true) {
            self.baseURL = baseURL
            self.token = token
            self.timeout = timeout
            self.pipeline = pipeline
            self.stage = stage
            self.closedStages = closedStages
            self.portalId = portalId
            self.appBaseURL = appBaseURL
            self.keyProperty = keyProperty
            self.createProperties = createProperties
        }
    }

    // MARK: - Registry

    public static let descriptor = AdapterDescriptor(
        port: .crm, name: "hubspot",
        summary: "HubSpot CRM (v3 objects, v4 associations) with a private app token: contacts, tickets in a pipeline, notes.",
        fields: [
            ConfigField("token", .string, secret: true, environment: "HUBSPOT_TOKEN",
                        "Private app access token (scopes: tickets, crm.objects.contacts.read/write, crm.schemas.tickets.write to create properties)."),
            ConfigField("base_url", .string, default: "https://api.hubapi.com", "API root URL."),
            ConfigField("timeout", .number, default: 30, "Seconds allowed for each HTTP request."),
            ConfigField("pipeline", .string, default: "0", "Pipeline id of new tickets (\"0\": the default support pipeline)."),
            ConfigField("stage", .string, default: "1", "Pipeline stage id of new tickets (\"1\": New, in the default pipeline)."),
            ConfigField("closed_stages", .stringList, default: ["4"],
                        "Stage ids of closed tickets in the pipeline (\"4\": Closed, in the default pipeline)."),
            ConfigField("portal_id", .string, "Your HubSpot account (hub) id, for ticket links."),
            ConfigField("app_base_url", .string, default: "https://app.hubspot.com",
                        "Web app URL for ticket links (https://app-eu1.hubspot.com for EU accounts)."),
            ConfigField("key_property", .string, default: "plugboard_ticket_id",
                        "Unique ticket property holding the workflow's ticket id, so a retried create finds the ticket; created when missing."),
            ConfigField("create_properties", .boolean, default: true,
                        "Create missing ticket properties (clickup_subtask_id, fichiers_urls, ...) as text properties before writing them."),
        ],
        capabilities: ["ticket_urls", "unique_emails"])

    public static let registryEntry = Registry.Entry(descriptor, .crm { settings, context in
        try HubSpotCRM(configuration(from: settings), logger: Logger(label: "plugboard.hubspot", metadata: context.logger.metadata))
    })

    /// Validates settings into a configuration; every error names the field.
    public static func configuration(from s: AdapterSettings) throws -> Configuration {
        guard let token = s.string("token"), !token.isEmpty else {
            throw s.error("token", "required, not set (or set HUBSPOT_TOKEN, e.g. in .env)")
        }
        let base = s.string("base_url") ?? "https://api.hubapi.com"
        guard URLParts(base) != nil else { throw s.error("base_url", "expected an http:// or https:// URL, got \"\(base)\"") }
        let app = s.string("app_base_url") ?? "https://app.hubspot.com"
        guard URLParts(app) != nil else { throw s.error("app_base_url", "expected an http:// or https:// URL, got \"\(app)\"") }
        let seconds = s.double("timeout") ?? 30
        guard seconds > 0 else { throw s.error("timeout", "expected a positive number of seconds, got \(seconds)") }
        let key = s.string("key_property") ?? "plugboard_ticket_id"
        guard HubSpotCRM.isPropertyName(key) else {
            throw s.error("key_property", "\"\(key)\" is not a HubSpot property name (lower-case letters, digits and _, starting with a letter)")
        }
        return Configuration(
            baseURL: base, token: token, timeout: .milliseconds(Int64(seconds * 1000)),
            pipeline: s.string("pipeline") ?? "0", stage: s.string("stage") ?? "1",
            closedStages: s.strings("closed_stages") ?? ["4"], portalId: s.string("portal_id").flatMap { $0.isEmpty ? nil : $0 },
            appBaseURL: app, keyProperty: key, createProperties: s.bool("create_properties") ?? true)
    }
}
