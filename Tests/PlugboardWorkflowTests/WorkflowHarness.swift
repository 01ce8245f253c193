import AdaptersLocal
import Foundation
import ObjectsFilesystem
import PlugboardKernel
@testable import PlugboardWorkflow
import Synchronization

/// A deterministic stand-in for the `llm` port in workflow tests: the workflow's
/// behaviour (threading, durability) is under test here, not the analysis.
struct ScriptedModel: LanguageModel {
    func generate(_ request: LLMRequest) async throws -> LLMResponse {
        // The customer's words, not the instructions around them.
        let text = ScriptedModel.ticket(request.prompt).lowercased()
        let object: JSON
        switch request.task {
        case "classify":
            object = ["category": text.contains("model") ? "MODELISATION" : "SUPPORT", "confidence": 0.5]
        default:
            object = ["sentiment": text.contains("merci") ? "positive" : "neutral",
                      "category": text.contains("model") ? "MODELISATION" : "SUPPORT",
                      "urgency": text.contains("urgent") ? "high" : "low", "summary": .string(String(ScriptedModel.ticket(request.prompt).prefix(40)))]
        }
        return LLMResponse(object: object, inputTokens: request.prompt.count / 4, outputTokens: 20, latency: .milliseconds(1),
                           provider: "scripted", model: "scripted-1")
    }

    static func ticket(_ prompt: String) -> String {
        guard let open = prompt.range(of: "<ticket>"), let close = prompt.range(of: "</ticket>", range: open.upperBound..<prompt.endIndex)
        else { return prompt }
        return prompt[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The workflow over the local adapters and one store, in a temporary folder.
struct WorkflowHarness {
    let dir: URL
    let store: any DocumentStore
    let objects: FilesystemObjectStore
    let notifications: String

    init(store: (any DocumentStore)? = nil) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-wf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        self.store = store ?? MemoryStore()
        objects = try FilesystemObjectStore(root: dir.appendingPathComponent("objects").path)
        notifications = dir.appendingPathComponent("notifications.jsonl").path
    }

    func ports(faults: FaultPlan? = nil, store override: (any DocumentStore)? = nil) -> WorkflowPorts {
        let s = override ?? store
        var p = WorkflowPorts(storage: s, crm: LocalCRM(store: s), tasks: LocalTaskTracker(store: s), objects: objects,
                              llm: ScriptedModel(), notifier: LogNotifier(path: notifications))
        if let f = faults {
            // Faults inside the policy layer, as in production where the layer wraps a flaky backend.
            func policy(_ port: PlugboardKernel.Port) -> CallPolicy {
                CallPolicy(port: port, adapter: "test-\(port.rawValue)",
                           retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(20)))
            }
            p = WorkflowPorts(storage: PolicyStore(FaultyStore(p.storage, f), policy: policy(.storage)),
                              crm: PolicyCRM(FaultyCRM(p.crm, f), policy: policy(.crm)),
                              tasks: PolicyTasks(FaultyTasks(p.tasks, f), policy: policy(.tasks)),
                              objects: PolicyObjects(FaultyObjects(p.objects, f), policy: policy(.objects)),
                              llm: PolicyLanguageModel(FaultyLanguageModel(p.llm, f), policy: policy(.llm)),
                              notifier: PolicyNotifier(FaultyNotifier(p.notifier, f), policy: policy(.notify)))
        }
        return p
    }

    func workflow(faults: FaultPlan? = nil, settings: WorkflowSettings? = nil, worker: String = "test",
                  store override: (any DocumentStore)? = nil) -> Workflow {
        let p = ports(faults: faults, store: override)
        let settings = settings ?? (try! WorkflowSettings())
        return Workflow(ports: p, settings: settings, queue: JobQueue(store: p.storage, maxAttempts: 50, leaseSeconds: 0.2, retryBase: .milliseconds(2), worker: worker))
    }

    func tickets() async throws -> [Ticket] {
        try await TicketBook(store: store).list(TicketFilter())
    }

    func all(_ c: CollectionSpec) async throws -> [StoredDocument] {
        var out: [StoredDocument] = []
        for try await b in store.scan(c, batchSize: 500) { out += b }
        return out
    }

    /// Notification keys written to the log file, with how often each appears.
    func notificationCounts() throws -> [String: Int] {
        guard let data = FileManager.default.contents(atPath: notifications) else { return [:] }
        var counts: [String: Int] = [:]
        try JSONParser.parseLines([UInt8](data)) { line, _ in counts[line["key"]?.stringValue ?? "?", default: 0] += 1 }
        return counts
    }

    func cleanup() { try? FileManager.default.removeItem(at: dir) }
}

func request(_ email: String, _ subject: String, _ body: String, messageId: String? = nil, inReplyTo: String? = nil,
             at: String? = nil, files: [IntakeRequest.AttachmentRef] = []) -> IntakeRequest {
    IntakeRequest(source: "test", subject: subject, description: body, userEmail: email, userName: "Test User",
                  attachments: files, messageId: messageId, inReplyTo: inReplyTo, receivedAt: at)
}

/// A store that dies after its n-th write: that write lands (or not, at random) and
/// every later call fails, as when the process is killed with SIGKILL.
final class CrashingStore: DocumentStore, @unchecked Sendable {
    // @unchecked: the counters are behind `lock`; `base` is itself Sendable.
    let base: any DocumentStore
    let crashAt: Int
    let applyCrashingWrite: Bool
    private let lock = NSLock()
    private var writes = 0
    private var dead = false

    init(_ base: any DocumentStore, crashAt: Int, applyCrashingWrite: Bool) {
        self.base = base
        self.crashAt = crashAt
        self.applyCrashingWrite = applyCrashingWrite
    }

    struct Crashed: Error {}

    var crashed: Bool { lock.withLock { dead } }

    private func write<T>(_ body: () async throws -> T) async throws -> T {
        let (isDead, n) = lock.withLock { () -> (Bool, Int) in
            if dead { return (true, writes) }
            writes += 1
            if writes >= crashAt { dead = true }
            return (false, writes)
        }
        if isDead { throw Crashed() }
        if n >= crashAt {
            if applyCrashingWrite { _ = try await body() }
            throw Crashed()
        }
        return try await body()
    }
    private func read<T>(_ body: () async throws -> T) async throws -> T {
        if crashed { throw Crashed() }
        return try await body()
    }

    func get(_ c: CollectionSpec, id: String) async throws -> StoredDocument? { try await read { try await base.get(c, id: id) } }
    func put(_ c: CollectionSpec, id: String, body: JSON, condition: WriteCondition) async throws -> Int64 {
        try await write { try await base.put(c, id: id, body: body, condition: condition) }
    }
    func delete(_ c: CollectionSpec, id: String, condition: WriteCondition) async throws -> Bool {
        try await write { try await base.delete(c, id: id, condition: condition) }
    }
    func query(_ c: CollectionSpec, _ q: IndexQuery) async throws -> Page { try await read { try await base.query(c, q) } }
    func batchPut(_ c: CollectionSpec, _ documents: [Document]) async throws { try await write { try await base.batchPut(c, documents) } }
    func scan(_ c: CollectionSpec, batchSize: Int) -> AsyncThrowingStream<[StoredDocument], any Error> { base.scan(c, batchSize: batchSize) }
}

/// Runs `processPending` until no job is pending or running (bounded).
func drain(_ wf: Workflow, store: any DocumentStore, seconds: Double = 300) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        _ = try? await wf.processPending(concurrency: 8)
        let counts = try await JobQueue(store: store).counts()
        if (counts["pending"] ?? 0) + (counts["running"] ?? 0) == 0 { return }
        try await Task.sleep(for: .milliseconds(30))
    }
}
