import Foundation
import PlugboardKernel

/// The `local` CRM: contacts, tickets and notes kept in the configured store,
/// so nothing needs an account.
///
/// - Contacts live in `contacts` (`CollectionSpec.contacts`) under
///   `c-` + the first 16 hex digits of the SHA-256 of the lower-cased e-mail.
///   The id follows from the e-mail, so concurrent find-or-creates of one
///   address write the same id with `.absent` and exactly one creates it.
///   E-mails are stored trimmed and lower-cased (the `email` index holds them so).
/// - Tickets are the workflow's tickets in `tickets` (Freeda shape): a local CRM
///   ticket id is the `ticket_id`. A new ticket gets `subject`, `description`,
///   `contact_id`, `status` (`open_status`), `created_at`, `updated_at`, the
///   draft's properties, and the description as its first `messages` entry.
/// - Notes are appended to the ticket's `messages` as `{id, role: "user",
///   content, timestamp}`: in the workflow a note is the customer's follow-up
///   message threaded into the ticket. A note's id follows from ticket, time and
///   body, so adding the same note twice (a retried step) keeps one.
/// - Contacts linked besides the ticket's own `contact_id` are kept in
///   `crm_links`, one document per (contact, ticket).
/// - A ticket is open unless its status is one of `closed_statuses`
///   (case-insensitive). `findOpenTicket` sees tickets with an `updated_at`.
public final class LocalCRM: CRM {
    /// The store the CRM keeps its data in.
    public let store: any DocumentStore
    public let openStatus: String
    /// Lower-cased.
    public let closedStatuses: Set<String>

    static let adapter = "local"

    /// Contacts linked to a ticket besides its `contact_id`.
    public static let links = CollectionSpec(name: "crm_links", keyField: "link_id", indexes: [
        IndexSpec(name: "contact", partition: "contact_id", sort: nil),
    ])

    public static let defaultClosedStatuses: [String] = Ticket.closedStatuses.sorted()

    public init(store: any DocumentStore, openStatus: String = "en cours",
                closedStatuses: [String] = LocalCRM.defaultClosedStatuses) {
        self.store = store
        self.openStatus = openStatus
        self.closedStatuses = Set(closedStatuses.map { $0.lowercased() })
    }

    public static let descriptor = AdapterDescriptor(
        port: .crm, name: "local",
        summary: "Contacts, tickets and notes in the configured storage; its tickets are the workflow's tickets.",
        fields: [
            ConfigField("open_status", .string, default: "en cours", "Status given to a ticket the CRM creates."),
            ConfigField("closed_statuses", .stringList, default: .array(defaultClosedStatuses.map(JSON.string)),
                        "Statuses of closed tickets (case-insensitive); any other status is open."),
        ])

    public static let registryEntry = Registry.Entry(descriptor, .crm { settings, context in
        guard let store = context.storage else {
            throw settings.error("adapter", "the local crm keeps its data in the storage port, and no storage is configured")
        }
        return LocalCRM(store: store, openStatus: settings.string("open_status") ?? "en cours",
                        closedStatuses: settings.strings("closed_statuses") ?? defaultClosedStatuses)
    })

    // MARK: - Contacts

    public func findOrCreateContact(email: String, name: String?) async throws -> CRMContact {
        let address = try LocalCRM.normalizedEmail(email)
        let id = LocalCRM.contactId(forEmail: address)
        if let found = try await existingContact(id: id, email: address) {
            return try await fillName(found, name)
        }
        // The record is also the workflow's contact (same collection, same id), so it carries the
        // workflow's link to the CRM from the start: the workflow then has nothing to write back.
        var body: [String: JSON] = ["contact_id": .string(id), "email": .string(address), "created_at": .string(Timestamp.now()),
                                    "crm_contact_id": .string(id)]
        if let name { body["name"] = .string(name) }
        do {
            try await store.put(.contacts, id: id, body: .object(body), condition: .absent)
            return CRMContact(id: id, email: address, name: name, created: true)
        } catch let e as PlugboardError where e.code == .conflict {
            // Another caller created it first: that contact is ours too.
            guard let doc = try await store.get(.contacts, id: id) else { throw e }
            return try await fillName(LocalCRM.contact(doc), name)
        }
    }

    /// The contact under the derived id, or one made elsewhere (an import) with this e-mail.
    private func existingContact(id: String, email: String) async throws -> CRMContact? {
        if let doc = try await store.get(.contacts, id: id) { return LocalCRM.contact(doc) }
        let page = try await store.query(.contacts, IndexQuery(index: "email", partition: email, limit: 1))
        return page.documents.first.map(LocalCRM.contact)
    }

    /// Gives a name to a contact created without one.
    private func fillName(_ contact: CRMContact, _ name: String?) async throws -> CRMContact {
        guard contact.name == nil, let name, !name.isEmpty else { return contact }
        try await store.update(.contacts, id: contact.id) { body in
            if body?["name"]?.stringValue == nil { body?["name"] = .string(name) }
        }
        var named = contact
        named.name = name
        return named
    }

    static func contact(_ doc: StoredDocument) -> CRMContact {
        CRMContact(id: doc.id, email: doc.body["email"]?.stringValue ?? "", name: doc.body["name"]?.stringValue, created: false)
    }

    /// Trimmed and lower-cased; `.invalidInput` unless it looks like `local@domain`.
    public static func normalizedEmail(_ raw: String) throws -> String {
        let address = raw.trimmedWhitespace.lowercased()
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        let clean = !address.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, clean, address.utf8.count <= 254 else {
            throw PlugboardError.invalidInput("invalid e-mail address \"\(raw.prefix(100))\": expected local@domain", adapter: adapter)
        }
        return address
    }

    /// `c-` + the first 16 hex digits of the SHA-256 of the normalized e-mail.
    public static func contactId(forEmail normalized: String) -> String {
        "c-" + Digest.sha256Hex(normalized).prefix(16)
    }

    // MARK: - Tickets

    /// With a `key`, the ticket's id is the key, and a ticket already stored
    /// under it (the workflow's own, or a retried create) is returned as is:
    /// the local CRM keeps its tickets where the workflow keeps them.
    public func createTicket(_ draft: CRMTicketDraft) async throws -> CRMTicket {
        if let key = draft.key, let existing = try await store.get(.tickets, id: key) {
            return LocalCRM.ticket(existing)
        }
        guard try await store.get(.contacts, id: draft.contactId) != nil else {
            throw PlugboardError.notFound("no contact \(draft.contactId) for the new ticket", adapter: LocalCRM.adapter)
        }
        let now = Timestamp.now()
        var body = draft.properties
        body["subject"] = .string(draft.subject)
        body["description"] = .string(draft.description)
        body["contact_id"] = .string(draft.contactId)
        if body["status"] == nil { body["status"] = .string(openStatus) }
        if body["created_at"] == nil { body["created_at"] = .string(now) }
        body["updated_at"] = .string(now)
        // The description is the customer's first message, unless the draft brings its own.
        let firstMessage = body["messages"] == nil
        // A caller-chosen ticket_id (an import) is used as is; otherwise a fresh one.
        let chosen = draft.key ?? body["ticket_id"]?.stringValue
        for _ in 0..<8 {
            let id = chosen ?? LocalCRM.newTicketId()
            body["ticket_id"] = .string(id)
            if firstMessage {
                body["messages"] = [["id": .string(id + "-1"), "role": "user", "content": .string(draft.description),
                                     "timestamp": .string(now)]]
            }
            do {
                try await store.put(.tickets, id: id, body: .object(body), condition: .absent)
                return CRMTicket(id: id, url: nil, status: body["status"]?.stringValue ?? "", updatedAt: now, properties: body)
            } catch let e as PlugboardError where e.code == .conflict && chosen == nil {
                continue
            }
        }
        throw PlugboardError.conflict("could not pick an unused ticket id", adapter: LocalCRM.adapter)
    }

    /// `TKT-yyyymmdd-` + 8 random base-36 digits: readable, sortable by day.
    static func newTicketId() -> String {
        let day = Timestamp.now().prefix(10).replacingOccurrences(of: "-", with: "")
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return "TKT-\(day)-" + String((0..<8).map { _ in alphabet.randomElement()! })
    }

    public func ticket(id: String) async throws -> CRMTicket? {
        try await store.get(.tickets, id: id).map(LocalCRM.ticket)
    }

    static func ticket(_ doc: StoredDocument) -> CRMTicket {
        CRMTicket(id: doc.id, url: nil, status: doc.body["status"]?.stringValue ?? "",
                  updatedAt: doc.body["updated_at"]?.stringValue, properties: doc.body.objectValue ?? [:])
    }

    func isOpen(_ body: JSON) -> Bool {
        guard let status = body["status"]?.stringValue else { return true }
        return !closedStatuses.contains(status.lowercased())
    }

    public func findOpenTicket(contactId: String, updatedSince: String?) async throws -> CRMTicket? {
        var since: Double?
        if let updatedSince {
            guard let t = Timestamp.parse(updatedSince) else {
                throw PlugboardError.invalidInput("updatedSince: expected an ISO 8601 time, got \"\(updatedSince)\"", adapter: LocalCRM.adapter)
            }
            since = t
        }
        var best: (doc: StoredDocument, updated: Double)?
        func consider(_ doc: StoredDocument, _ updated: Double) {
            guard isOpen(doc.body), since.map({ updated >= $0 }) ?? true else { return }
            if let b = best, (b.updated, b.doc.id) >= (updated, doc.id) { return }
            best = (doc, updated)
        }
        // Normalized timestamps drop a zero fraction, so as strings `…:05Z` sorts
        // after `…:05.300Z`: index order and bounds hold only to the second. Query
        // from a second early, compare parsed times, and stop one second past the best.
        let from = since.map { Timestamp.format(($0 - 1).rounded(.down)) }
        var query = IndexQuery(index: "contact-updated_at", partition: contactId, from: from, descending: true, limit: 50)
        search: while true {
            let page = try await store.query(.tickets, query)
            for doc in page.documents {
                guard let updated = LocalCRM.updated(doc) else { continue }
                if let b = best, updated.rounded(.down) < b.updated.rounded(.down) { break search }
                consider(doc, updated)
            }
            guard let next = page.nextCursor else { break }
            query.cursor = next
        }
        // Tickets the contact was linked to besides.
        let links = try await store.queryAll(LocalCRM.links, IndexQuery(index: "contact", partition: contactId, limit: 500))
        for link in links {
            guard let ticketId = link.body["ticket_id"]?.stringValue,
                  let doc = try await store.get(.tickets, id: ticketId), let updated = LocalCRM.updated(doc) else { continue }
            consider(doc, updated)
        }
        return best.map { LocalCRM.ticket($0.doc) }
    }

    static func updated(_ doc: StoredDocument) -> Double? {
        doc.body["updated_at"]?.stringValue.flatMap(Timestamp.parse)
    }

    /// The note is a message of the ticket whose id is `key`: the workflow already
    /// appended the customer's message under that id, so mirroring it adds nothing.
    public func addNote(ticketId: String, body: String, at: String, key: String) async throws -> String {
        guard let time = Timestamp.normalize(at) else {
            throw PlugboardError.invalidInput("note time: expected an ISO 8601 time, got \"\(at)\"", adapter: LocalCRM.adapter)
        }
        let noteId = key.isEmpty ? "n-" + Digest.sha256Hex(ticketId + "\n" + time + "\n" + body).prefix(16) : key
        try await store.update(.tickets, id: ticketId) { doc in
            guard var ticket = doc else { throw LocalCRM.noTicket(ticketId) }
            var messages: [JSON] = []
            switch ticket["messages"] {
            case nil, .null?: break
            case .array(let a)?: messages = a
            case let other?:
                throw PlugboardError.invalidInput("ticket \(ticketId): messages is \(other.typeName), not an array", adapter: LocalCRM.adapter)
            }
            if messages.contains(where: { $0["id"]?.stringValue == noteId }) { return }
            messages.append(["id": .string(noteId), "role": "user", "content": .string(body), "timestamp": .string(time)])
            ticket["messages"] = .array(messages)
            ticket["updated_at"] = .string(Timestamp.now())
            doc = ticket
        }
        return noteId
    }

    /// Merges `properties` into the ticket; `updated_at` is always set to now.
    public func updateTicket(id: String, properties: [String: JSON]) async throws {
        if let given = properties["ticket_id"], given != .string(id) {
            throw PlugboardError.invalidInput("ticket \(id): ticket_id cannot change", adapter: LocalCRM.adapter)
        }
        try await store.update(.tickets, id: id) { doc in
            guard var ticket = doc else { throw LocalCRM.noTicket(id) }
            for (k, v) in properties { ticket[k] = v }
            ticket["updated_at"] = .string(Timestamp.now())
            doc = ticket
        }
    }

    public func linkTicket(_ ticketId: String, toContact contactId: String) async throws {
        guard let ticket = try await store.get(.tickets, id: ticketId) else { throw LocalCRM.noTicket(ticketId) }
        guard try await store.get(.contacts, id: contactId) != nil else {
            throw PlugboardError.notFound("no contact \(contactId) to link ticket \(ticketId) to", adapter: LocalCRM.adapter)
        }
        if ticket.body["contact_id"]?.stringValue == contactId { return }
        let linkId = contactId + "|" + ticketId
        do {
            try await store.put(LocalCRM.links, id: linkId, body: [
                "link_id": .string(linkId), "contact_id": .string(contactId), "ticket_id": .string(ticketId),
                "created_at": .string(Timestamp.now()),
            ], condition: .absent)
        } catch let e as PlugboardError where e.code == .conflict {
            return  // already linked
        }
    }

    static func noTicket(_ id: String) -> PlugboardError {
        .notFound("no ticket \(id)", adapter: adapter)
    }
}
