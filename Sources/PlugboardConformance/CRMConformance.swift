import Foundation
import PlugboardKernel

/// Opens CRMs for the CRM conformance suite, and says what the suite cannot
/// learn through the port itself.
public protocol CRMHarness: Sendable {
    /// A CRM over a fresh, empty data set (a new store, a reset fake server).
    func open() async throws -> any CRM
    /// Properties that close a ticket when given to `updateTicket`
    /// (`["status": "fermé"]` for the local CRM, a closed pipeline stage for HubSpot).
    var closingProperties: [String: JSON] { get }
    /// A ticket property that holds free text and reads back through `ticket(id:)`.
    var textProperty: String { get }
    /// `createTicket` returns a URL (the CRM has ticket pages).
    var ticketsHaveURLs: Bool { get }
    /// Concurrent `findOrCreateContact` calls for one e-mail yield one contact
    /// (the backend keeps e-mails unique). False only where the backend cannot.
    var findOrCreateIsAtomic: Bool { get }
    /// How long a write may take to show in searches (`findOpenTicket`); zero for
    /// a local store, a few seconds for an eventually consistent search index.
    var searchDelay: Duration { get }
    /// The bodies of the notes the backend holds for a ticket, oldest first;
    /// nil when the harness cannot look (the port has no read for notes).
    func noteBodies(_ crm: any CRM, ticketId: String) async throws -> [String]?
}

/// The `crm` port's conformance suite: every CRM adapter runs these cases
/// unchanged (`@Test(arguments: CRMConformance.cases)`).
public enum CRMConformance {
    public struct Case: Sendable, CustomStringConvertible {
        public let name: String
        let body: @Sendable (any CRMHarness, any CRM, Checker, String) async throws -> Void
        public var description: String { name }

        /// Runs the case on a fresh CRM; `run` is a random tag that keeps
        /// e-mails unique when the backend outlives the case.
        public func run(_ harness: any CRMHarness) async throws {
            let tag = String(UInt64.random(in: 0..<UInt64.max), radix: 36)
            let crm = try await harness.open()
            try await body(harness, crm, Checker(check: name, suite: "CRMConformance"), tag)
        }
    }

    static func draft(_ contact: CRMContact, _ subject: String, description: String = "Bonjour, j'ai un problème.") -> CRMTicketDraft {
        CRMTicketDraft(subject: subject, description: description, contactId: contact.id)
    }

    /// Lets timestamps of successive writes differ (millisecond clocks).
    static func tick() async throws { try await Task.sleep(for: .milliseconds(15)) }

    /// Waits until writes are visible to searches.
    static func settle(_ h: any CRMHarness) async throws {
        if h.searchDelay > .zero { try await Task.sleep(for: h.searchDelay) }
    }

    /// Now plus `seconds`, as UTC, or with a +02:00 offset.
    static func time(_ seconds: Double, offset: Bool = false) -> String {
        let t = Date().timeIntervalSince1970 + seconds
        guard offset else { return Timestamp.format(t) }
        return String(Timestamp.format(t + 7200).dropLast()) + "+02:00"
    }

    public static let cases: [Case] = [
        Case(name: "find-or-create contact is idempotent per e-mail, case-insensitive") { _, crm, c, tag in
            let email = "alice.\(tag)@example.com"
            let a = try await crm.findOrCreateContact(email: "Alice.\(tag)@Example.COM", name: "Alice Martin")
            try c.expect(a.created, "the first call creates the contact")
            try c.expect(!a.id.isEmpty, "the contact has an id")
            try c.equal(a.email.lowercased(), email, "the e-mail, compared case-insensitively")
            let b = try await crm.findOrCreateContact(email: email, name: nil)
            try c.equal(b.id, a.id, "same e-mail in lower case gives the same contact")
            try c.expect(!b.created, "the second call finds, not creates")
            let d = try await crm.findOrCreateContact(email: "  ALICE.\(tag.uppercased())@EXAMPLE.COM ", name: "Someone Else")
            try c.equal(d.id, a.id, "upper case with surrounding spaces gives the same contact")
            try c.expect(!d.created, "the third call finds, not creates")
            let other = try await crm.findOrCreateContact(email: "bob+support.\(tag)@example.org", name: "Bob")
            try c.expect(other.created, "another e-mail creates another contact")
            try c.expect(other.id != a.id, "another e-mail has another id")
            for bad in ["", "not-an-email", "@example.com", "alice@", "a b@example.com"] {
                try await c.throwsCode(.invalidInput, "find-or-create with e-mail \"\(bad)\"") {
                    _ = try await crm.findOrCreateContact(email: bad, name: nil)
                }
            }
        },
        Case(name: "concurrent find-or-create of one e-mail yields one contact") { h, crm, c, tag in
            guard h.findOrCreateIsAtomic else { return }
            let spellings = ["carol.\(tag)@example.com", "Carol.\(tag)@Example.com", "CAROL.\(tag.uppercased())@EXAMPLE.COM"]
            let results = try await withThrowingTaskGroup(of: CRMContact.self) { g in
                for i in 0..<12 {
                    g.addTask { try await crm.findOrCreateContact(email: spellings[i % spellings.count], name: "Carol") }
                }
                var out: [CRMContact] = []
                for try await r in g { out.append(r) }
                return out
            }
            try c.equal(Set(results.map(\.id)).count, 1, "distinct contact ids")
            try c.equal(results.filter(\.created).count, 1, "calls that report creating the contact")
        },
        Case(name: "create ticket returns an id, readable back") { h, crm, c, tag in
            let contact = try await crm.findOrCreateContact(email: "dan.\(tag)@example.com", name: "Dan")
            let t1 = try await crm.createTicket(draft(contact, "Commande 1042 en retard"))
            try c.expect(!t1.id.isEmpty, "the ticket has an id")
            if h.ticketsHaveURLs {
                let url = try c.some(t1.url, "the ticket URL")
                try c.expect(url.hasPrefix("https://") || url.hasPrefix("http://"), "the ticket URL is http(s): \(url)")
            }
            let t2 = try await crm.createTicket(draft(contact, "Autre demande"))
            try c.expect(t2.id != t1.id, "two tickets have two ids")
            let read = try c.some(try await crm.ticket(id: t1.id), "ticket(id:) of a created ticket")
            try c.equal(read.id, t1.id, "id read back")
            let updated = try c.some(read.updatedAt, "updatedAt of a created ticket")
            try c.expect(Timestamp.parse(updated) != nil, "updatedAt is ISO 8601: \(updated)")
            try await c.expect(crm.ticket(id: "no-such-ticket-\(tag)") == nil, "ticket(id:) of an unknown id is nil")
        },
        Case(name: "find open ticket: the most recently updated open one, within updatedSince") { h, crm, c, tag in
            let contact = try await crm.findOrCreateContact(email: "erin.\(tag)@example.com", name: "Erin")
            let stranger = try await crm.findOrCreateContact(email: "frank.\(tag)@example.com", name: "Frank")
            try await settle(h)
            try await c.expect(crm.findOpenTicket(contactId: contact.id, updatedSince: nil) == nil,
                               "a contact without tickets has no open ticket")
            let a = try await crm.createTicket(draft(contact, "Ticket A"))
            try await tick()
            let b = try await crm.createTicket(draft(contact, "Ticket B"))
            try await tick()
            _ = try await crm.createTicket(draft(stranger, "Someone else's ticket"))
            try await settle(h)
            var found = try await crm.findOpenTicket(contactId: contact.id, updatedSince: nil)
            try c.equal(found?.id, b.id, "the newer of two open tickets")
            try await crm.updateTicket(id: a.id, properties: [h.textProperty: "touched"])
            try await settle(h)
            found = try await crm.findOpenTicket(contactId: contact.id, updatedSince: time(-3600))
            try c.equal(found?.id, a.id, "after an update, the updated ticket is the most recent")
            found = try await crm.findOpenTicket(contactId: contact.id, updatedSince: time(-3600, offset: true))
            try c.equal(found?.id, a.id, "updatedSince with a +02:00 offset")
            try await c.expect(crm.findOpenTicket(contactId: contact.id, updatedSince: time(3600)) == nil,
                               "nil when the open tickets were updated before updatedSince")
            try await c.throwsCode(.invalidInput, "a malformed updatedSince") {
                _ = try await crm.findOpenTicket(contactId: contact.id, updatedSince: "last tuesday")
            }
            try await tick()
            try await crm.updateTicket(id: a.id, properties: h.closingProperties)
            try await settle(h)
            found = try await crm.findOpenTicket(contactId: contact.id, updatedSince: nil)
            try c.equal(found?.id, b.id, "a closed ticket is ignored even when it was updated last")
            try await crm.updateTicket(id: b.id, properties: h.closingProperties)
            try await settle(h)
            try await c.expect(crm.findOpenTicket(contactId: contact.id, updatedSince: nil) == nil,
                               "nil when every ticket of the contact is closed")
        },
        Case(name: "update properties, visible through a read") { h, crm, c, tag in
            let contact = try await crm.findOrCreateContact(email: "grace.\(tag)@example.com", name: "Grace")
            let t = try await crm.createTicket(draft(contact, "Properties"))
            let before = try c.some(try await crm.ticket(id: t.id)?.updatedAt, "updatedAt before the update")
            try await tick()
            try await crm.updateTicket(id: t.id, properties: [h.textProperty: "first value"])
            var read = try c.some(try await crm.ticket(id: t.id), "ticket after an update")
            try c.equal(read.properties[h.textProperty], "first value", "property after the first update")
            let after = try c.some(read.updatedAt, "updatedAt after the update")
            try c.expect(Timestamp.parse(after)! > Timestamp.parse(before)!, "updatedAt advanced: \(before) → \(after)")
            try await crm.updateTicket(id: t.id, properties: [h.textProperty: "second value"])
            read = try c.some(try await crm.ticket(id: t.id), "ticket after a second update")
            try c.equal(read.properties[h.textProperty], "second value", "property after the second update")
        },
        Case(name: "add note") { h, crm, c, tag in
            let contact = try await crm.findOrCreateContact(email: "heidi.\(tag)@example.com", name: "Heidi")
            let t = try await crm.createTicket(draft(contact, "Notes"))
            let n1 = try await crm.addNote(ticketId: t.id, body: "Premier suivi", at: time(0), key: "note-1-\(tag)")
            try await tick()
            let n2 = try await crm.addNote(ticketId: t.id, body: "Second suivi\navec deux lignes", at: time(1), key: "note-2-\(tag)")
            try c.expect(!n1.isEmpty && !n2.isEmpty, "notes have ids")
            try c.expect(n1 != n2, "two notes have two ids")
            // A retried call with the same key adds nothing and returns the same note.
            let again = try await crm.addNote(ticketId: t.id, body: "Premier suivi", at: time(0), key: "note-1-\(tag)")
            try c.equal(again, n1, "a note added twice with one key")
            if let bodies = try await h.noteBodies(crm, ticketId: t.id) {
                try c.equal(Array(bodies.suffix(2)), ["Premier suivi", "Second suivi\navec deux lignes"], "note bodies, oldest first")
            }
            try await c.throwsCode(.invalidInput, "a note with a malformed time") {
                _ = try await crm.addNote(ticketId: t.id, body: "x", at: "yesterday", key: "bad-time-\(tag)")
            }
        },
        Case(name: "link a ticket to another contact") { h, crm, c, tag in
            let owner = try await crm.findOrCreateContact(email: "ivan.\(tag)@example.com", name: "Ivan")
            let colleague = try await crm.findOrCreateContact(email: "judy.\(tag)@example.com", name: "Judy")
            let t = try await crm.createTicket(draft(owner, "Shared ticket"))
            try await settle(h)
            try await c.expect(crm.findOpenTicket(contactId: colleague.id, updatedSince: nil) == nil,
                               "not linked yet: the colleague has no open ticket")
            try await crm.linkTicket(t.id, toContact: colleague.id)
            try await crm.linkTicket(t.id, toContact: colleague.id)
            try await settle(h)
            try await c.equal(crm.findOpenTicket(contactId: colleague.id, updatedSince: nil)?.id, t.id,
                              "after linking, the colleague's open ticket")
            try await c.equal(crm.findOpenTicket(contactId: owner.id, updatedSince: nil)?.id, t.id,
                              "the owner keeps the ticket")
        },
        Case(name: "unknown ticket ids are .notFound") { _, crm, c, tag in
            let contact = try await crm.findOrCreateContact(email: "kim.\(tag)@example.com", name: nil)
            let missing = "no-such-ticket-\(tag)"
            try await c.throwsCode(.notFound, "addNote on an unknown ticket") {
                _ = try await crm.addNote(ticketId: missing, body: "x", at: time(0), key: "missing-\(tag)")
            }
            try await c.throwsCode(.notFound, "updateTicket on an unknown ticket") {
                try await crm.updateTicket(id: missing, properties: ["x": "y"])
            }
            try await c.throwsCode(.notFound, "linkTicket on an unknown ticket") {
                try await crm.linkTicket(missing, toContact: contact.id)
            }
        },
        Case(name: "unicode content is kept as given") { h, crm, c, tag in
            let name = "Zoë Ñúñez-Øster 日本 🎫 مرحبا"
            let first = try await crm.findOrCreateContact(email: "zoe.\(tag)@example.com", name: name)
            try c.equal(first.name, name, "contact name as created")
            let again = try await crm.findOrCreateContact(email: "zoe.\(tag)@example.com", name: nil)
            try c.equal(again.name, name, "contact name as found")
            let text = "Été 🎫👩‍💻🇫🇷 « guillemets » 'single' \"double\" back\\slash\nligne 2\tTab — 日本語 — مرحبا"
            let t = try await crm.createTicket(draft(first, "Sujet: \(text)", description: text))
            try await crm.updateTicket(id: t.id, properties: [h.textProperty: .string(text)])
            try await c.equal(crm.ticket(id: t.id)?.properties[h.textProperty], .string(text), "unicode property read back")
            _ = try await crm.addNote(ticketId: t.id, body: text, at: time(0), key: "unicode-\(tag)")
            if let bodies = try await h.noteBodies(crm, ticketId: t.id) {
                try c.equal(bodies.last, text, "unicode note body")
            }
        },
    ]
}
