import Foundation
import Testing
@testable import PlugboardKernel

@Suite("prompts: built-in templates and overrides from files")
struct PromptLibraryTests {
    @Test func everyTaskHasATemplateUsingOnlyItsVariables() throws {
        let library = PromptLibrary()
        #expect(PromptLibrary.tasks == ["analyse", "classify", "draft_reply", "followup", "proactive_analysis", "repair", "system"])
        for task in PromptLibrary.tasks {
            let t = library.template(task)
            #expect(t.source == "built-in" && !t.text.isEmpty, "\(task)")
            let used = try PromptLibrary.placeholders(in: t.text)
            #expect(Set(used).isSubset(of: PromptLibrary.variables[task]!), "\(task) uses \(used)")
        }
        // The ticket goes where the rules model (and the system prompt) expect it.
        for task in ["classify", "analyse", "draft_reply"] {
            #expect(library.template(task).text.contains("<ticket>\n{{text}}\n</ticket>"), "\(task)")
        }
        #expect(library.template("draft_reply").text.contains("<data>\n{{data}}\n</data>"))
    }

    @Test func renderingFillsValuesOnceAndLeavesMissingOnesEmpty() {
        let library = PromptLibrary()
        let text = library.render("classify", ["text": "Refund {{categories}} please", "categories": "refund, other",
                                               "fallback_category": "other"])
        #expect(text.contains("Categories: refund, other."))
        #expect(text.contains("<ticket>\nRefund {{categories}} please\n</ticket>"), "values are never scanned for placeholders")
        #expect(text.contains("Channel: \n"), "a missing value is empty")
        #expect(!text.contains("{{channel}}"))
    }

    @Test func filesOverrideTemplatesRelativeToTheConfig() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-prompts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("prompts"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("Catégorise : {{ text }} parmi {{categories}}".utf8).write(to: dir.appendingPathComponent("prompts/classify.txt"))
        let library = try PromptLibrary(overrides: ["classify": "prompts/classify.txt"], directory: dir.path)
        #expect(library.template("classify").source == dir.appendingPathComponent("prompts/classify.txt").path)
        #expect(library.render("classify", ["text": "Remboursement", "categories": "refund"]) == "Catégorise : Remboursement parmi refund")
        #expect(library.template("analyse").source == "built-in")
    }

    @Test func badOverridesNameTheFileAndWhatIsWrong() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-prompts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("Hello {{customer_name}} about {{text}}".utf8).write(to: dir.appendingPathComponent("analyse.txt"))
        try Data("Broken {{text".utf8).write(to: dir.appendingPathComponent("classify.txt"))
        do {
            _ = try PromptLibrary(overrides: ["analyse": "analyse.txt", "classify": "classify.txt", "draft_reply": "missing.txt",
                                              "summarise": "x.txt", "followup": 3],
                                  directory: dir.path, file: "conf/adapters.json")
            Issue.record("expected errors")
        } catch let e as PlugboardError {
            #expect(e.code == .invalidConfiguration)
            let lines = e.message.split(separator: "\n").map(String.init)
            #expect(lines.count == 5, "every problem at once: \(e.message)")
            #expect(lines.contains { $0.hasPrefix("conf/adapters.json: workflow.prompts.analyse: \(dir.path)/analyse.txt: uses {{customer_name}}") && $0.contains("it provides: text, subject") })
            #expect(lines.contains { $0.contains("workflow.prompts.classify: \(dir.path)/classify.txt: \"{{\" without a closing \"}}\"") })
            #expect(lines.contains { $0.contains("workflow.prompts.draft_reply: \(dir.path)/missing.txt: no such file") })
            #expect(lines.contains { $0.contains("workflow.prompts.summarise: unknown task; expected one of analyse, classify") })
            #expect(lines.contains { $0.contains("workflow.prompts.followup: expected a template file path, got 3") })
        }
    }
}

@Suite("llm answers: JSON out of a model's text, validated locally")
struct LLMAnswerTests {
    let schema: JSON = ["type": "object", "required": ["a"], "properties": ["a": ["enum": [1, 2]]]]

    func failure(_ text: String) -> PlugboardError? {
        do {
            _ = try LLMAnswer.decode(text, for: LLMRequest(task: "t", prompt: "", schema: schema), adapter: "x")
            return nil
        } catch {
            return error as? PlugboardError
        }
    }

    @Test func acceptsAnObjectAloneOrInOneFence() throws {
        let r = LLMRequest(task: "t", prompt: "", schema: schema)
        #expect(try LLMAnswer.decode(" {\"a\": 1}\n", for: r, adapter: "x") == ["a": 1])
        #expect(try LLMAnswer.decode("```json\n{\"a\": 2}\n```", for: r, adapter: "x") == ["a": 2])
        #expect(try LLMAnswer.decode("```\n{\"a\": 2}\n```", for: r, adapter: "x") == ["a": 2])
    }

    @Test func everythingElseIsAnInvalidAnswer() {
        for text in ["", "Sure: {\"a\": 1}", "[1]", "{\"a\": 1", "```json\n{\"a\": 1}", "{\"a\": 3}", "{\"b\": 1}"] {
            let e = failure(text)
            #expect(e?.isInvalidAnswer == true && e?.isRetryable == false, "\(text): \(String(describing: e))")
        }
        #expect(failure("{\"a\": 3}")?.message.contains("/a") == true)
    }

    @Test func aBrokenSchemaIsTheRequestsFault() {
        do {
            _ = try LLMAnswer.validated(["a": 1], against: ["type": 12], task: "t", adapter: "x")
            Issue.record("expected an error")
        } catch let e as PlugboardError {
            #expect(e.code == .invalidInput && !e.isInvalidAnswer)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func schemaNamesAreWhatProvidersAccept() {
        #expect(LLMAnswer.schemaName(task: "draft_reply") == "draft_reply")
        #expect(LLMAnswer.schemaName(task: "résumé v2") == "r_sum__v2")
        #expect(LLMAnswer.schemaName(task: "") == "answer")
        #expect(LLMAnswer.schemaName(task: String(repeating: "x", count: 80)).count == 64)
    }
}
