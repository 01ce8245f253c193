import Foundation
@testable import PlugboardCLI
import PlugboardKernel
import Testing

/// `plugboard intake` and `plugboard stats` with each llm adapter, over real HTTP to
/// a local fake of its vendor: switching is an edit of the `llm` section, nothing else.
@Suite("plugboard CLI: each llm adapter against its fake")
struct LLMCLITests {
    static let prices = """
    {"fake-gpt": {"input_per_mtok": 2.0, "output_per_mtok": 8.0},
     "fake-claude": {"input_per_mtok": 3.0, "output_per_mtok": 15.0},
     "fake-gemini": {"input_per_mtok": 0.3, "output_per_mtok": 2.5}}
    """

    static func section(_ adapter: String, _ base: String) -> String {
        switch adapter {
        case "openai": return #"{"adapter": "openai", "base_url": "\#(base)/v1", "model": "fake-gpt"}"#
        case "anthropic": return #"{"adapter": "anthropic", "base_url": "\#(base)", "api_key": "sk-ant-fake", "model": "fake-claude"}"#
        case "gemini": return #"{"adapter": "gemini", "base_url": "\#(base)/v1beta", "api_key": "AIza-fake", "model": "fake-gemini"}"#
        default:
            // A first link that only ever answers prose: repaired once, then anthropic answers.
            return #"""
            {"adapter": "fallback", "chain": [
              {"adapter": "openai", "base_url": "\#(base)/prose/v1", "model": "fake-gpt", "retry": {"max_attempts": 1}},
              {"adapter": "anthropic", "base_url": "\#(base)", "api_key": "sk-ant-fake", "model": "fake-claude"},
              {"adapter": "rules"}]}
            """#
        }
    }

    @Test(arguments: ["openai", "anthropic", "gemini", "fallback"])
    func intakeAndStatsWorkThroughTheAdapter(_ adapter: String) async throws {
        let server = try LLMFakeServer()
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.write("adapters.json", """
        {"storage": {"adapter": "memory"}, "llm": \(Self.section(adapter, server.base)), "workflow": {"prices": \(Self.prices)}}
        """)
        let check = await h.run(["config", "check"])
        #expect(check.code == 0, "\(check.err)")

        let r = await h.run(["intake", "--email", "ana@example.com", "--name", "Ana Martin", "--subject", "Commande 12345 en retard",
                             "--description", "Ma commande 12345 n'est toujours pas livrée, c'est urgent.", "--json"])
        #expect(r.code == 0, "\(r.err)")
        let result = try JSONParser.parse(r.out.trimmingCharacters(in: .whitespacesAndNewlines))
        let vendor = adapter == "fallback" ? "anthropic" : adapter
        #expect(result["status"] == "created")
        #expect(result["category"] == "late_delivery" && result["urgency"] == "high")
        #expect(result["reply_draft"] == .string("Bonjour Ana, reply from the fake \(vendor)."))

        let shown = await h.run(["tickets", "show", result["ticket_id"]?.stringValue ?? "?"])
        #expect(shown.out.contains("draft reply\n  Bonjour Ana, reply from the fake \(vendor)."), "\(shown.out)")
        let ticket = try #require(try await h.store.get(.tickets, id: result["ticket_id"]?.stringValue ?? "?"))
        #expect(ticket.body["analytics"]?["summary"] == .string("Summary from the fake \(vendor)"))
        let usage = ticket.body["llm_usage"]?.arrayValue ?? []
        #expect(usage.compactMap { $0["task"]?.stringValue } == ["analyse", "draft_reply"])
        #expect(usage.allSatisfy { $0["provider"] == .string(vendor) })

        let requests = try server.requests()
        let paths = requests.compactMap { $0["path"]?.stringValue }
        switch adapter {
        case "openai":
            #expect(paths == ["/v1/chat/completions", "/v1/chat/completions"])
            #expect(requests.allSatisfy { $0["headers"]?["authorization"] == nil }, "no key for a local server")
        case "anthropic":
            #expect(paths == ["/v1/messages", "/v1/messages"])
            #expect(requests.allSatisfy { $0["headers"]?["x-api-key"] == "sk-ant-fake" && $0["headers"]?["anthropic-version"] == "2023-06-01" })
        case "gemini":
            #expect(paths == ["/v1beta/models/fake-gemini:generateContent", "/v1beta/models/fake-gemini:generateContent"])
            #expect(requests.allSatisfy { $0["headers"]?["x-goog-api-key"] == "AIza-fake" })
        default:
            // Per task: prose, its repair, then anthropic.
            #expect(paths == ["/prose/v1/chat/completions", "/prose/v1/chat/completions", "/v1/messages",
                              "/prose/v1/chat/completions", "/prose/v1/chat/completions", "/v1/messages"])
        }

        let stats = await h.run(["stats", "--json"])
        #expect(stats.code == 0, "\(stats.err)")
        let llm = try #require(try JSONParser.parse(stats.out)["llm"])
        let (input, output, price): (Int, Int, (Double, Double)) = switch vendor {
        case "openai": (100, 20, (2.0, 8.0))
        case "anthropic": (110, 21, (3.0, 15.0))
        default: (120, 22, (0.3, 2.5))
        }
        #expect(llm["calls"] == 2 && llm["input_tokens"] == JSON(2 * input) && llm["output_tokens"] == JSON(2 * output))
        let cost = 2 * (Double(input) * price.0 + Double(output) * price.1) / 1e6
        #expect(abs((llm["cost"]?.doubleValue ?? 0) - (cost * 10_000).rounded() / 10_000) < 1e-9, "\(llm.serialized()) vs \(cost)")

        let text = await h.run(["stats"])
        #expect(text.out.contains("llm         2 calls · \(2 * input) in / \(2 * output) out tokens"))
    }

    /// Editors check fallback chains too: the generated schema refers each nested section to the `llm` port's schema.
    @Test func theGeneratedSchemaChecksNestedSections() throws {
        let schema = try JSONSchemaValidator(schema: ConfigSchema.generate(BuiltinAdapters.registry))
        let good: JSON = ["llm": ["adapter": "fallback", "chain": [
            ["adapter": "anthropic", "model": "claude-haiku-4-5", "retry": ["max_attempts": 2]],
            ["adapter": "fallback", "chain": [["adapter": "gemini", "model": "gemini-2.5-flash"]]],
            ["adapter": "rules"]]]]
        #expect(schema.validate(good).isEmpty, "\(SchemaViolation.render(schema.validate(good)))")
        let typo: JSON = ["llm": ["adapter": "fallback", "chain": [["adapter": "openai", "modle": "gpt-4o-mini"]]]]
        #expect(!schema.validate(typo).isEmpty)
        let missingModel: JSON = ["llm": ["adapter": "fallback", "chain": [["adapter": "gemini"]]]]
        #expect(!schema.validate(missingModel).isEmpty)
    }

    @Test func anUnreadablePromptFileIsNamedBeforeAnythingRuns() async throws {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.write("adapters.json", #"{"storage": {"adapter": "memory"}, "workflow": {"prompts": {"analyse": "prompts/analyse.txt"}}}"#)
        let r = await h.run(["intake", "--email", "a@example.com", "--subject", "S", "--description", "D"])
        #expect(r.code != 0)
        #expect(r.err.contains("workflow.prompts.analyse: \(h.dir.appendingPathComponent("prompts/analyse.txt").standardizedFileURL.path): no such file"), "\(r.err)")
        var stored = 0
        for try await batch in h.store.scan(.tickets, batchSize: 100) { stored += batch.count }
        #expect(stored == 0)
    }
}
