import Foundation
import PlugboardConformance
@testable import PlugboardKernel
import Testing

/// Opens the tasks plugin's tracker the way the CLI does (adapters.json, policy layer),
/// and reads tasks back through the example's `get_task` operation.
struct PluginTasksHarness: TaskTrackerHarness {
    let config: PlugboardConfig
    var discardsTasks: Bool { false }
    var tasksHaveURLs: Bool { true }
    var canInspect: Bool { true }

    func open() async throws -> any TaskTracker {
        try await Adapters(config: config, registry: Registry([MemoryStore.registryEntry])).tasks()
    }

    func inspect(_ tracker: any TaskTracker, taskId: String) async throws -> InspectedTask? {
        let plugin = try #require((tracker as? PolicyTasks)?.base as? PluginTaskTracker, "the tracker is the plugin's, under its policy layer")
        let r = try await plugin.instance.call("get_task", ["task_id": .string(taskId)])
        if r == .null { return nil }
        return InspectedTask(name: r["name"]?.stringValue ?? "", markdown: r["markdown"]?.stringValue ?? "",
                             parentId: r["parent_id"]?.stringValue, comments: (r["comments"]?.arrayValue ?? []).compactMap(\.stringValue))
    }
}

/// A C plugin of `port` whose `call` answers each operation with a fixed reply.
enum FixedPlugin {
    static func build(_ name: String, port: String, contract: String, replies: [String: String]) throws -> String {
        func cString(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        let cases = replies.map { "    if (strcmp(o, \(cString($0.key))) == 0) return strdup(\(cString($0.value)));" }.joined(separator: "\n")
        return try PluginBuilds.c(name, """
            #include <plugboard_plugin.h>
            #include <stdlib.h>
            #include <string.h>
            static int token;
            static void *op(const char *s, char **e) { (void)s; (void)e; return &token; }
            static char *call(void *h, const char *o, const char *a) {
                (void)h; (void)a;
            \(cases)
                return strdup("{\\"error\\": {\\"code\\": \\"unsupported\\", \\"message\\": \\"no such operation\\"}}");
            }
            static void cl(void *h) { (void)h; }
            static const plugboard_plugin_v1 table = { PLUGBOARD_PLUGIN_ABI_VERSION, \(contract),
                "\(port)", "\(name)", "{}", op, call, cl, free };
            const plugboard_plugin_v1 *plugboard_plugin_entry(void) { return &table; }
            """)
    }
}

@Suite("plugins of every port", .serialized)
struct PluginPortsTests {
    static func tasksConfig() throws -> PlugboardConfig {
        let lib = try PluginBuilds.example(folder: "plugin-memory-tasks")
        return try PluginBuilds.config(#"""
            {"plugins": ["\#(lib)"], "storage": {"adapter": "memory"},
             "tasks": {"adapter": "example-tasks", "base_url": "https://tasks.example.com/t"}}
            """#)
    }

    /// The tasks conformance suite, unchanged, through the loaded example.
    @Test(arguments: TaskTrackerConformance.cases)
    func tasksConformance(_ c: TaskTrackerConformance.Case) async throws {
        try await c.run(PluginTasksHarness(config: try Self.tasksConfig()))
    }

    @Test func aTasksPluginIsRegisteredLikeABuiltIn() async throws {
        let config = try Self.tasksConfig()
        let adapters = Adapters(config: config, registry: Registry([MemoryStore.registryEntry]))
        let d = try #require(adapters.registry.entry(port: .tasks, name: "example-tasks")?.descriptor)
        #expect(d.fields.map(\.name) == ["base_url"] && d.capabilities == ["task_urls"])
        #expect(adapters.registry.descriptors.contains { $0.port == .tasks && $0.name == "example-tasks" })
        let tracker = try await adapters.tasks()
        #expect(tracker is PolicyTasks, "handed out under the policy layer")
        let check = await (try #require((tracker as? PolicyTasks)?.base as? any HealthChecking)).check()
        #expect(check.ok && check.detail.contains("tasks in process memory"), "\(check)")
    }

    @Test func aTasksPluginSectionIsValidatedByItsDescriptor() throws {
        let lib = try PluginBuilds.example(folder: "plugin-memory-tasks")
        #expect {
            _ = try PluginBuilds.config(#"{"plugins": ["\#(lib)"], "tasks": {"adapter": "example-tasks", "colour": "red"}}"#)
        } throws: { e in
            "\(e)".contains("tasks.colour: unknown field for the example-tasks adapter")
        }
    }

    @Test func aPluginsOpenErrorIsItsOwn() async throws {
        let lib = try PluginBuilds.example(folder: "plugin-memory-tasks")
        let config = try PluginBuilds.config(#"""
            {"plugins": ["\#(lib)"], "storage": {"adapter": "memory"}, "tasks": {"adapter": "example-tasks", "base_url": "ftp://x"}}
            """#)
        let error = await #expect(throws: PlugboardError.self) {
            _ = try await Adapters(config: config, registry: Registry([MemoryStore.registryEntry])).tasks()
        }
        #expect(error?.code == .invalidConfiguration && error?.message.contains("base_url must be an http(s) URL") == true, "\(String(describing: error))")
    }

    @Test func mismatchedTasksContractIsAClearError() throws {
        let lib = try PluginBuilds.example(["-D", "PLUGBOARD_CONTRACT_MISMATCH"], folder: "plugin-memory-tasks")
        let error = #expect(throws: PlugboardError.self) { _ = try PluginBuilds.config(#"{"plugins": ["\#(lib)"]}"#) }
        #expect(error?.code == .invalidConfiguration)
        let m = error?.message ?? ""
        #expect(m.contains(lib) && m.contains("tasks contract version 7, this plugboard speaks version 1"), "\(m)")
    }

    @Test(arguments: ["crm", "objects", "llm", "notify"])
    func mismatchedContractOfEachPortIsAClearError(_ port: String) throws {
        let lib = try FixedPlugin.build("contract-\(port)", port: port, contract: "42", replies: [:])
        let error = #expect(throws: PlugboardError.self) { _ = try PluginBuilds.config(#"{"plugins": ["\#(lib)"]}"#) }
        let m = error?.message ?? ""
        #expect(m.contains(lib) && m.contains("\(port) contract version 42, this plugboard speaks version 1"), "\(m)")
    }

    @Test func unknownPortIsAClearError() throws {
        let lib = try FixedPlugin.build("calendar", port: "calendar", contract: "1", replies: [:])
        let error = #expect(throws: PlugboardError.self) { _ = try PluginBuilds.config(#"{"plugins": ["\#(lib)"]}"#) }
        #expect(error?.code == .invalidConfiguration)
        let m = error?.message ?? ""
        #expect(m.contains(lib) && m.contains("unknown port \"calendar\"") && m.contains("known ports: storage, crm"), "\(m)")
    }

    @Test func missingEntryPointOfATasksTableIsAClearError() throws {
        let lib = try PluginBuilds.c("tasks-no-call", """
            #include <plugboard_plugin.h>
            #include <stdlib.h>
            static void *op(const char *s, char **e) { (void)s; (void)e; return 0; }
            static void cl(void *h) { (void)h; }
            static const plugboard_plugin_v1 table = { PLUGBOARD_PLUGIN_ABI_VERSION, PLUGBOARD_TASKS_CONTRACT_VERSION,
                "tasks", "no-call", "{}", op, 0, cl, free };
            const plugboard_plugin_v1 *plugboard_plugin_entry(void) { return &table; }
            """)
        let error = #expect(throws: PlugboardError.self) { _ = try PluginBuilds.config(#"{"plugins": ["\#(lib)"]}"#) }
        let m = error?.message ?? ""
        #expect(m.contains(lib) && m.contains("incomplete entry table"), "\(m)")
    }

    /// Builds the plugin's adapter straight from the registry: no policy layer, so no retries hide the error.
    static func raw(_ lib: String, _ port: PlugboardKernel.Port, _ name: String) throws -> (PlugboardConfig, AdapterContext) {
        let config = try PluginBuilds.config(#"{"plugins": ["\#(lib)"], "\#(port.rawValue)": {"adapter": "\#(name)"}}"#)
        let registry = try Registry([MemoryStore.registryEntry]).addingPlugins(config.plugins)
        return (config, AdapterContext(registry: registry))
    }

    @Test func aPluginErrorAnswerBecomesAPlugboardError() async throws {
        let lib = try FixedPlugin.build("tasks-limited", port: "tasks", contract: "PLUGBOARD_TASKS_CONTRACT_VERSION", replies: [
            "create_task": #"{"error": {"code": "rate_limited", "message": "slow down", "retry_after": 2}}"#,
            "comment": #"{"error": {"code": "not_found", "message": "no task t9", "retryable": false}}"#,
            "update_description": #"{"ok": null}"#,
        ])
        let (config, context) = try Self.raw(lib, .tasks, "tasks-limited")
        let tracker = try await context.registry.makeTasks(try config.require(.tasks), context)
        let limited = await #expect(throws: PlugboardError.self) { _ = try await tracker.createTask(TaskDraft(name: "a", markdown: "b")) }
        #expect(limited?.code == .rateLimited && limited?.isRetryable == true && limited?.retryAfter == .seconds(2), "\(String(describing: limited))")
        #expect(limited?.adapter == "tasks-limited" && limited?.message == "slow down")
        let missing = await #expect(throws: PlugboardError.self) { try await tracker.comment(taskId: "t9", text: "x") }
        #expect(missing?.code == .notFound && missing?.isRetryable == false)
        try await tracker.updateDescription(taskId: "t1", markdown: "ok")
    }

    @Test func aMalformedReplyIsAnInternalErrorNamingTheOperation() async throws {
        let lib = try FixedPlugin.build("tasks-malformed", port: "tasks", contract: "PLUGBOARD_TASKS_CONTRACT_VERSION", replies: [
            "create_task": #"{"ok": 42}"#, "comment": "not json",
        ])
        let (config, context) = try Self.raw(lib, .tasks, "tasks-malformed")
        let tracker = try await context.registry.makeTasks(try config.require(.tasks), context)
        let wrongShape = await #expect(throws: PlugboardError.self) { _ = try await tracker.createTask(TaskDraft(name: "a", markdown: "b")) }
        #expect(wrongShape?.code == .internal && wrongShape?.message.contains("create_task: expected") == true, "\(String(describing: wrongShape))")
        let notJSON = await #expect(throws: PlugboardError.self) { try await tracker.comment(taskId: "t", text: "x") }
        #expect(notJSON?.code == .internal && notJSON?.message.contains("not a JSON object") == true, "\(String(describing: notJSON))")
    }

    @Test func anLLMPluginsAnswerIsValidatedByTheKernel() async throws {
        let lib = try FixedPlugin.build("llm-fixed", port: "llm", contract: "PLUGBOARD_LLM_CONTRACT_VERSION", replies: [
            "generate": #"{"ok": {"text": "```json\n{\"label\": \"billing\"}\n```", "input_tokens": 12, "output_tokens": 5, "model": "fixed-1"}}"#,
        ])
        let (config, context) = try Self.raw(lib, .llm, "llm-fixed")
        let llm = try await context.registry.makeLLM(try config.require(.llm), context)
        let schema: JSON = ["type": "object", "required": ["label"], "properties": ["label": ["type": "string"]]]
        let r = try await llm.generate(LLMRequest(task: "classify", prompt: "?", schema: schema))
        #expect(r.object == ["label": "billing"] && r.inputTokens == 12 && r.outputTokens == 5 && r.model == "fixed-1" && r.provider == "llm-fixed")
        let strict: JSON = ["type": "object", "required": ["label"], "properties": ["label": ["type": "integer"]]]
        let error = await #expect(throws: PlugboardError.self) { _ = try await llm.generate(LLMRequest(task: "classify", prompt: "?", schema: strict)) }
        #expect(error?.isInvalidAnswer == true, "\(String(describing: error))")
    }

    @Test func anObjectsPluginGetsValidKeysAndBase64Bodies() async throws {
        let lib = try FixedPlugin.build("objects-fixed", port: "objects", contract: "PLUGBOARD_OBJECTS_CONTRACT_VERSION", replies: [
            "get": #"{"ok": {"data": "aMOpbGxv"}}"#,
            "head": #"{"ok": null}"#,
            "put": #"{"ok": {"key": "a/b.txt", "size": 6, "content_type": "text/plain", "etag": "e1"}}"#,
            "url": #"{"ok": null}"#,
        ])
        let (config, context) = try Self.raw(lib, .objects, "objects-fixed")
        let objects = try await context.registry.makeObjects(try config.require(.objects), context)
        #expect(try await objects.get(key: "a/b.txt") == Data("héllo".utf8))
        #expect(try await objects.head(key: "a/b.txt") == nil)
        #expect(try await objects.put(key: "a/b.txt", data: Data("héllo".utf8), contentType: "text/plain")
                == ObjectInfo(key: "a/b.txt", size: 6, contentType: "text/plain", etag: "e1"))
        #expect(try await objects.url(for: "a/b.txt", expiresIn: .seconds(60)) == nil)
        let bad = await #expect(throws: PlugboardError.self) { _ = try await objects.get(key: "../etc/passwd") }
        #expect(bad?.code == .invalidInput, "the kernel refuses the key before the plugin sees it: \(String(describing: bad))")
    }

    @Test func theNotifyExampleWritesOnceAKey() async throws {
        let lib = try PluginBuilds.example(folder: "plugin-file-notify")
        let file = PluginBuilds.dir + "/notify-\(UUID().uuidString).jsonl"
        let config = try PluginBuilds.config(#"""
            {"plugins": ["\#(lib)"], "storage": {"adapter": "memory"}, "notify": {"adapter": "example-file-notify", "path": "\#(file)"}}
            """#)
        let notifier = try await Adapters(config: config, registry: Registry([MemoryStore.registryEntry])).notifier()
        let n = TeamNotification(subject: "Nouveau ticket", text: "Été 🎫", ticketId: "T-1", url: "https://x.example/o?X-Amz-Signature=s", key: "k1")
        try await notifier.send(n)
        try await notifier.send(n)
        try await notifier.send(TeamNotification(subject: "Second", text: "b"))
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2, "one line per key: \(lines)")
        let first = try JSONParser.parse(String(lines[0]))
        #expect(first["subject"] == "Nouveau ticket" && first["text"] == "Été 🎫" && first["ticket_id"] == "T-1")
        #expect(first["url"] == "https://x.example/o", "no query string reaches the file")
        let check = await (try #require((notifier as? PolicyNotifier)?.base as? any HealthChecking)).check()
        #expect(check.ok && check.detail.contains("is writable"), "\(check)")
    }
}
