import AdaptersLocal
import PlugboardKernel
import Testing

@Suite("local crm")
struct LocalCRMTests {
    let store = MemoryStore()
    var crm: LocalCRM { LocalCRM(store: store) }

    @Test func contactIdFollowsTheLowerCasedEmail() async throws {
        let c = try await crm.findOrCreateContact(email: " Alice@Example.COM ", name: "Alice")
        // printf 'alice@example.com' | sha256sum → ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976
        #expect(c.id == "c-ff8d9819fc0e12bf")
        #expect(c.email == "alice@example.com")
        let stored = try #require(try await store.get(.contacts, id: c.id))
        // crm_contact_id: the record is the workflow's contact too, already linked to the CRM (itself).
        #expect(stored.body == ["contact_id": "c-ff8d9819fc0e12bf", "email": "alice@example.com", "name": "Alice",
                                "crm_contact_id": "c-ff8d9819fc0e12bf", "created_at": stored.body["created_at"]!])
        #expect(Timestamp.parse(stored.body["created_at"]?.stringValue ?? "") != nil)
    }

    @Test func aContactImportedUnderAnotherIdIsFoundByEmail() async throws {
        try await store.put(.contacts, id: "legacy-42", body: ["contact_id": "legacy-42", "email": "bob@example.com", "name": "Bob"])
        let c = try await crm.findOrCreateContact(email: "BOB@example.com", name: nil)
        #expect(c.id == "legacy-42")
        #expect(!c.created)
        #expect(c.name == "Bob")
        #expect(try await store.count(.contacts) == 1)
    }

    @Test func aNameIsFilledInWhenTheContactHadNone() async throws {
        let first = try await crm.findOrCreateContact(email: "nameless@example.com", name: nil)
        #expect(first.name == nil)
        let second = try await crm.findOrCreateContact(email: "nameless@example.com", name: "Now Named")
        #expect(second.name == "Now Named")
        let third = try await crm.findOrCreateContact(email: "nameless@example.com", name: "Another Name")
        #expect(third.name == "Now Named", "an existing name is kept")
    }

    @Test func newTicketsHaveTheWorkflowShape() async throws {
        let c = try await crm.findOrCreateContact(email: "carol@example.com", name: "Carol")
        let t = try await crm.createTicket(CRMTicketDraft(subject: "Colis en retard", description: "Ma commande 1042 n'est pas arrivée.",
                                                          contactId: c.id, properties: ["channel": "email", "priority": "high"]))
        #expect(t.id.hasPrefix("TKT-"))
        #expect(t.status == "en cours")
        #expect(t.url == nil)
        let body = try #require(try await store.get(.tickets, id: t.id)?.body)
        let ticket = try #require(Ticket(body))
        #expect(ticket.id == t.id)
        #expect(ticket.status == "en cours")
        #expect(ticket.channel == "email")
        #expect(body["priority"] == "high")
        #expect(body["contact_id"] == .string(c.id))
        #expect(body["subject"] == "Colis en retard")
        #expect(ticket.messages.count == 1)
        #expect(ticket.messages.first?.role == "user")
        #expect(ticket.messages.first?.content == "Ma commande 1042 n'est pas arrivée.")
        #expect(ticket.createdAt == body["updated_at"]?.stringValue)
        // The ticket is in the workflow's indexes.
        let open = try await store.query(.tickets, IndexQuery(index: "status-created_at", partition: "en cours"))
        #expect(open.documents.map(\.id) == [t.id])
    }

    @Test func aCallerChosenTicketIdIsUsedAndNotReused() async throws {
        let c = try await crm.findOrCreateContact(email: "dave@example.com", name: nil)
        let t = try await crm.createTicket(CRMTicketDraft(subject: "s", description: "d", contactId: c.id, properties: ["ticket_id": "IMPORTED-1"]))
        #expect(t.id == "IMPORTED-1")
        await #expect(throws: PlugboardError.self) {
            _ = try await crm.createTicket(CRMTicketDraft(subject: "s", description: "d", contactId: c.id, properties: ["ticket_id": "IMPORTED-1"]))
        }
    }

    @Test func aTicketForAnUnknownContactIsNotFound() async throws {
        let e = await #expect(throws: PlugboardError.self) {
            _ = try await crm.createTicket(CRMTicketDraft(subject: "s", description: "d", contactId: "c-nobody"))
        }
        #expect(e?.code == .notFound)
        #expect(e?.message.contains("c-nobody") == true)
        #expect(try await store.count(.tickets) == 0)
    }

    @Test func notesAreUserMessagesAndAddingOneTwiceKeepsOne() async throws {
        let c = try await crm.findOrCreateContact(email: "erin@example.com", name: nil)
        let t = try await crm.createTicket(CRMTicketDraft(subject: "s", description: "first", contactId: c.id))
        let n1 = try await crm.addNote(ticketId: t.id, body: "suite", at: "2024-05-01T14:00:00+02:00", key: "k1")
        let again = try await crm.addNote(ticketId: t.id, body: "suite", at: "2024-05-01T12:00:00Z", key: "k1")
        #expect(n1 == again, "a note added twice with one key is one note")
        let body = try #require(try await store.get(.tickets, id: t.id)?.body)
        let messages = try #require(Ticket(body)).messages
        #expect(messages.map(\.content) == ["first", "suite"])
        #expect(messages.last == Message(id: n1, role: "user", content: "suite", timestamp: "2024-05-01T12:00:00Z"))
    }

    @Test func updateTicketMergesAndKeepsTheId() async throws {
        let c = try await crm.findOrCreateContact(email: "frank@example.com", name: nil)
        let t = try await crm.createTicket(CRMTicketDraft(subject: "s", description: "d", contactId: c.id, properties: ["keep": "me"]))
        try await crm.updateTicket(id: t.id, properties: ["analytics": ["sentiment": "négatif"], "closed_at": nil])
        let body = try #require(try await crm.ticket(id: t.id)?.properties)
        #expect(body["keep"] == "me")
        #expect(body["analytics"] == ["sentiment": "négatif"])
        #expect(body["closed_at"] == .null)
        let e = await #expect(throws: PlugboardError.self) {
            try await crm.updateTicket(id: t.id, properties: ["ticket_id": "other"])
        }
        #expect(e?.code == .invalidInput)
    }

    @Test func closedStatusesComeFromTheConfig() async throws {
        let registry = Registry([LocalCRM.registryEntry])
        let settings = AdapterSettings(port: .crm, adapter: "local", values: ["closed_statuses": ["Done"], "open_status": "new"])
        let crm = try await registry.makeCRM(settings, AdapterContext(registry: registry, storage: store))
        let c = try await crm.findOrCreateContact(email: "grace@example.com", name: nil)
        let t = try await crm.createTicket(CRMTicketDraft(subject: "s", description: "d", contactId: c.id))
        #expect(t.status == "new")
        try await crm.updateTicket(id: t.id, properties: ["status": "fermé"])
        #expect(try await crm.findOpenTicket(contactId: c.id, updatedSince: nil)?.id == t.id, "fermé is not closed here")
        try await crm.updateTicket(id: t.id, properties: ["status": "DONE"])
        #expect(try await crm.findOpenTicket(contactId: c.id, updatedSince: nil) == nil, "done is, case-insensitively")
    }

    @Test func withoutStorageTheFactoryExplains() async throws {
        let registry = Registry([LocalCRM.registryEntry])
        let e = await #expect(throws: PlugboardError.self) {
            _ = try await registry.makeCRM(AdapterSettings(port: .crm, adapter: "local"), AdapterContext(registry: registry))
        }
        #expect(e?.code == .invalidConfiguration)
        #expect(e?.message.contains("storage") == true)
    }

    @Test func anOpenTicketBehindManyClosedOnesIsFound() async throws {
        let c = try await crm.findOrCreateContact(email: "heidi@example.com", name: nil)
        // Written directly, with set times: one old open ticket, then 120 newer closed ones.
        try await store.put(.tickets, id: "OLD", body: ["ticket_id": "OLD", "status": "en cours", "contact_id": .string(c.id),
                                                        "updated_at": "2024-01-01T00:00:00Z"])
        for i in 0..<120 {
            try await store.put(.tickets, id: "C\(i)", body: ["ticket_id": .string("C\(i)"), "status": "fermé",
                                                              "contact_id": .string(c.id), "updated_at": "2024-02-01T00:00:00Z"])
        }
        #expect(try await crm.findOpenTicket(contactId: c.id, updatedSince: nil)?.id == "OLD")
        #expect(try await crm.findOpenTicket(contactId: c.id, updatedSince: "2024-01-01T01:00:00+01:00")?.id == "OLD",
                "updatedSince is inclusive")
        #expect(try await crm.findOpenTicket(contactId: c.id, updatedSince: "2024-01-01T00:00:00.001Z") == nil)
    }

    /// Normalized times drop a zero fraction, so `…:05Z` sorts after `…:05.300Z`
    /// as a string; the CRM must still compare them as times.
    @Test func timesWithinOneSecondCompareAsTimes() async throws {
        let c = try await crm.findOrCreateContact(email: "kate@example.com", name: nil)
        try await store.put(.tickets, id: "WHOLE", body: ["ticket_id": "WHOLE", "status": "en cours", "contact_id": .string(c.id),
                                                          "updated_at": "2024-03-01T10:00:05Z"])
        try await store.put(.tickets, id: "LATER", body: ["ticket_id": "LATER", "status": "en cours", "contact_id": .string(c.id),
                                                          "updated_at": "2024-03-01T10:00:05.300Z"])
        #expect(try await crm.findOpenTicket(contactId: c.id, updatedSince: nil)?.id == "LATER")
        #expect(try await crm.findOpenTicket(contactId: c.id, updatedSince: "2024-03-01T10:00:05Z")?.id == "LATER")
        #expect(try await crm.findOpenTicket(contactId: c.id, updatedSince: "2024-03-01T10:00:05.200Z")?.id == "LATER")
        #expect(try await crm.findOpenTicket(contactId: c.id, updatedSince: "2024-03-01T10:00:05.301Z") == nil)
        try await crm.updateTicket(id: "LATER", properties: ["status": "fermé"])
        #expect(try await crm.findOpenTicket(contactId: c.id, updatedSince: "2024-03-01T10:00:04.999Z")?.id == "WHOLE")
    }

    @Test func linkingNeedsAKnownContactAndIsStoredOnce() async throws {
        let a = try await crm.findOrCreateContact(email: "ivan@example.com", name: nil)
        let b = try await crm.findOrCreateContact(email: "judy@example.com", name: nil)
        let t = try await crm.createTicket(CRMTicketDraft(subject: "s", description: "d", contactId: a.id))
        let e = await #expect(throws: PlugboardError.self) { try await crm.linkTicket(t.id, toContact: "c-nobody") }
        #expect(e?.code == .notFound)
        try await crm.linkTicket(t.id, toContact: b.id)
        try await crm.linkTicket(t.id, toContact: b.id)
        try await crm.linkTicket(t.id, toContact: a.id)
        let links = try await store.queryAll(LocalCRM.links, IndexQuery(index: "contact", partition: b.id))
        #expect(links.map(\.body["ticket_id"]) == [.string(t.id)])
        #expect(links.first?.revision == 1)
        #expect(try await store.count(LocalCRM.links) == 1, "linking the ticket's own contact stores nothing")
    }
}
