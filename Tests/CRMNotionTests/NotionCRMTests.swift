import Foundation
@testable import CRMNotion
import PlugboardKernel
@testable import VendorFakes
import Testing

@Suite("notion crm", .serialized)
struct NotionCRMTests {
    let fake = FakeNotion()

    func crm(token: String? = nil, timeout: Duration = .seconds(5), stamp: Bool = false,
             logger: Logger = Logger(label: "plugboard.notion"), _ change: (inout NotionCRM.Configuration) -> Void = { _ in }) throws -> NotionCRM {
        var c = NotionHarness.configuration(fake, stampUpdates: stamp, timeout: timeout)
        if let token { c.token = token }
        change(&c)
        let fake = self.fake
        return try NotionCRM(c, transport: FakeHTTPTransport { try await fake.handle($0) }, logger: logger)
    }

    func error(_ body: () async throws -> Void) async -> PlugboardError? {
        do { try await body() } catch let e as PlugboardError { return e } catch { Issue.record("not a PlugboardError: \(error)") }
        return nil
    }

    static let notionError = #"{"object":"error","status":429,"code":"rate_limited","message":"You have been rate limited. Please try again in a few minutes.","request_id":"r1"}"#

    @Test("rich text is split at 2,000 characters without cutting a character, and reads back whole")
    func longNote() async throws {
        let crm = try crm()
        let contact = try await crm.findOrCreateContact(email: "long@example.com", name: "Long")
        let t = try await crm.createTicket(CRMTicketDraft(subject: "Long", description: String(repeating: "d", count: 4500), contactId: contact.id))
        let body = String(repeating: "a", count: 1999) + "🎫" + String(repeating: "é", count: 2500) + "\nfin"
        _ = try await crm.addNote(ticketId: t.id, body: body, at: "2024-03-01T10:00:00Z", key: "long-1")
        #expect(try await crm.notes(ticketId: t.id) == [body])
        let blocks = fake.blocks(of: t.id)
        let items = blocks.last?["paragraph"]?["rich_text"]?.arrayValue ?? []
        #expect(items.count == 3)
        #expect(items.first?["plain_text"]?.stringValue?.count == 1999, "the emoji did not fit in the first 2,000 UTF-16 units")
        #expect(fake.rejections == [])
        // 200,000 characters and more: several paragraph blocks.
        let huge = String(repeating: "x", count: 201_000)
        _ = try await crm.addNote(ticketId: t.id, body: huge, at: "2024-03-01T11:00:00Z", key: "long-2")
        #expect(try await crm.notes(ticketId: t.id).last == huge)
        #expect(fake.rejections == [])
    }

    @Test("blocks are appended at most 100 per request")
    func blockBatches() async throws {
        let crm = try crm()
        let contact = try await crm.findOrCreateContact(email: "blocks@example.com", name: nil)
        let t = try await crm.createTicket(CRMTicketDraft(subject: "Blocks", description: "", contactId: contact.id))
        let before = fake.requests.filter { $0.hasPrefix("PATCH /v1/blocks/") }.count
        let ids = try await crm.append((0..<250).flatMap { NotionValues.paragraphs("para \($0)") }, to: t.id)
        #expect(ids.count == 250)
        #expect(fake.requests.filter { $0.hasPrefix("PATCH /v1/blocks/") }.count - before == 3)
        #expect(fake.blocks(of: t.id).count == 250)
        #expect(fake.rejections == [])
    }

    @Test("keys: a ticket and a note made twice are made once; notes are found across pages of blocks")
    func idempotency() async throws {
        let crm = try crm()
        let contact = try await crm.findOrCreateContact(email: "key@example.com", name: "Key")
        let draft = CRMTicketDraft(subject: "Keyed", description: "d", contactId: contact.id,
                                   properties: ["plugboard_ticket_id": "TKT-9", "category": "refund", "channel": "email"], key: "TKT-9")
        let a = try await crm.createTicket(draft)
        let b = try await crm.createTicket(draft)
        #expect(a.id == b.id)
        #expect(fake.pageCount == 2)
        #expect(a.properties["plugboard_ticket_id"] == "TKT-9")
        #expect(a.properties["category"] == "refund")
        #expect(a.properties["channel"] == "email")
        var ids: [String] = []
        for i in 0..<5 { ids.append(try await crm.addNote(ticketId: a.id, body: "n\(i)", at: "2024-03-0\(i + 1)T10:00:00Z", key: "m\(i)")) }
        #expect(try await crm.addNote(ticketId: a.id, body: "n0", at: "2024-03-01T10:00:00Z", key: "m0") == ids[0])
        #expect(try await crm.notes(ticketId: a.id) == ["n0", "n1", "n2", "n3", "n4"])
        #expect(fake.rejections == [])
    }

    @Test("values follow the column types; properties without a column are skipped with a warning")
    func propertyTypes() async throws {
        let crm = try crm()
        let contact = try await crm.findOrCreateContact(email: "types@example.com", name: nil)
        let t = try await crm.createTicket(CRMTicketDraft(subject: "Types", description: "", contactId: contact.id))
        try await crm.updateTicket(id: t.id, properties: ["Urgent": "true", "Score": "0.75", "Tags": "a; b", "no_such_column": "x",
                                                          "fichiers_urls": "https://f.example/1.pdf"])
        let read = try #require(try await crm.ticket(id: t.id))
        #expect(read.properties["Urgent"] == true)
        #expect(read.properties["Score"] == 0.75)
        #expect(read.properties["Tags"] == ["a", "b"])
        #expect(read.properties["fichiers_urls"] == "https://f.example/1.pdf")
        #expect(read.properties["no_such_column"] == nil)
        #expect(read.status == "Not started")
        #expect(read.url?.hasPrefix("https://www.notion.so/types-") == true)
        let bad = await error { try await crm.updateTicket(id: t.id, properties: ["Score": "beaucoup"]) }
        #expect(bad?.code == .invalidInput)
        let status = await error { try await crm.updateTicket(id: t.id, properties: ["status": "Nope"]) }
        #expect(status?.code == .invalidInput, "Notion refuses a status option that does not exist")
        #expect(fake.rejections.count == 1)
    }

    @Test("a mapping to a missing column is .invalidConfiguration naming it")
    func badMapping() async throws {
        let crm = try crm { $0.properties.contactEmail = "E-mail" }
        let e = await error { _ = try await crm.findOrCreateContact(email: "x@example.com", name: nil) }
        #expect(e?.code == .invalidConfiguration)
        #expect(e?.message.contains("\"E-mail\"") == true)
    }

    @Test("response templates: every row, across query pages")
    func templates() async throws {
        for (c, r) in [("refund", "Remboursement en cours."), ("late_delivery", "Votre colis arrive."), ("SUPPORT", "Merci."),
                       ("MODELISATION", "Projet reçu."), ("unclassified", "Bonjour {name},")] {
            fake.seed(FakeNotion.templatesDatabase, ["Category": c, "Reply": r])
        }
        fake.seed(FakeNotion.templatesDatabase, ["Category": "empty"])
        let templates = try await crm().responseTemplates()
        #expect(templates.count == 5)
        #expect(templates["refund"] == "Remboursement en cours.")
        #expect(templates["unclassified"] == "Bonjour {name},")
        #expect(fake.requests.filter { $0.hasSuffix("/query") }.count == 3, "six rows, two per page")
        #expect(try await crm { $0.templatesDatabase = nil }.responseTemplates() == [:])
    }

    @Test("errors: bad token, 404, 409 conflict_error, 429 and 529 with Retry-After, 5xx, malformed JSON, stall")
    func errors() async throws {
        let wrong = await error { _ = try await crm(token: "ntn_wrong").findOrCreateContact(email: "a@example.com", name: nil) }
        #expect(wrong?.code == .unauthenticated)
        #expect(wrong?.message.contains("NOTION_TOKEN") == true)

        let notion = try crm()
        #expect(try await notion.ticket(id: FakeNotion.newID()) == nil)
        #expect(try await notion.ticket(id: FakeNotion.contactsDatabase) == nil)
        let contact = try await notion.findOrCreateContact(email: "a@example.com", name: nil)
        #expect(try await notion.ticket(id: contact.id) == nil, "a contact page is not a ticket")
        let missing = await error { try await notion.updateTicket(id: FakeNotion.newID(), properties: ["summary": "x"]) }
        #expect(missing?.code == .notFound)

        fake.inject(.response(409, ["Content-Type": "application/json"],
                              #"{"object":"error","status":409,"code":"conflict_error","message":"Conflict occurred while saving. Please try again."}"#))
        let conflict = await error { _ = try await notion.createTicket(CRMTicketDraft(subject: "x", description: "", contactId: contact.id)) }
        #expect(conflict?.code == .conflict)
        #expect(conflict?.isRetryable == true)

        fake.inject(.response(429, ["Retry-After": "4", "Content-Type": "application/json"], NotionCRMTests.notionError))
        let limited = await error { _ = try await notion.findOrCreateContact(email: "b@example.com", name: nil) }
        #expect(limited?.code == .rateLimited)
        #expect(limited?.retryAfter == .seconds(4))
        #expect(limited?.cause?.contains("rate_limited") == true)

        fake.inject(.response(529, ["Retry-After": "2", "Content-Type": "application/json"],
                              #"{"object":"error","status":529,"code":"service_overload","message":"Notion is overloaded."}"#))
        let overloaded = await error { _ = try await notion.findOrCreateContact(email: "b@example.com", name: nil) }
        #expect(overloaded?.code == .unavailable)
        #expect(overloaded?.isRetryable == true)
        #expect(overloaded?.retryAfter == .seconds(2))

        fake.inject(.response(502, [:], "<html>bad gateway</html>"))
        #expect(await error { _ = try await notion.findOrCreateContact(email: "b@example.com", name: nil) }?.code == .unavailable)

        fake.inject(.malformedJSON)
        #expect(await error { _ = try await notion.findOrCreateContact(email: "b@example.com", name: nil) }?.code == .unavailable)

        let slow = try self.crm(timeout: .milliseconds(200))
        fake.inject(.stall(.seconds(120)))
        let started = ContinuousClock.now
        let stalled = await error { _ = try await slow.findOrCreateContact(email: "c@example.com", name: nil) }
        #expect(stalled?.code == .unavailable)
        #expect(ContinuousClock.now - started < .seconds(60), "well before the 120-second stall ends")
    }

    @Test("no error message or log line holds the token")
    func tokenNeverShown() async throws {
        let label = "notion-secret-test-\(UInt32.random(in: 0...UInt32.max))"
        let (errors, logged) = try await LogCapture.run(label: label) {
            var errors: [String] = []
            let crm = try crm(logger: Logger(label: label))
            let echo = #"{"object":"error","status":400,"code":"validation_error","message":"token \#(fake.token) is not valid here"}"#
            for status in [400, 401, 403, 404, 409, 429, 500, 529] {
                fake.inject(.response(status, ["Content-Type": "application/json"], echo))
                do { _ = try await crm.findOrCreateContact(email: "x@example.com", name: nil) } catch { errors.append("\(error)") }
            }
            _ = try await crm.createTicket(CRMTicketDraft(subject: "s", description: "", contactId: FakeNotion.newID(), properties: ["nope": "x"]))
            return errors
        }
        #expect(errors.count == 8)
        #expect(logged.contains { $0.contains("nope") }, "the skipped property was logged")
        for text in errors + logged { #expect(!text.contains(fake.token), "leaked: \(text)") }
    }

    @Test("configuration: ids with or without dashes, the properties mapping, NOTION_TOKEN, redaction")
    func configuration() throws {
        let loader = ConfigLoader(registry: Registry([NotionCRM.registryEntry]), environment: ["NOTION_TOKEN": "ntn_env_secret"])
        let s = try loader.settings(port: .crm, section: [
            "adapter": "notion", "contacts_database": "1a2b3c4d00004000800000000000c0c0", "tickets_database": .string(FakeNotion.ticketsDatabase),
            "properties": ["contacts": ["email": "Courriel"], "tickets": ["title": "Sujet", "category": "Catégorie", "updated_at": "Mis à jour"],
                           "templates": ["reply": "Réponse"]],
            "closed_statuses": ["Done", "Archivé"],
        ])
        let c = try NotionCRM.configuration(from: s)
        #expect(c.token == "ntn_env_secret")
        #expect(c.contactsDatabase == FakeNotion.contactsDatabase)
        #expect(c.properties.contactEmail == "Courriel" && c.properties.contactName == "Name")
        #expect(c.properties.ticketTitle == "Sujet" && c.properties.ticketFields == ["category": "Catégorie"])
        #expect(c.properties.ticketUpdatedAt == "Mis à jour" && c.properties.templateReply == "Réponse")
        #expect(c.closedStatuses == ["Done", "Archivé"])
        #expect(!s.redacted.serialized().contains("ntn_env_secret"))
        let bad = try loader.settings(port: .crm, section: [
            "adapter": "notion", "contacts_database": "nope", "tickets_database": .string(FakeNotion.ticketsDatabase),
        ])
        #expect(throws: PlugboardError.self) { try NotionCRM.configuration(from: bad) }
        let unknown = try loader.settings(port: .crm, section: [
            "adapter": "notion", "contacts_database": .string(FakeNotion.contactsDatabase), "tickets_database": .string(FakeNotion.ticketsDatabase),
            "properties": ["deals": [:]],
        ])
        #expect(throws: PlugboardError.self) { try NotionCRM.configuration(from: unknown) }
    }
}
