import Foundation
@testable import CRMHubSpot
import PlugboardKernel
@testable import VendorFakes
import Testing

/// Behaviour beyond the port's conformance suite: error mapping, idempotency
/// keys, properties created on demand, paging, timeouts, configuration.
@Suite("hubspot crm", .serialized)
struct HubSpotCRMTests {
    let fake = FakeHubSpot()

    func crm(token: String? = nil, timeout: Duration = .seconds(5), createProperties: Bool = true) throws -> HubSpotCRM {
        var c = HubSpotHarness.configuration(fake, timeout: timeout)
        if let token { c.token = token }
        c.createProperties = createProperties
        let fake = self.fake
        return try HubSpotCRM(c, transport: FakeHTTPTransport { try await fake.handle($0) })
    }

    func error(_ body: () async throws -> Void) async -> PlugboardError? {
        do { try await body() } catch let e as PlugboardError { return e } catch { Issue.record("not a PlugboardError: \(error)") }
        return nil
    }

    static let rateLimitBody = #"{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","correlationId":"c0ffee","policyName":"TEN_SECONDLY_ROLLING"}"#

    // MARK: - Errors

    @Test("a rejected token is .unauthenticated and the message never holds it")
    func unauthenticated() async throws {
        let wrong = "pat-na1-wrong-token-1234"
        let e = await error { _ = try await crm(token: wrong).findOrCreateContact(email: "a@example.com", name: nil) }
        #expect(e?.code == .unauthenticated)
        #expect(e?.isRetryable == false)
        #expect(e?.message.contains("HUBSPOT_TOKEN") == true)
        #expect(e.map { !"\($0)".contains(wrong) && !"\($0)".contains(fake.token) } == true)
    }

    @Test("403 is .permissionDenied, 404 on update is .notFound, 409 on a foreign unique value is .conflict")
    func statusCodes() async throws {
        let crm = try crm()
        fake.inject(.response(403, ["Content-Type": "application/json"],
                              #"{"status":"error","message":"This app hasn't been granted all required scopes to make this call.","correlationId":"x","category":"MISSING_SCOPES"}"#))
        let denied = await error { _ = try await crm.findOrCreateContact(email: "a@example.com", name: nil) }
        #expect(denied?.code == .permissionDenied)
        #expect(denied?.message.contains("scope") == true)
        #expect(denied?.cause?.contains("MISSING_SCOPES") == true)
        let missing = await error { try await crm.updateTicket(id: "987654", properties: ["subject": "x"]) }
        #expect(missing?.code == .notFound)
        let contact = try await crm.findOrCreateContact(email: "b@example.com", name: nil)
        _ = try await crm.createTicket(CRMTicketDraft(subject: "one", description: "", contactId: contact.id, key: "K-1"))
        let other = try await crm.createTicket(CRMTicketDraft(subject: "two", description: "", contactId: contact.id, key: "K-2"))
        let conflict = await error { try await crm.updateTicket(id: other.id, properties: ["plugboard_ticket_id": "K-1"]) }
        #expect(conflict?.code == .conflict)
    }

    @Test("429 with Retry-After is .rateLimited with that delay; without it, the next 10-second window; DAILY is final")
    func rateLimited() async throws {
        let crm = try crm()
        fake.inject(.response(429, ["Retry-After": "7", "Content-Type": "application/json"], HubSpotCRMTests.rateLimitBody))
        let e = await error { _ = try await crm.findOrCreateContact(email: "a@example.com", name: nil) }
        #expect(e?.code == .rateLimited)
        #expect(e?.isRetryable == true)
        #expect(e?.retryAfter == .seconds(7))
        fake.inject(.response(429, ["Content-Type": "application/json"], HubSpotCRMTests.rateLimitBody))
        let windowed = await error { _ = try await crm.findOrCreateContact(email: "a@example.com", name: nil) }
        #expect(windowed?.retryAfter == .seconds(10))
        let daily = HubSpotCRMTests.rateLimitBody.replacingOccurrences(of: "TEN_SECONDLY_ROLLING", with: "DAILY")
        fake.inject(.response(429, ["Content-Type": "application/json"], daily))
        let final = await error { _ = try await crm.findOrCreateContact(email: "a@example.com", name: nil) }
        #expect(final?.code == .rateLimited)
        #expect(final?.isRetryable == false)
    }

    @Test("5xx is .unavailable and retryable; the adapter itself sends the request once")
    func serverError() async throws {
        let crm = try crm()
        _ = try await crm.findOrCreateContact(email: "warm@example.com", name: nil)
        let before = fake.state.withLock { $0.requestCount }
        fake.inject(.response(502, ["Content-Type": "text/html"], "<html>Bad Gateway</html>"))
        let e = await error { _ = try await crm.findOrCreateContact(email: "a@example.com", name: nil) }
        #expect(e?.code == .unavailable)
        #expect(e?.isRetryable == true)
        #expect(fake.state.withLock { $0.requestCount } == before + 1, "no retry inside the adapter")
    }

    @Test("a 200 that is not JSON is .unavailable")
    func malformed() async throws {
        let crm = try crm()
        fake.inject(.malformedJSON, path: "/crm/v3/objects/contacts/")
        let e = await error { _ = try await crm.findOrCreateContact(email: "a@example.com", name: nil) }
        #expect(e?.code == .unavailable)
        #expect(e?.message.contains("not JSON") == true)
    }

    @Test("a stalled response ends in .unavailable at the adapter's timeout")
    func stalled() async throws {
        let crm = try crm(timeout: .milliseconds(200))
        fake.inject(.stall(.seconds(120)))
        let started = ContinuousClock.now
        let e = await error { _ = try await crm.findOrCreateContact(email: "a@example.com", name: nil) }
        #expect(e?.code == .unavailable)
        #expect(e?.isRetryable == true)
        #expect(ContinuousClock.now - started < .seconds(60), "well before the 120-second stall ends")
    }

    // MARK: - Idempotency and properties

    @Test("a ticket created twice with one key is one ticket; the key property is created unique")
    func ticketKey() async throws {
        let crm = try crm()
        let contact = try await crm.findOrCreateContact(email: "key@example.com", name: "Key Person")
        let draft = CRMTicketDraft(subject: "Colis", description: "Où est-il ?", contactId: contact.id, key: "T-20240301-0001")
        let a = try await crm.createTicket(draft)
        let b = try await crm.createTicket(draft)
        #expect(a.id == b.id)
        #expect(fake.ticketCount == 1)
        #expect(fake.ticketProperty("plugboard_ticket_id")?.unique == true)
        // Concurrent retries of another key still give one ticket.
        let again = CRMTicketDraft(subject: "Autre", description: "", contactId: contact.id, key: "T-20240301-0002")
        let ids = try await withThrowingTaskGroup(of: String.self) { g in
            for _ in 0..<6 { g.addTask { try await crm.createTicket(again).id } }
            return try await g.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(ids.count == 1)
        #expect(fake.ticketCount == 2)
        #expect(fake.rejections == [])
    }

    @Test("the create lost on the way back: the retried create finds the ticket the first one made")
    func lostResponse() async throws {
        let crm = try crm()
        let contact = try await crm.findOrCreateContact(email: "lost@example.com", name: nil)
        let draft = CRMTicketDraft(subject: "Lost", description: "", contactId: contact.id, key: "T-lost")
        let first = try await crm.createTicket(draft)
        // The search of the retry misses (a 404 from a stale read), so the create hits the unique key: 409 → read again.
        fake.inject(.response(404, ["Content-Type": "application/json"], #"{"status":"error","message":"Object not found.","category":"OBJECT_NOT_FOUND"}"#),
                    path: "/crm/v3/objects/tickets/T-lost")
        let retried = try await crm.createTicket(draft)
        #expect(retried.id == first.id)
        #expect(fake.ticketCount == 1)
    }

    @Test("missing custom properties are created before they are written, and read back")
    func customProperties() async throws {
        let crm = try crm()
        let contact = try await crm.findOrCreateContact(email: "props@example.com", name: nil)
        let t = try await crm.createTicket(CRMTicketDraft(subject: "Fichiers", description: "", contactId: contact.id,
                                                          properties: ["fichiers_urls": "https://files.example/a.pdf\nhttps://files.example/b.png",
                                                                       "category": "refund", "urgent": true, "score": 0.75]))
        try await crm.updateTicket(id: t.id, properties: ["clickup_subtask_id": "9hx"])
        #expect(fake.ticketProperty("fichiers_urls")?.hubspotDefined == false)
        #expect(fake.ticketProperty("clickup_subtask_id") != nil)
        let read = try #require(try await crm.ticket(id: t.id))
        #expect(read.properties["fichiers_urls"] == "https://files.example/a.pdf\nhttps://files.example/b.png")
        #expect(read.properties["clickup_subtask_id"] == "9hx")
        #expect(read.properties["urgent"] == "true")
        #expect(read.properties["score"] == "0.75")
        #expect(read.status == "1")
        #expect(read.url == "https://app.hubspot.com/contacts/4711/ticket/\(t.id)")
        let bad = await error { try await crm.updateTicket(id: t.id, properties: ["Not A Name": "x"]) }
        #expect(bad?.code == .invalidInput)
        #expect(fake.rejections == [])
    }

    @Test("with create_properties off, an unknown property is HubSpot's validation error")
    func noPropertyCreation() async throws {
        let crm = try crm(createProperties: false)
        let contact = try await crm.findOrCreateContact(email: "strict@example.com", name: nil)
        let e = await error {
            _ = try await crm.createTicket(CRMTicketDraft(subject: "x", description: "", contactId: contact.id, properties: ["nope": "1"]))
        }
        #expect(e?.code == .invalidInput)
        #expect(e?.message.contains("PROPERTY_DOESNT_EXIST") == true)
        #expect(fake.ticketProperty("nope") == nil)
    }

    @Test("notes: paged association lists, one note per key, HTML-safe bodies")
    func notesPaging() async throws {
        let crm = try crm()
        let contact = try await crm.findOrCreateContact(email: "notes@example.com", name: nil)
        let t = try await crm.createTicket(CRMTicketDraft(subject: "Notes", description: "", contactId: contact.id))
        var ids: [String] = []
        for i in 0..<5 {
            ids.append(try await crm.addNote(ticketId: t.id, body: "note \(i) <b>not bold</b> & co", at: "2024-03-01T10:0\(i):00+01:00",
                                             key: "<msg-\(i)@mail.example>"))
        }
        // The fake lists two associations per page: the retry of the first note has to page to find it.
        #expect(try await crm.addNote(ticketId: t.id, body: "note 0 <b>not bold</b> & co", at: "2024-03-01T10:00:00Z", key: "<msg-0@mail.example>") == ids[0])
        #expect(fake.noteCount == 5)
        #expect(try await crm.notes(ticketId: t.id) == (0..<5).map { "note \($0) <b>not bold</b> & co" })
        let stored = fake.state.withLock { $0.notes[ids[0]]?.properties["hs_note_body"] }
        #expect(stored?.contains("<b>") == false, "the body is escaped for HubSpot's HTML field")
        #expect(stored?.contains("msg-0") == false, "the key is kept as a hash")
    }

    @Test("a contact created by someone else between our read and our create resolves to that contact")
    func contactConflict() async throws {
        let crm = try crm()
        let first = try await crm.findOrCreateContact(email: "race@example.com", name: "Race Winner")
        // Our read misses it (a stale replica), the create gets 409 "Contact already exists. Existing ID: …".
        fake.inject(.response(404, ["Content-Type": "application/json"], #"{"status":"error","message":"Object not found.","category":"OBJECT_NOT_FOUND"}"#),
                    path: "/crm/v3/objects/contacts/race")
        fake.inject(.response(404, ["Content-Type": "application/json"], #"{"status":"error","message":"Object not found.","category":"OBJECT_NOT_FOUND"}"#),
                    path: "/crm/v3/objects/contacts/race")
        let second = try await crm.findOrCreateContact(email: "RACE@example.com", name: nil)
        #expect(second.id == first.id)
        #expect(!second.created)
        #expect(fake.contactCount == 1)
    }

    // MARK: - Configuration and secrets

    @Test("configuration from adapters.json: the token falls back to HUBSPOT_TOKEN and is redacted")
    func configuration() throws {
        let loader = ConfigLoader(registry: Registry([HubSpotCRM.registryEntry]), environment: ["HUBSPOT_TOKEN": "pat-from-env"])
        let s = try loader.settings(port: .crm, section: ["adapter": "hubspot", "portal_id": "42", "closed_stages": ["4", "5"]])
        let c = try HubSpotCRM.configuration(from: s)
        #expect(c.token == "pat-from-env")
        #expect(c.closedStages == ["4", "5"])
        #expect(c.pipeline == "0" && c.stage == "1" && c.timeout == .seconds(30))
        #expect(!s.redacted.serialized().contains("pat-from-env"))
        let none = ConfigLoader(registry: Registry([HubSpotCRM.registryEntry]), environment: [:])
        #expect(throws: PlugboardError.self) {
            try HubSpotCRM.configuration(from: try none.settings(port: .crm, section: ["adapter": "hubspot"]))
        }
    }
}
