import Foundation
import PlugboardKernel
import Synchronization

/// The `hubspot` CRM: contacts, tickets and notes in a HubSpot account, over
/// the CRM v3 objects API and v4 associations, with a private app token.
///
/// - Contacts are read by e-mail (`idProperty=email`, which HubSpot keeps unique)
///   and created on a miss; a 409 "Contact already exists. Existing ID: …" from a
///   concurrent creator resolves to that contact.
/// - Tickets go to `pipeline` / `stage`, associated with the contact (type 16,
///   ticket → contact). A ticket is open unless its stage is in `closedStages`.
///   The idempotency key is kept in `keyProperty`, a unique-value property, so a
///   retried create reads the ticket back instead of making a second one.
/// - Property values are sent as strings (HubSpot's rule); properties the
///   account lacks are created as text properties first (`createProperties`).
/// - Notes are note objects associated with the ticket (type 228), their body
///   HTML-escaped with a trailing `[plugboard-note <hash of key>]` marker, by which
///   a retried `addNote` finds the note it already added.
/// - No retries here: errors carry `retryAfter` and the policy layer retries.
public final class HubSpotCRM: CRM {
    public let configuration: Configuration
    let client: HubSpotClient
    let logger: Logger
    /// Ticket properties the account has, loaded on first need.
    let catalog = Mutex<PropertyCatalog?>(nil)

    static let adapter = "hubspot"

    /// HubSpot-defined association type ids (directional).
    enum AssociationType {
        static let ticketToContact = 16
        static let noteToTicket = 228
    }

    /// Ticket properties read back besides the account's custom ones.
    static let standardTicketProperties = [
        "subject", "content", "hs_pipeline", "hs_pipeline_stage", "hs_lastmodifieddate", "createdate",
        "hs_ticket_priority", "hs_ticket_category", "hubspot_owner_id",
    ]

    /// - Parameter transport: defaults to a libcurl transport.
    public init(_ configuration: Configuration, transport: (any HTTPTransport)? = nil,
                logger: Logger = Logger(label: "plugboard.hubspot")) throws {
        guard URLParts(configuration.baseURL) != nil else {
            throw PlugboardError.invalidConfiguration("hubspot: base_url \"\(configuration.baseURL)\" is not an http(s) URL",
                                                      adapter: HubSpotCRM.adapter)
        }
        self.configuration = configuration
        self.logger = logger
        self.client = HubSpotClient(baseURL: configuration.baseURL, token: configuration.token, timeout: configuration.timeout,
                                    transport: transport ?? CurlTransport(.init(timeout: configuration.timeout, logger: logger)),
                                    logger: logger)
    }

    // MARK: - Contacts

    public func findOrCreateContact(email: String, name: String?) async throws -> CRMContact {
        let address = try HubSpotCRM.normalizedEmail(email)
        if let found = try await contact(email: address) { return found }
        var properties: [String: JSON] = ["email": .string(address)]
        if let name, !name.isEmpty {
            let (first, last) = HubSpotCRM.splitName(name)
            properties["firstname"] = .string(first)
            if !last.isEmpty { properties["lastname"] = .string(last) }
        }
        let response = try await client.send(.post, "/crm/v3/objects/contacts", body: ["properties": .object(properties)])
        if response.status == 409 {
            // Another caller created it since our read: that contact is ours too.
            if let found = try await contact(email: address) { return found }
            if let id = HubSpotCRM.existingID(in: HubSpotClient.parse(response).message) {
                return CRMContact(id: id, email: address, name: name, created: false)
            }
        }
        guard response.isSuccess else { throw client.error(response, what: "create contact") }
        return HubSpotCRM.contact(try client.parse(response, what: "create contact"), email: address, created: true)
    }

    /// The contact with this (normalized) e-mail, nil when there is none.
    func contact(email: String) async throws -> CRMContact? {
        let response = try await client.send(.get, "/crm/v3/objects/contacts/\(HubSpotClient.segment(email))",
                                             query: [("idProperty", "email"), ("properties", "email,firstname,lastname")])
        if response.status == 404 { return nil }
        guard response.isSuccess else { throw client.error(response, what: "read contact by e-mail") }
        return HubSpotCRM.contact(try client.parse(response, what: "read contact by e-mail"), email: email, created: false)
    }

    static func contact(_ o: JSON, email: String, created: Bool) -> CRMContact {
        let p = o["properties"]
        let parts = [p?["firstname"]?.stringValue, p?["lastname"]?.stringValue].compactMap { $0 }.filter { !$0.isEmpty }
        return CRMContact(id: o["id"]?.stringValue ?? "", email: p?["email"]?.stringValue ?? email,
                          name: parts.isEmpty ? nil : parts.joined(separator: " "), created: created)
    }

    /// First word as the first name, the rest as the last name.
    static func splitName(_ name: String) -> (String, String) {
        guard let space = name.firstIndex(of: " ") else { return (name, "") }
        return (String(name[..<space]), String(name[name.index(after: space)...]))
    }

    /// The id in HubSpot's 409 message "Contact already exists. Existing ID: 12345".
    static func existingID(in message: String) -> String? {
        guard let r = message.range(of: "Existing ID: ") else { return nil }
        let digits = message[r.upperBound...].prefix { $0.isNumber }
        return digits.isEmpty ? nil : String(digits)
    }

    // MARK: - Tickets

    public func createTicket(_ draft: CRMTicketDraft) async throws -> CRMTicket {
        guard HubSpotCRM.isObjectID(draft.contactId) else {
            throw PlugboardError.notFound("HubSpot create ticket: no contact \(draft.contactId)", adapter: HubSpotCRM.adapter)
        }
        var properties: [String: JSON] = draft.properties
        properties["subject"] = .string(draft.subject)
        properties["content"] = .string(draft.description)
        if properties["hs_pipeline"] == nil { properties["hs_pipeline"] = .string(configuration.pipeline) }
        if properties["hs_pipeline_stage"] == nil { properties["hs_pipeline_stage"] = .string(configuration.stage) }
        if let key = draft.key { properties[configuration.keyProperty] = .string(key) }
        try await ensureProperties(properties.keys)
        if let key = draft.key, let existing = try await ticket(key: key) { return existing }
        let body: JSON = [
            "properties": .object(properties.mapValues { .string(HubSpotCRM.propertyValue($0)) }),
            "associations": [[
                "to": ["id": .string(draft.contactId)],
                "types": [["associationCategory": "HUBSPOT_DEFINED", "associationTypeId": JSON(AssociationType.ticketToContact)]],
            ]],
        ]
        let response = try await client.send(.post, "/crm/v3/objects/tickets", body: body)
        if !response.isSuccess, let key = draft.key, response.status == 409 || response.status == 400,
           let existing = try await ticket(key: key) {
            // A concurrent or earlier attempt created it: the unique key property refused a second one.
            return existing
        }
        guard response.isSuccess else { throw client.error(response, what: "create ticket") }
        return ticket(try client.parse(response, what: "create ticket"))
    }

    public func findOpenTicket(contactId: String, updatedSince: String?) async throws -> CRMTicket? {
        var filters: [JSON] = [
            ["propertyName": "associations.contact", "operator": "EQ", "value": .string(contactId)],
            ["propertyName": "hs_pipeline", "operator": "EQ", "value": .string(configuration.pipeline)],
        ]
        if !configuration.closedStages.isEmpty {
            filters.append(["propertyName": "hs_pipeline_stage", "operator": "NOT_IN",
                            "values": .array(configuration.closedStages.map(JSON.string))])
        }
        if let updatedSince {
            guard let t = Timestamp.parse(updatedSince) else {
                throw PlugboardError.invalidInput("HubSpot find open ticket: updatedSince \"\(updatedSince.prefix(40))\" is not ISO 8601",
                                                  adapter: HubSpotCRM.adapter)
            }
            filters.append(["propertyName": "hs_lastmodifieddate", "operator": "GTE",
                            "value": .string(String(Int64((t * 1000).rounded(.down))))])
        }
        guard HubSpotCRM.isObjectID(contactId) else { return nil }
        let body: JSON = [
            "filterGroups": [["filters": .array(filters)]],
            "sorts": [["propertyName": "hs_lastmodifieddate", "direction": "DESCENDING"]],
            "properties": .array(try await readProperties().map(JSON.string)),
            "limit": 1,
        ]
        let found = try await client.json(.post, "/crm/v3/objects/tickets/search", body: body, what: "search open tickets")
        return found["results"]?.arrayValue?.first.map(ticket)
    }

    public func ticket(id: String) async throws -> CRMTicket? {
        guard HubSpotCRM.isObjectID(id) else { return nil }
        return try await readTicket(HubSpotClient.segment(id), query: [], what: "read ticket \(id)")
    }

    /// The ticket whose key property holds `key`, nil when there is none.
    func ticket(key: String) async throws -> CRMTicket? {
        try await readTicket(HubSpotClient.segment(key), query: [("idProperty", configuration.keyProperty)],
                             what: "read ticket by \(configuration.keyProperty)")
    }

    private func readTicket(_ segment: String, query: [(String, String)], what: String) async throws -> CRMTicket? {
        let properties = try await readProperties().joined(separator: ",")
        let response = try await client.send(.get, "/crm/v3/objects/tickets/\(segment)", query: query + [("properties", properties)])
        if response.status == 404 { return nil }
        guard response.isSuccess else { throw client.error(response, what: what) }
        return ticket(try client.parse(response, what: what))
    }

    public func updateTicket(id: String, properties: [String: JSON]) async throws {
        guard HubSpotCRM.isObjectID(id) else {
            throw PlugboardError.notFound("HubSpot update ticket: no ticket \(id)", adapter: HubSpotCRM.adapter)
        }
        try await ensureProperties(properties.keys)
        _ = try await client.json(.patch, "/crm/v3/objects/tickets/\(HubSpotClient.segment(id))",
                                  body: ["properties": .object(properties.mapValues { .string(HubSpotCRM.propertyValue($0)) })],
                                  what: "update ticket \(id)")
    }

    public func linkTicket(_ ticketId: String, toContact contactId: String) async throws {
        guard HubSpotCRM.isObjectID(ticketId), HubSpotCRM.isObjectID(contactId) else {
            throw PlugboardError.notFound("HubSpot link ticket \(ticketId) to contact \(contactId): no such object",
                                          adapter: HubSpotCRM.adapter)
        }
        let path = "/crm/v4/objects/tickets/\(HubSpotClient.segment(ticketId))/associations/contacts/\(HubSpotClient.segment(contactId))"
        _ = try await client.json(.put, path, body: [["associationCategory": "HUBSPOT_DEFINED",
                                                      "associationTypeId": JSON(AssociationType.ticketToContact)]],
                                  what: "associate ticket \(ticketId) with contact \(contactId)")
    }

    /// A CRM ticket from a `SimplePublicObject`.
    func ticket(_ o: JSON) -> CRMTicket {
        let id = o["id"]?.stringValue ?? ""
        var properties: [String: JSON] = [:]
        for (k, v) in o["properties"]?.objectValue ?? [:] {
            if let s = v.stringValue { properties[k] = .string(s) }
        }
        let updated = (o["updatedAt"]?.stringValue ?? properties["hs_lastmodifieddate"]?.stringValue).flatMap(Timestamp.normalize)
        return CRMTicket(id: id, url: o["url"]?.stringValue ?? ticketURL(id), status: properties["hs_pipeline_stage"]?.stringValue ?? "",
                         updatedAt: updated, properties: properties)
    }

    /// The ticket's page in HubSpot's web app, when the portal id is configured.
    func ticketURL(_ id: String) -> String? {
        guard let portal = configuration.portalId, !id.isEmpty else { return nil }
        let app = configuration.appBaseURL.hasSuffix("/") ? String(configuration.appBaseURL.dropLast()) : configuration.appBaseURL
        return "\(app)/contacts/\(HubSpotClient.segment(portal))/ticket/\(HubSpotClient.segment(id))"
    }

    // MARK: - Values

    /// HubSpot property values are strings: numbers as written, booleans
    /// `true`/`false`, lists `a;b` (multi-checkbox), null clears, objects as JSON.
    static func propertyValue(_ v: JSON) -> String {
        switch v {
        case .string(let s): return s
        case .number(let n): return n.text
        case .bool(let b): return b ? "true" : "false"
        case .null: return ""
        case .array(let a): return a.map { $0.stringValue ?? $0.serialized() }.joined(separator: ";")
        case .object: return v.serialized()
        }
    }

    /// HubSpot record ids are decimal numbers; anything else names no record.
    static func isObjectID(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 20 && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Trimmed and lower-cased; `.invalidInput` unless it looks like `local@domain`.
    static func normalizedEmail(_ raw: String) throws -> String {
        let address = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        let clean = !address.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, clean, address.utf8.count <= 254 else {
            throw PlugboardError.invalidInput("invalid e-mail address \"\(raw.prefix(100))\": expected local@domain", adapter: adapter)
        }
        return address
    }
}
