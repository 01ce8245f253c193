import Foundation

/// A `CRM` whose work is done by a run-time plugin, over the crm operations of
/// `plugboard_plugin.h` (contract version 1, docs/ADAPTERS.md).
///
/// The kernel does the port's shared checks before calling: e-mails arrive
/// trimmed, lower-cased and shaped `local@domain`; timestamps arrive as
/// canonical UTC (`2024-05-01T08:30:00Z`), so the plugin may compare them as text.
final class PluginCRM: CRM {
    let instance: PluginInstance

    init(instance: PluginInstance) { self.instance = instance }

    private func address(_ raw: String) throws -> String {
        let address = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        let clean = !address.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, clean, address.utf8.count <= 254 else {
            throw PlugboardError.invalidInput("invalid e-mail address \"\(raw.prefix(100))\": expected local@domain", adapter: instance.adapter)
        }
        return address
    }

    private func timestamp(_ s: String, _ what: String) throws -> String {
        guard let t = Timestamp.normalize(s) else {
            throw PlugboardError.invalidInput("\(what): \"\(s.prefix(60))\" is not an ISO 8601 timestamp", adapter: instance.adapter)
        }
        return t
    }

    /// `{"id", "url", "status", "updated_at", "properties"}` as a ticket.
    private func ticket(_ r: JSON, _ operation: String) throws -> CRMTicket {
        guard let id = r["id"]?.stringValue, !id.isEmpty, let status = r["status"]?.stringValue else {
            throw instance.malformed(operation, expected: "a ticket {\"id\", \"status\", \"url\", \"updated_at\", \"properties\"}", got: r)
        }
        return CRMTicket(id: id, url: try instance.optionalString(r, "url", operation), status: status,
                         updatedAt: try instance.optionalString(r, "updated_at", operation),
                         properties: r["properties"]?.objectValue ?? [:])
    }

    func findOrCreateContact(email: String, name: String?) async throws -> CRMContact {
        let r = try await instance.call("find_or_create_contact", ["email": .string(try address(email)), "name": name.map(JSON.string) ?? .null])
        guard let id = r["id"]?.stringValue, !id.isEmpty, let created = r["created"]?.boolValue else {
            throw instance.malformed("find_or_create_contact", expected: "{\"id\", \"email\", \"name\", \"created\": BOOL}", got: r)
        }
        return CRMContact(id: id, email: r["email"]?.stringValue ?? email,
                          name: try instance.optionalString(r, "name", "find_or_create_contact"), created: created)
    }

    func createTicket(_ draft: CRMTicketDraft) async throws -> CRMTicket {
        let r = try await instance.call("create_ticket", [
            "subject": .string(draft.subject), "description": .string(draft.description),
            "contact_id": .string(draft.contactId), "properties": .object(draft.properties),
            "key": draft.key.map(JSON.string) ?? .null,
        ])
        return try ticket(r, "create_ticket")
    }

    func findOpenTicket(contactId: String, updatedSince: String?) async throws -> CRMTicket? {
        let since = try updatedSince.map { try timestamp($0, "updatedSince") }
        let r = try await instance.call("find_open_ticket", ["contact_id": .string(contactId), "updated_since": since.map(JSON.string) ?? .null])
        return r == .null ? nil : try ticket(r, "find_open_ticket")
    }

    func ticket(id: String) async throws -> CRMTicket? {
        let r = try await instance.call("ticket", ["id": .string(id)])
        return r == .null ? nil : try ticket(r, "ticket")
    }

    func addNote(ticketId: String, body: String, at: String, key: String) async throws -> String {
        let r = try await instance.call("add_note", [
            "ticket_id": .string(ticketId), "body": .string(body), "at": .string(try timestamp(at, "note time")), "key": .string(key),
        ])
        guard let id = r.stringValue, !id.isEmpty else { throw instance.malformed("add_note", expected: "the note's id (a string)", got: r) }
        return id
    }

    func updateTicket(id: String, properties: [String: JSON]) async throws {
        _ = try await instance.call("update_ticket", ["id": .string(id), "properties": .object(properties)])
    }

    func linkTicket(_ ticketId: String, toContact contactId: String) async throws {
        _ = try await instance.call("link_ticket", ["ticket_id": .string(ticketId), "contact_id": .string(contactId)])
    }
}

extension PluginCRM: HealthChecking {
    /// The plugin's `check`; without one, a read of a ticket no one has.
    func check() async -> HealthCheck {
        if let h = await instance.pluginCheck() { return h }
        do {
            _ = try await ticket(id: "plugboard-doctor-check")
            return .passed("read a ticket from plugin \(instance.library.path)")
        } catch {
            return .failed("\(error)", hint: nil)
        }
    }
}
