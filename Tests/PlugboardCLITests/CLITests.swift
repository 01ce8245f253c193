import Foundation
@testable import PlugboardCLI
import PlugboardKernel
import PlugboardWorkflow
import Testing

@Suite("plugboard CLI")
struct CLITests {
    @Test func everyCommandHasHelp() async throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        for c in PlugboardCLI.commands {
            let r = await h.run(c.words + ["--help"], config: false)
            #expect(r.code == 0, "\(c.words)")
            #expect(r.out.hasPrefix("Usage: plugboard \(c.words.joined(separator: " "))"), "\(c.words): \(r.out)")
            #expect(r.out.contains("--config PATH"), "\(c.words)")
        }
        let top = await h.run(["--help"], config: false)
        #expect(top.code == 0)
        for c in PlugboardCLI.commands { #expect(top.out.contains(c.words.joined(separator: " "))) }
    }

    @Test func usageErrorsExitTwo() async throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        let unknown = await h.run(["frobnicate"], config: false)
        #expect(unknown.code == 2)
        #expect(unknown.err.contains("unknown command 'frobnicate'"))
        let badOption = await h.run(["tickets", "list", "--stauts", "x"])
        #expect(badOption.code == 2)
        #expect(badOption.err.contains("unknown option --stauts; did you mean --status?"))
        let missing = await h.run(["tickets", "show"])
        #expect(missing.code == 2)
        #expect(missing.err.contains("missing ticket ID"))
        let badDate = await h.run(["tickets", "list", "--from", "last tuesday"])
        #expect(badDate.code == 1)
        #expect(badDate.err.contains("--from: expected an ISO 8601 date"))
    }

    @Test func initWritesConfigAndSchemaAndRefusesToOverwrite() async throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        let target = h.path("fresh")
        let r = await h.run(["init", target], config: false)
        #expect(r.code == 0, "\(r.err)")
        let config = try String(contentsOfFile: target + "/adapters.json", encoding: .utf8)
        #expect(config.contains("\"$schema\": \"./adapters.schema.json\""))
        let schema = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: target + "/adapters.schema.json"))))
        #expect(schema["title"] == "Plugboard adapters.json")
        let again = await h.run(["init", target], config: false)
        #expect(again.code == 2)
        #expect(again.err.contains("already exists; use --force"))
        let forced = await h.run(["init", target, "--force"], config: false)
        #expect(forced.code == 0)
        let check = await h.run(["config", "check", "--config", target + "/adapters.json"], config: false)
        #expect(check.code == 0, "\(check.err)")
        #expect(check.out.contains("OK"))
    }

    @Test func configCheckReportsEveryProblemWithPaths() async throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.write("broken.json", "{\n  \"storage\": {\"adapter\": \"nosuch\"},\n  \"server\": {\"port\": \"eighty\"}\n}")
        let r = await h.run(["config", "check", "--config", h.path("broken.json")], config: false)
        #expect(r.code == 2)
        #expect(r.err.contains("broken.json: storage.adapter: unknown storage adapter \"nosuch\"; known: "))
        #expect(r.err.contains("broken.json: server.port: expected integer, got \"eighty\" (line 3, column 22)"))
        try h.write("syntax.json", "{\"storage\": {\"adapter\": \"memory\"}")
        let s = await h.run(["config", "check", "--config", h.path("syntax.json")], config: false)
        #expect(s.code == 2)
        #expect(s.err.contains("syntax.json:1:34: invalid JSON"))
    }

    @Test func configShowRedactsSecrets() async throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.write("adapters.json", #"{"storage": {"adapter": "memory"}, "server": {"admin_token": "${TOKEN}"}}"#)
        let r = await h.run(["config", "show"], env: ["TOKEN": "tok-secret-123"])
        #expect(r.code == 0)
        #expect(!r.out.contains("tok-secret-123"))
        #expect(r.out.contains("\"admin_token\": \"***\""))
    }

    @Test func ticketsListFiltersAndOrders() async throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try await h.seed(sampleTickets)
        let all = await h.run(["tickets", "list"])
        #expect(all.code == 0, "\(all.err)")
        #expect(all.out.contains("3 tickets"))
        let ids = all.out.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(Array(ids.prefix(3)) == ["T1", "T2", "T3"])
        let open = await h.run(["tickets", "list", "--status", "en cours", "--json"])
        let openIds = try JSONParser.parse(open.out).arrayValue?.compactMap { $0["ticket_id"]?.stringValue }
        #expect(openIds == ["T1", "T3"])
        let chatRange = await h.run(["tickets", "list", "--channel", "chat", "--from", "2024-03-02", "--to", "2024-03-02", "--json"])
        #expect(try JSONParser.parse(chatRange.out).arrayValue?.compactMap { $0["ticket_id"]?.stringValue } == ["T2"])
        let shown = await h.run(["tickets", "show", "T1", "--json"])
        #expect(try JSONParser.parse(shown.out) == sampleTickets[0], "every field, unknown ones included")
        let missing = await h.run(["tickets", "show", "NOPE"])
        #expect(missing.code == 1)
        #expect(missing.err.contains("no ticket NOPE"))
    }

    @Test func closeAndReopen() async throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try await h.seed(sampleTickets)
        let closed = await h.run(["tickets", "close", "T1", "--at", "2024-03-01T12:30:00+01:00"])
        #expect(closed.code == 0, "\(closed.err)")
        var t = try #require(try await h.store.get(.tickets, id: "T1")).body
        #expect(t["status"] == "fermé")
        #expect(t["closed_at"] == "2024-03-01T11:30:00Z")
        #expect(t["resolution_duration"] == 9000)
        #expect(t["custom"] == ["kept": true], "unknown fields survive a close")
        let twice = await h.run(["tickets", "close", "T1"])
        #expect(twice.code == 1)
        #expect(twice.err.contains("already closed"))
        let early = await h.run(["tickets", "close", "T3", "--at", "2024-01-01T00:00:00Z"])
        #expect(early.code == 1)
        #expect(early.err.contains("before its created_at"))
        let reopened = await h.run(["tickets", "reopen", "T1"])
        #expect(reopened.code == 0)
        t = try #require(try await h.store.get(.tickets, id: "T1")).body
        #expect(t["status"] == "en cours")
        #expect(t["closed_at"] == .null)
        #expect(t["resolution_duration"] == .null)
        let notClosed = await h.run(["tickets", "reopen", "T3"])
        #expect(notClosed.code == 1)
    }

    @Test func exportCSVHasTheColumnsAndTheTimes() async throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try await h.seed(sampleTickets)
        let r = await h.run(["export", "csv"])
        #expect(r.code == 0, "\(r.err)")
        let lines = r.out.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines[0] == "ticket_id,created_at,closed_at,status,channel,sentiment,category,urgency,summary,messages_count,resolution_duration_seconds,resolution_duration_hours,first_response_time_seconds,avg_response_time_seconds")
        // T1: first response 09:00 → 09:30 = 1800 s; second wait 10:00 → 11:00 = 3600 s; mean 2700.
        #expect(lines[1] == "T1,2024-03-01T09:00:00Z,,en cours,email,négatif,late_delivery,high,\"Colis en retard, \"\"urgent\"\"\",5,,,1800,2700")
        #expect(lines[2] == "T2,2024-03-02T09:00:00Z,2024-03-02T12:00:00Z,fermé,chat,positif,refund,low,Remboursement,1,10800,3,,")
        #expect(lines.count == 4)
        let out = h.path("out/tickets.csv")
        let f = await h.run(["export", "csv", "--status", "fermé", "--out", out])
        #expect(f.code == 0)
        let file = try String(contentsOfFile: out, encoding: .utf8)
        #expect(file.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 2)
    }
}
