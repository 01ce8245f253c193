// An example CRM adapter loaded at run time: contacts, tickets and notes in
// process memory, behind the C ABI of Sources/CPlugboardPlugin/plugboard_plugin.h.
//
// It is built outside the Plugboard package (./build.sh) and shares nothing
// with it but that header: every call is JSON in, JSON out (docs/ADAPTERS.md,
// "CRM operations"). The kernel hands over e-mails trimmed and lower-cased and
// times as canonical UTC, so this plugin compares them as given.
import CPlugboardPlugin
import Foundation
import Synchronization

/// One contact as this CRM holds it.
struct MemoryContact: Sendable {
    var id: String
    var email: String
    var name: String?
}

/// One ticket as this CRM holds it.
struct MemoryTicket: Sendable {
    var subject: String
    var description: String
    /// The contacts linked to the ticket, the creator first.
    var contacts: [String]
    /// Each property's value as JSON text: any JSON value, kept Sendable.
    var properties: [String: Data]
    /// `yyyy-MM-ddTHH:mm:ss.SSSZ`: fixed width, so text order is time order.
    var updatedAt: String
    /// The instance's write counter at the last write: orders tickets written within one millisecond.
    var writeOrder: Int
    var notes: [String]
}

/// What one opened instance holds.
struct CRMState: Sendable {
    var contacts: [String: MemoryContact] = [:]
    var contactByEmail: [String: String] = [:]
    var tickets: [String: MemoryTicket] = [:]
    var ticketByKey: [String: String] = [:]
    var noteByKey: [String: String] = [:]
    var next = 0

    mutating func newId(_ prefix: String) -> String {
        next += 1
        return "\(prefix)-\(next)"
    }
}

/// One opened instance: its data, the status that closes a ticket, and where ticket URLs point.
final class CRMInstance: Sendable {
    let state = Mutex(CRMState())
    let baseURL: String
    let closedStatus: String

    init(baseURL: String, closedStatus: String) {
        self.baseURL = baseURL
        self.closedStatus = closedStatus
    }
}

/// An error the kernel maps to a PlugboardError of the same code.
struct PluginFailure: Error {
    var code: String
    var message: String
}

// MARK: - Operations

extension CRMInstance {
    func run(_ op: String, _ a: [String: Any]) throws -> Any {
        switch op {
        case "find_or_create_contact":
            let email = a["email"] as? String ?? ""
            let name = a["name"] as? String
            // Looked up and created under one lock: concurrent calls for one address yield one contact.
            let (contact, created) = state.withLock { s -> (MemoryContact, Bool) in
                if let id = s.contactByEmail[email], let c = s.contacts[id] { return (c, false) }
                let c = MemoryContact(id: s.newId("contact"), email: email, name: name)
                s.contacts[c.id] = c
                s.contactByEmail[email] = c.id
                return (c, true)
            }
            return ["id": contact.id, "email": contact.email, "name": contact.name ?? NSNull(), "created": created] as [String: Any]
        case "create_ticket":
            let contactId = a["contact_id"] as? String ?? ""
            let key = a["key"] as? String
            let properties = try Self.encoded(a["properties"] as? [String: Any] ?? [:])
            let (id, ticket) = try state.withLock { s -> (String, MemoryTicket) in
                if let key, let id = s.ticketByKey[key], let t = s.tickets[id] { return (id, t) }
                guard s.contacts[contactId] != nil else { throw PluginFailure(code: "not_found", message: "no contact \(contactId)") }
                let id = s.newId("ticket")
                let t = MemoryTicket(subject: a["subject"] as? String ?? "", description: a["description"] as? String ?? "",
                                     contacts: [contactId], properties: properties, updatedAt: Self.now(), writeOrder: s.next, notes: [])
                s.tickets[id] = t
                if let key { s.ticketByKey[key] = id }
                return (id, t)
            }
            return try json(id, ticket)
        case "find_open_ticket":
            let contactId = a["contact_id"] as? String ?? ""
            let since = (a["updated_since"] as? String).map(Self.fixedWidth)
            let found = state.withLock { s -> (String, MemoryTicket)? in
                s.tickets.filter { _, t in
                    t.contacts.contains(contactId) && !isClosed(t) && since.map { t.updatedAt >= $0 } ?? true
                }.max { ($0.value.updatedAt, $0.value.writeOrder) < ($1.value.updatedAt, $1.value.writeOrder) }
                .map { ($0.key, $0.value) }
            }
            guard let found else { return NSNull() }
            return try json(found.0, found.1)
        case "ticket":
            let id = a["id"] as? String ?? ""
            guard let t = state.withLock({ $0.tickets[id] }) else { return NSNull() }
            return try json(id, t)
        case "add_note":
            let ticketId = a["ticket_id"] as? String ?? ""
            let key = a["key"] as? String ?? ""
            return try state.withLock { s -> String in
                guard var t = s.tickets[ticketId] else { throw PluginFailure(code: "not_found", message: "no ticket \(ticketId)") }
                if let existing = s.noteByKey[key] { return existing }
                let id = s.newId("note")
                t.notes.append(a["body"] as? String ?? "")
                s.tickets[ticketId] = t
                s.noteByKey[key] = id
                return id
            }
        case "update_ticket":
            let id = a["id"] as? String ?? ""
            let properties = try Self.encoded(a["properties"] as? [String: Any] ?? [:])
            try state.withLock { s in
                guard var t = s.tickets[id] else { throw PluginFailure(code: "not_found", message: "no ticket \(id)") }
                t.properties.merge(properties) { _, new in new }
                // Strictly later than the last write, even within one millisecond.
                t.updatedAt = max(Self.now(), Self.later(t.updatedAt))
                s.next += 1
                t.writeOrder = s.next
                s.tickets[id] = t
            }
            return NSNull()
        case "link_ticket":
            let ticketId = a["ticket_id"] as? String ?? ""
            let contactId = a["contact_id"] as? String ?? ""
            try state.withLock { s in
                guard var t = s.tickets[ticketId] else { throw PluginFailure(code: "not_found", message: "no ticket \(ticketId)") }
                guard s.contacts[contactId] != nil else { throw PluginFailure(code: "not_found", message: "no contact \(contactId)") }
                if !t.contacts.contains(contactId) { t.contacts.append(contactId) }
                s.tickets[ticketId] = t
            }
            return NSNull()
        case "notes":
            // Not in the contract: lets a test harness implement CRMHarness.noteBodies.
            let id = a["ticket_id"] as? String ?? ""
            guard let t = state.withLock({ $0.tickets[id] }) else { return NSNull() }
            return t.notes
        case "check":
            let (contacts, tickets) = state.withLock { ($0.contacts.count, $0.tickets.count) }
            return ["ok": true, "detail": "CRM in process memory (\(contacts) contacts, \(tickets) tickets)"]
        default:
            throw PluginFailure(code: "unsupported", message: "unknown operation \(op)")
        }
    }

    func isClosed(_ t: MemoryTicket) -> Bool { status(t) == closedStatus }

    func status(_ t: MemoryTicket) -> String {
        t.properties["status"].flatMap { try? JSONSerialization.jsonObject(with: $0, options: .fragmentsAllowed) as? String } ?? "open"
    }

    /// The contract's ticket: `{"id", "url", "status", "updated_at", "properties"}`.
    func json(_ id: String, _ t: MemoryTicket) throws -> [String: Any] {
        var properties: [String: Any] = [:]
        for (name, value) in t.properties {
            properties[name] = try JSONSerialization.jsonObject(with: value, options: .fragmentsAllowed)
        }
        return ["id": id, "url": "\(baseURL)/\(id)", "status": status(t), "updated_at": t.updatedAt, "properties": properties]
    }

    static func encoded(_ properties: [String: Any]) throws -> [String: Data] {
        try properties.mapValues { try JSONSerialization.data(withJSONObject: $0, options: .fragmentsAllowed) }
    }

    // MARK: Times

    /// Now as `yyyy-MM-ddTHH:mm:ss.SSSZ`.
    static func now() -> String { format(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))) }

    static func format(milliseconds ms: Int64) -> String {
        var seconds = time_t(ms / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(ms % 1000))
    }

    /// A canonical UTC time from the kernel (`…:ssZ`, or `…:ss.SSSZ` when it has milliseconds)
    /// in the fixed-width form `updatedAt` uses, so the two compare as text.
    static func fixedWidth(_ t: String) -> String {
        t.count == 20 && t.hasSuffix("Z") ? String(t.dropLast()) + ".000Z" : t
    }

    /// One millisecond after a fixed-width time this plugin wrote.
    static func later(_ t: String) -> String {
        var parts = tm()
        let fields = t.split(whereSeparator: { "-T:.Z".contains($0) }).compactMap { Int($0) }
        guard fields.count == 7 else { return t }
        parts.tm_year = Int32(fields[0] - 1900); parts.tm_mon = Int32(fields[1] - 1); parts.tm_mday = Int32(fields[2])
        parts.tm_hour = Int32(fields[3]); parts.tm_min = Int32(fields[4]); parts.tm_sec = Int32(fields[5])
        return format(milliseconds: Int64(timegm(&parts)) * 1000 + Int64(fields[6]) + 1)
    }
}

// MARK: - The C entry table

func reply(_ object: Any) -> UnsafeMutablePointer<CChar>? {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed, .withoutEscapingSlashes]))
        ?? Data("{\"error\":{\"code\":\"internal\",\"message\":\"unencodable reply\"}}".utf8)
    return strdup(String(decoding: data, as: UTF8.self))
}

let descriptorJSON = """
{"summary": "Example run-time plugin: a CRM in the plugin's memory (Examples/plugin-memory-crm).",
 "fields": [{"name": "base_url", "kind": "string", "default": "https://crm.example.com/tickets",
             "description": "Where ticket URLs point (nothing is served there)."},
            {"name": "closed_status", "kind": "string", "default": "closed",
             "description": "The value of the status property that closes a ticket."}],
 "capabilities": ["ticket_urls"]}
"""

// nonisolated(unsafe): written once, while the first caller runs the global's initializer, then only read.
nonisolated(unsafe) let entryTable: UnsafeMutablePointer<plugboard_plugin_v1> = {
    let t = UnsafeMutablePointer<plugboard_plugin_v1>.allocate(capacity: 1)
    t.initialize(to: plugboard_plugin_v1(
        abi_version: UInt32(PLUGBOARD_PLUGIN_ABI_VERSION),
        contract_version: UInt32(PLUGBOARD_CRM_CONTRACT_VERSION),
        port: UnsafePointer(strdup("crm")),
        name: UnsafePointer(strdup("example-crm")),
        descriptor_json: UnsafePointer(strdup(descriptorJSON)),
        open: { settings, error in
            let parsed = settings.flatMap { try? JSONSerialization.jsonObject(with: Data(String(cString: $0).utf8)) } as? [String: Any]
            let base = parsed?["base_url"] as? String ?? "https://crm.example.com/tickets"
            let closed = parsed?["closed_status"] as? String ?? "closed"
            guard base.hasPrefix("https://") || base.hasPrefix("http://") else {
                error?.pointee = strdup("{\"code\": \"invalid_configuration\", \"message\": \"base_url must be an http(s) URL\"}")
                return nil
            }
            guard !closed.isEmpty else {
                error?.pointee = strdup("{\"code\": \"invalid_configuration\", \"message\": \"closed_status must not be empty\"}")
                return nil
            }
            return Unmanaged.passRetained(CRMInstance(baseURL: base, closedStatus: closed)).toOpaque()
        },
        call: { handle, op, args in
            guard let handle, let op, let args else { return reply(["error": ["code": "internal", "message": "null argument"]]) }
            let instance = Unmanaged<CRMInstance>.fromOpaque(handle).takeUnretainedValue()
            do {
                let parsed = try JSONSerialization.jsonObject(with: Data(String(cString: args).utf8)) as? [String: Any] ?? [:]
                return reply(["ok": try instance.run(String(cString: op), parsed)])
            } catch let f as PluginFailure {
                return reply(["error": ["code": f.code, "message": f.message]])
            } catch {
                return reply(["error": ["code": "invalid_input", "message": "\(error)"]])
            }
        },
        close: { handle in if let handle { Unmanaged<CRMInstance>.fromOpaque(handle).release() } },
        free_string: { free($0) }))
    return t
}()

@_cdecl("plugboard_plugin_entry")
public func plugboardPluginEntry() -> UnsafePointer<plugboard_plugin_v1> {
    UnsafePointer(entryTable)
}
