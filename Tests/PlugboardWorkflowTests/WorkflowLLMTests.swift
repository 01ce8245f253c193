import Foundation
import PlugboardKernel
@testable import PlugboardWorkflow
import Synchronization
import Testing

/// A model that answers every task with fixed usage, records what it was asked, and
/// can refuse drafts.
final class RecordingModel: LanguageModel {
    let requests = Mutex<[LLMRequest]>([])
    let refuseDrafts: Bool

    init(refuseDrafts: Bool = false) { self.refuseDrafts = refuseDrafts }

    func asked(_ task: String) -> [LLMRequest] { requests.withLock { $0.filter { $0.task == task } } }

    func generate(_ request: LLMRequest) async throws -> LLMResponse {
        requests.withLock { $0.append(request) }
        let object: JSON
        switch request.task {
        case "classify": object = ["category": "refund", "confidence": 0.8]
        case "analyse": object = ["sentiment": "negative", "category": "late_delivery", "urgency": "high", "summary": "Late order"]
        case "draft_reply":
            if refuseDrafts { throw PlugboardError.refusal("no drafts today", adapter: "recording") }
            object = ["reply": "Bonjour Test, votre commande arrive demain.", "subject": "Votre commande"]
        default: object = [:]
        }
        return LLMResponse(object: object, inputTokens: 1000, outputTokens: 200, latency: .milliseconds(5),
                           provider: "recording", model: "fake-1")
    }
}

@Suite("workflow: prompts, reply drafts, usage and cost")
struct WorkflowLLMTests {
    let prices: JSON = ["fake-1": ["input_per_mtok": 3.0, "output_per_mtok": 15.0]]

    func workflow(_ h: WorkflowHarness, _ model: RecordingModel, _ w: [String: JSON] = [:], directory: String = ".") throws -> Workflow {
        var p = h.ports()
        p.llm = model
        var section = w
        if section["prices"] == nil { section["prices"] = prices }
        return Workflow(ports: p, settings: try WorkflowSettings(section, directory: directory))
    }

    @Test func promptsComeFromTheLibraryWithTheTicketAndTheCategories() async throws {
        let h = try WorkflowHarness()
        defer { h.cleanup() }
        let model = RecordingModel()
        _ = try await workflow(h, model).submit(request("ana@example.com", "Colis en retard", "Ma commande 12345 n'est toujours pas livrée."))
        let analyse = try #require(model.asked("analyse").first)
        #expect(analyse.prompt.contains("<ticket>\nColis en retard\nMa commande 12345 n'est toujours pas livrée.\n</ticket>"))
        #expect(analyse.prompt.contains("late_delivery") && analyse.prompt.contains("MODELISATION"))
        #expect(analyse.system?.contains("customer-support team") == true)
        let allowed = analyse.schema["properties"]?["category"]?["enum"]?.arrayValue ?? []
        #expect(allowed.contains("late_delivery") && allowed.contains("unclassified"), "the model may only answer known categories")

        let draft = try #require(model.asked("draft_reply").first)
        #expect(draft.prompt.contains("<data>") && draft.prompt.contains("\"customer_name\": \"Test\""))
        #expect(draft.prompt.contains("\"order_number\": \"12345\""))
        #expect(draft.prompt.contains("Nous sommes désolés du retard de votre commande 12345"), "the filled template is the starting point")
    }

    @Test func usageAndCostAreStoredWithTheTicketAndSummedInStats() async throws {
        let h = try WorkflowHarness()
        defer { h.cleanup() }
        let model = RecordingModel()
        let wf = try workflow(h, model)
        let first = try await wf.submit(request("bob@example.com", "Colis", "Toujours pas livré", at: "2024-05-01T10:00:00Z"))
        let t = try #require(try await h.tickets().first)
        #expect(t.body["draft_reply"] == "Bonjour Test, votre commande arrive demain.")
        let usage = t.body["llm_usage"]?.arrayValue ?? []
        #expect(usage.compactMap { $0["task"]?.stringValue } == ["analyse", "draft_reply"])
        #expect(usage.allSatisfy { $0["input_tokens"] == 1000 && $0["output_tokens"] == 200 && $0["model"] == "fake-1" })
        #expect(usage.allSatisfy { $0["cost"]?.doubleValue == 0.006 }, "1000 × 3 + 200 × 15 per million")
        #expect(t.body["llm_cost"]?.doubleValue == 0.012)

        // A follow-up on the same ticket adds its own calls (the rules find "Et alors ?" ambiguous: the model classifies it).
        let second = try await wf.submit(request("bob@example.com", "Re", "Et alors ?", at: "2024-05-02T10:00:00Z"))
        #expect(second.ticketId == first.ticketId && second.status == .appended)
        let after = try #require(try await h.tickets().first)
        let tasks = after.body["llm_usage"]?.arrayValue?.compactMap { $0["task"]?.stringValue }
        #expect(tasks == ["analyse", "draft_reply", "classify", "analyse", "draft_reply"])
        #expect(after.body["llm_cost"]?.doubleValue == 0.03)

        let stats = TicketStats(tickets: try await h.tickets())
        #expect(stats.llmCalls == 5 && stats.llmInputTokens == 5000 && stats.llmOutputTokens == 1000)
        #expect(stats.json["llm"]?["cost"] == 0.03)
    }

    @Test func usageIsCountedOnceWhenAStepRunsAgain() {
        var o: [String: JSON] = [:]
        let entry: JSON = ["task": "analyse", "job": "job-1", "input_tokens": 10, "output_tokens": 2, "cost": 0.5]
        Workflow.addUsage([entry], to: &o)
        Workflow.addUsage([entry], to: &o)
        Workflow.addUsage([["task": "draft_reply", "job": "job-1", "cost": 0.25]], to: &o)
        #expect(o["llm_usage"]?.arrayValue?.count == 2)
        #expect(o["llm_cost"]?.doubleValue == 0.75)
    }

    @Test func withoutAPriceThereIsUsageButNoCost() async throws {
        let h = try WorkflowHarness()
        defer { h.cleanup() }
        _ = try await workflow(h, RecordingModel(), ["prices": [:]]).submit(request("c@example.com", "Bug", "Ça plante"))
        let t = try #require(try await h.tickets().first)
        #expect(t.body["llm_usage"]?.arrayValue?.count == 2)
        #expect(t.body["llm_cost"] == nil)
    }

    @Test func aRefusedDraftKeepsTheFilledTemplate() async throws {
        let h = try WorkflowHarness()
        defer { h.cleanup() }
        let r = try await workflow(h, RecordingModel(refuseDrafts: true)).submit(request("d@example.com", "Sujet", "Bonjour"))
        #expect(r.status == .created)
        #expect(r.reply?.hasPrefix("Bonjour Test,") == true, "\(r.reply ?? "-")")
        let tasks = try await h.tickets().first?.body["llm_usage"]?.arrayValue?.compactMap { $0["task"]?.stringValue } ?? []
        #expect(tasks.contains("analyse") && !tasks.contains("draft_reply"), "the refused draft used nothing: \(tasks)")
    }

    @Test func draftsCanStayPlainTemplates() async throws {
        let h = try WorkflowHarness()
        defer { h.cleanup() }
        let model = RecordingModel()
        _ = try await workflow(h, model, ["llm_drafts": false]).submit(request("e@example.com", "Sujet", "Bonjour"))
        #expect(model.asked("draft_reply").isEmpty)
        #expect(try await h.tickets().first?.body["draft_reply"]?.stringValue?.hasPrefix("Bonjour Test,") == true)
    }

    @Test func aPromptFileReplacesTheBuiltInOne() async throws {
        let h = try WorkflowHarness()
        defer { h.cleanup() }
        try Data("Analyse en une phrase : {{text}} ({{channel}})".utf8).write(to: h.dir.appendingPathComponent("analyse.txt"))
        let model = RecordingModel()
        _ = try await workflow(h, model, ["prompts": ["analyse": "analyse.txt"]], directory: h.dir.path)
            .submit(request("f@example.com", "Sujet", "Texte"))
        #expect(model.asked("analyse").first?.prompt == "Analyse en une phrase : Sujet\nTexte (email)")
    }
}
