import CRMHubSpot
import CRMNotion
import Foundation
@testable import PlugboardCLI
import PlugboardKernel
@testable import TasksClickUp
import Testing
@testable import VendorFakes

/// The vendor adapters configured as a new user would (adapters.json, tokens in
/// .env), built by the CLI's registry and run by the workflow; only their HTTP
/// transport is swapped for the in-memory vendors.
@Suite("vendor adapters from adapters.json", .serialized)
struct VendorAdapterTests {
    let hubspot = FakeHubSpot(token: "pat-na1-e2e-" + UUID().uuidString.lowercased())
    let clickup = FakeClickUp(token: "pk_e2e_" + String(UInt64.random(in: 0..<UInt64.max), radix: 36))
    let notion = FakeNotion()

    /// The CLI harness with hubspot, clickup and notion building over the fakes.
    func harness() throws -> CLIHarness {
        var h = try CLIHarness()
        let (hub, cu, no) = (hubspot, clickup, notion)
        h.registry.register(Registry.Entry(HubSpotCRM.descriptor, .crm { s, _ in
            try HubSpotCRM(HubSpotCRM.configuration(from: s), transport: FakeHTTPTransport { try await hub.handle($0) })
        }))
        h.registry.register(Registry.Entry(ClickUpTaskTracker.descriptor, .tasks { s, _ in
            try ClickUpTaskTracker(ClickUpTaskTracker.configuration(from: s), transport: FakeHTTPTransport { try await cu.handle($0) })
        }))
        h.registry.register(Registry.Entry(NotionCRM.descriptor, .crm { s, _ in
            try NotionCRM(NotionCRM.configuration(from: s), transport: FakeHTTPTransport { try await no.handle($0) })
        }))
        return h
    }

    var dotEnv: String { "HUBSPOT_TOKEN=\(hubspot.token)\nCLICKUP_TOKEN=\(clickup.token)\nNOTION_TOKEN=\(notion.token)\n" }

    static let modelling = ["intake", "--email", "Alice.Martin@Example.com", "--name", "Alice Martin", "--subject", "Modélisation trésorerie",
                            "--description", "Bonjour, pouvez-vous vérifier la modélisation de mon plan de financement et les prévisions de trésorerie ?",
                            "--json"]

    @Test("hubspot + clickup: a request becomes a contact, a ticket with its properties, a task; a follow-up a note")
    func hubspotAndClickUp() async throws {
        let h = try harness()
        defer { h.cleanup() }
        try h.write(".env", dotEnv)
        try h.write("adapters.json", """
        {
          "storage": {"adapter": "memory"},
          "crm": {"adapter": "hubspot", "base_url": "https://api.hubapi.test", "portal_id": "4711"},
          "tasks": {"adapter": "clickup", "list_id": "901", "base_url": "https://api.clickup.test/api"},
          "objects": {"adapter": "filesystem", "root": "objects"},
          "notify": {"adapter": "log"}
        }
        """)
        let check = await h.run(["config", "check"], env: [:])
        #expect(check.code == 0, "\(check.err)")
        let first = await h.run(VendorAdapterTests.modelling, env: [:])
        #expect(first.code == 0, "\(first.err)")
        let result = try JSONParser.parse(first.out)
        let ticketId = try #require(result["ticket_id"]?.stringValue)
        #expect(result["category"] == "MODELISATION")
        #expect(result["ticket_url"]?.stringValue?.hasPrefix("https://app.hubspot.com/contacts/4711/ticket/") == true)
        #expect(hubspot.contactCount == 1)
        #expect(hubspot.ticketCount == 1)
        let props = try #require(hubspot.state.withLock { $0.tickets.values.first?.properties })
        #expect(props["plugboard_ticket_id"] == ticketId)
        #expect(props["subject"] == "Modélisation trésorerie")
        #expect(props["category"] == "MODELISATION")
        #expect(props["hs_pipeline"] == "0" && props["hs_pipeline_stage"] == "1")
        #expect(clickup.taskCount == 1)
        let task = try #require(clickup.state.withLock { $0.tasks.values.first })
        #expect(task.name == "[\(ticketId)] Modélisation trésorerie")
        #expect(task.tags == [ClickUpTaskTracker.keyTag(ticketId)])
        #expect(result["task_id"]?.stringValue == task.id)

        let followUp = await h.run(["intake", "--email", "alice.martin@example.com", "--subject", "Re: Modélisation trésorerie",
                                    "--description", "J'ajoute les chiffres du budget 2025.", "--json"], env: [:])
        #expect(followUp.code == 0, "\(followUp.err)")
        #expect(try JSONParser.parse(followUp.out)["ticket_id"]?.stringValue == ticketId)
        #expect(hubspot.ticketCount == 1)
        #expect(hubspot.noteCount == 1)
        #expect(hubspot.rejections == [] && clickup.rejections == [])

        let shown = await h.run(["config", "show"], env: [:])
        #expect(shown.code == 0)
        #expect(!shown.out.contains(hubspot.token) && !shown.out.contains(clickup.token))
        #expect(shown.out.contains("\"token\": \"***\""))
    }

    @Test("notion: tickets in the tickets database, the reply drafted from the templates database")
    func notionWithTemplates() async throws {
        let h = try harness()
        defer { h.cleanup() }
        notion.seed(FakeNotion.templatesDatabase, ["Category": "MODELISATION", "Reply": "Bonjour {name}, notre équipe modélisation regarde « {subject} »."])
        try h.write(".env", dotEnv)
        try h.write("adapters.json", """
        {
          "storage": {"adapter": "memory"},
          "crm": {"adapter": "notion", "base_url": "https://api.notion.test",
                  "contacts_database": "\(FakeNotion.contactsDatabase)", "tickets_database": "\(FakeNotion.ticketsDatabase)",
                  "templates_database": "\(FakeNotion.templatesDatabase)",
                  "properties": {"tickets": {"category": "Catégorie", "summary": "Résumé", "updated_at": "Mis à jour"}}},
          "tasks": {"adapter": "none"},
          "objects": {"adapter": "filesystem", "root": "objects"},
          "notify": {"adapter": "log"}
        }
        """)
        let r = await h.run(VendorAdapterTests.modelling, env: [:])
        #expect(r.code == 0, "\(r.err)")
        let result = try JSONParser.parse(r.out)
        #expect(result["reply_draft"]?.stringValue == "Bonjour Alice, notre équipe modélisation regarde « Modélisation trésorerie ».")
        #expect(result["ticket_url"]?.stringValue?.hasPrefix("https://www.notion.so/") == true)
        let ticket = try #require(notion.state.withLock { s in s.pages.values.first { $0.database == FakeNotion.ticketsDatabase } })
        #expect(FakeNotion.text(ticket.properties["Plugboard ID"], "rich_text") == result["ticket_id"]?.stringValue)
        #expect(FakeNotion.text(ticket.properties["Catégorie"], "select") == "MODELISATION")
        #expect(notion.rejections == [])
        let shown = await h.run(["config", "show"], env: [:])
        #expect(!shown.out.contains(notion.token))
    }

    @Test("the README's HubSpot + ClickUp + SMTP and Notion configurations validate, and show no secret")
    func readmeConfigurations() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "## CRM, tasks and notifications"))
        let end = try #require(readme.range(of: "\n## ", options: [], range: start.upperBound..<readme.endIndex))
        let blocks = readme[start.upperBound..<end.lowerBound].components(separatedBy: "```json\n").dropFirst()
            .compactMap { $0.components(separatedBy: "```").first }
        #expect(blocks.count == 2)
        let h = try harness()
        defer { h.cleanup() }
        let secrets = ["pat-eu1-readme-secret", "pk_readme_secret", "smtp-readme-secret", "ntn_readme_secret"]
        try h.write(".env", "HUBSPOT_TOKEN=\(secrets[0])\nCLICKUP_TOKEN=\(secrets[1])\nSMTP_PASSWORD=\(secrets[2])\nNOTION_TOKEN=\(secrets[3])\n")
        for (i, block) in blocks.enumerated() {
            try h.write("readme\(i).json", block)
            let check = await h.run(["config", "check", "--config", h.path("readme\(i).json")], config: false, env: [:])
            #expect(check.code == 0, "README block \(i): \(check.err)")
            let shown = await h.run(["config", "show", "--config", h.path("readme\(i).json")], config: false, env: [:])
            #expect(shown.code == 0)
            for secret in secrets { #expect(!shown.out.contains(secret)) }
        }
    }
}
