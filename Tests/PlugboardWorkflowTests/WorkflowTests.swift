import Foundation
import PlugboardKernel
@testable import PlugboardWorkflow
import Testing

@Suite("workflow: intake and threading")
struct WorkflowTests {
    @Test func newRequestCreatesATicketWithEverything() async throws {
        let h = try WorkflowHarness()
        defer { h.cleanup() }
        let file = h.dir.appendingPathComponent("facture.pdf")
        try Data("%PDF-1.4 facture".utf8).write(to: file)
        let r = try await h.workflow().submit(request("Ana@Example.com", "Export en panne", "L'export échoue, urgent",
                                                      messageId: "<a1@x>", files: [.init(name: "facture.pdf", path: file.path)]))
        #expect(r.status == .created)
        #expect(r.isNewTicket)
        #expect(r.filesUploaded == 1)
        #expect(r.urgency == "high")
        let t = try #require(try await h.tickets().first)
        #expect(t.id == r.ticketId)
        #expect(t.status == "en cours")
        #expect(t.messages.map(\.content) == ["L'export échoue, urgent"])
        #expect(t.body["customer"]?["email"] == "ana@example.com")
        #expect(t.analytics["urgency"] == "high")
        #expect(t.body["draft_reply"]?.stringValue?.contains("Test") == true)
        let key = try #require(t.body["fichiers_urls"]?.arrayValue?.first?.stringValue)
        #expect(try await h.objects.get(key: key) == Data("%PDF-1.4 facture".utf8))
        #expect(try h.notificationCounts().count == 1)
        #expect(try await h.all(.contacts).count == 1, "one contact record, shared with the local CRM")
    }

    @Test func followUpsThreadOntoTheOpenTicketWithinTheWindow() async throws {
        let h = try WorkflowHarness()
        defer { h.cleanup() }
        let wf = h.workflow()
        let a = try await wf.submit(request("bob@example.com", "Question", "Bonjour", at: "2024-05-01T10:00:00Z"))
        let b = try await wf.submit(request("bob@example.com", "Encore", "Toujours rien", at: "2024-05-10T10:00:00Z"))
        #expect(b.status == .appended, "\(b.message)")
        #expect(b.ticketId == a.ticketId)
        // Outside the 14-day window of the last update: a new ticket.
        let c = try await wf.submit(request("bob@example.com", "Autre sujet", "Nouveau problème", at: "2024-06-01T10:00:00Z"))
        #expect(c.status == .created)
        #expect(c.ticketId != a.ticketId)
        // A closed ticket never receives new messages.
        try await TicketBook(store: h.store).close(c.ticketId!, at: "2024-06-01T11:00:00Z")
        let d = try await wf.submit(request("bob@example.com", "Re", "Merci", at: "2024-06-01T12:00:00Z"))
        #expect(d.status == .created)
        let tickets = try await h.tickets()
        #expect(tickets.count == 3)
        #expect(tickets.first { $0.id == a.ticketId }?.messages.count == 2)
    }

    @Test func aReplyJoinsItsTicketEvenOutsideTheWindow() async throws {
        let h = try WorkflowHarness()
        defer { h.cleanup() }
        let wf = h.workflow()
        let a = try await wf.submit(request("carol@example.com", "Commande", "Où est ma commande ?", messageId: "<c1@x>", at: "2024-01-01T00:00:00Z"))
        let b = try await wf.submit(request("carol@example.com", "Re: Commande", "Toujours rien", messageId: "<c2@x>",
                                            inReplyTo: "<c1@x>", at: "2024-03-01T00:00:00Z"))
        #expect(b.status == .appended)
        #expect(b.ticketId == a.ticketId)
    }

    @Test func resubmittingARequestChangesNothing() async throws {
        let h = try WorkflowHarness()
        defer { h.cleanup() }
        let wf = h.workflow()
        let r = request("dan@example.com", "Bug", "Ça plante", messageId: "<d1@x>")
        let first = try await wf.submit(r)
        let second = try await wf.submit(r)
        #expect(first.ticketId == second.ticketId)
        #expect(second.status == .created, "the first run's result, not a second run: \(second.message)")
        #expect(try await h.tickets().first?.messages.count == 1)
        #expect(try h.notificationCounts().values.reduce(0, +) == 1)
    }

    @Test func modelisationRequestsGetATask() async throws {
        let h = try WorkflowHarness()
        defer { h.cleanup() }
        let r = try await h.workflow().submit(request("eve@example.com", "Modélisation", "Please model the pricing scenario"))
        let task = try #require(r.taskId)
        #expect(try await h.store.get(.tickets, id: r.ticketId!)?.body["task_id"] == .string(task))
        #expect(try await h.all(CollectionSpec(name: "tasks", keyField: "task_id")).count == 1)
    }

    @Test func invalidRequestsNameEveryField() {
        guard case .failure(let f) = IntakeRequest.parse(["subject": "", "user_email": "not-an-email", "fichiers": [["name": "x"]]]) else {
            Issue.record("accepted an invalid request")
            return
        }
        let fields = Set(f.errors.map(\.field))
        #expect(fields == ["subject", "description", "user_email", "fichiers[0]"], "\(f)")
        #expect(f.description.contains("\"not-an-email\" is not an e-mail address"))
    }

    @Test func frenchWebhookNamesAreAccepted() throws {
        guard case .success(let r) = IntakeRequest.parse(["objet": "Colis", "description": "Rien reçu", "user_email": "f@x.fr",
                                                          "fichiers": [["name": "a.png", "url": "https://files.example.fr/a.png"]],
                                                          "utm_source": "newsletter"]) else {
            Issue.record("rejected a valid request")
            return
        }
        #expect(r.subject == "Colis")
        #expect(r.attachments == [.init(name: "a.png", url: "https://files.example.fr/a.png")])
        #expect(r.extra["utm_source"] == "newsletter", "unknown fields are kept for the ticket")
    }
}
