import Foundation
import PlugboardKernel
import Synchronization
import Testing

@Suite("policy: decorators")
struct PolicyDecoratorTests {
    func policy(_ port: PlugboardKernel.Port, _ adapter: String, _ metrics: AdapterMetrics) -> CallPolicy {
        CallPolicy(port: port, adapter: adapter, metrics: metrics, clock: VirtualClock())
    }

    /// Operations counted for one adapter, as `name: calls`.
    func counted(_ metrics: AdapterMetrics) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: metrics.snapshot().map { ($0.key.operation, $0.calls) })
    }

    @Test func storeForwardsEveryOperation() async throws {
        let metrics = AdapterMetrics()
        let memory = MemoryStore()
        let store = PolicyStore(memory, policy: policy(.storage, "memory", metrics))
        let rev = try await store.put(.contacts, id: "c1", body: ["contact_id": "c1", "email": "a@example.com"], condition: .absent)
        #expect(rev == 1)
        #expect(try await store.get(.contacts, id: "c1")?.revision == 1)
        try await store.batchPut(.contacts, [Document(id: "c2", body: ["contact_id": "c2", "email": "b@example.com"])])
        let page = try await store.query(.contacts, IndexQuery(index: "email", partition: "b@example.com"))
        #expect(page.documents.map(\.id) == ["c2"])
        #expect(try await store.count(.contacts) == 2)
        var scanned = 0
        for try await batch in store.scan(.contacts, batchSize: 1) { scanned += batch.count }
        #expect(scanned == 2)
        #expect(try await store.delete(.contacts, id: "c2", condition: .revision(1)))
        #expect(try await memory.get(.contacts, id: "c2") == nil, "the delete reached the adapter")
        try await store.close()
        #expect(counted(metrics) == ["put": 1, "get": 1, "batchPut": 1, "query": 1, "count": 1, "delete": 1],
                "each operation went through the policy once; scan and close are passed through")
    }

    @Test func storeErrorsAreRetriedOnlyWhenRetryable() async throws {
        let metrics = AdapterMetrics()
        let store = PolicyStore(MemoryStore(), policy: policy(.storage, "memory", metrics))
        try await store.put(.contacts, id: "c1", body: ["contact_id": "c1"], condition: .absent)
        await #expect(throws: PlugboardError.self) {
            try await store.put(.contacts, id: "c1", body: ["contact_id": "c1"], condition: .absent)
        }
        let row = try #require(metrics.operation(port: "storage", adapter: "memory", operation: "put"))
        #expect(row.outcomes == ["ok": 1, "conflict": 1], "a conflict is an answer, not a fault: never retried")
    }

    @Test func storeKeepsJobClaiming() async throws {
        let metrics = AdapterMetrics()
        let store = PolicyStore(MemoryStore(), policy: policy(.storage, "memory", metrics))
        try await store.batchPut(.jobs, (0..<3).map { Document(id: "j\($0)", body: ["job_id": .string("j\($0)"), "state": "pending",
                                                                                    "due_at": "2024-06-01T11:00:00Z"]) })
        let claiming: any JobClaiming = store
        let claimed = try await claiming.claimDueJobs(.jobs, JobClaim(state: "pending", dueBefore: "2024-06-01T12:00:00Z", limit: 5,
                                                                      leaseSeconds: 60, worker: "w", claimedState: "running",
                                                                      now: "2024-06-01T12:00:00Z"))
        #expect(Set(claimed.map(\.id)) == ["j0", "j1", "j2"])
        #expect(counted(metrics)["put"] == 3, "claiming by revision runs through the policed operations")
    }

    @Test func crmForwardsEveryMethod() async throws {
        let log = CallLog(), metrics = AdapterMetrics()
        let crm = PolicyCRM(FakeCRM(log: log), policy: policy(.crm, "fake", metrics))
        #expect(try await crm.findOrCreateContact(email: "a@example.com", name: "Ann").id == "c1")
        #expect(try await crm.createTicket(CRMTicketDraft(subject: "Refund", description: "d", contactId: "c1")).id == "t1")
        #expect(try await crm.findOpenTicket(contactId: "c1", updatedSince: "2024-01-01T00:00:00Z") == nil)
        #expect(try await crm.addNote(ticketId: "t1", body: "hello", at: "2024-01-02T00:00:00Z", key: "k1") == "n1")
        try await crm.updateTicket(id: "t1", properties: ["priority": "high"])
        try await crm.linkTicket("t1", toContact: "c1")
        #expect(log.all == [
            "findOrCreateContact a@example.com Ann", "createTicket Refund", "findOpenTicket c1 2024-01-01T00:00:00Z",
            "addNote t1 hello 2024-01-02T00:00:00Z k1", #"updateTicket t1 {"priority":"high"}"#, "linkTicket t1 c1",
        ])
        #expect(counted(metrics) == ["findOrCreateContact": 1, "createTicket": 1, "findOpenTicket": 1, "addNote": 1,
                                     "updateTicket": 1, "linkTicket": 1])
    }

    @Test func tasksForwardEveryMethod() async throws {
        let log = CallLog(), metrics = AdapterMetrics()
        let tasks = PolicyTasks(FakeTasks(log: log), policy: policy(.tasks, "fake", metrics))
        #expect(try await tasks.createTask(TaskDraft(name: "Call back", markdown: "m")).id == "k1")
        try await tasks.updateDescription(taskId: "k1", markdown: "**new**")
        try await tasks.comment(taskId: "k1", text: "done")
        #expect(log.all == ["createTask Call back", "updateDescription k1 **new**", "comment k1 done"])
        #expect(counted(metrics) == ["createTask": 1, "updateDescription": 1, "comment": 1])
    }

    @Test func objectsForwardEveryMethod() async throws {
        let log = CallLog(), metrics = AdapterMetrics()
        let objects = PolicyObjects(FakeObjects(log: log), policy: policy(.objects, "fake", metrics))
        #expect(try await objects.put(key: "a/b.txt", data: Data("abc".utf8), contentType: "text/plain").size == 3)
        #expect(try await objects.get(key: "a/b.txt") == Data("hello".utf8))
        #expect(try await objects.head(key: "a/b.txt") == nil)
        try await objects.delete(key: "a/b.txt")
        #expect(try await objects.url(for: "a/b.txt", expiresIn: .seconds(300)) == "https://objects.example/a/b.txt")
        #expect(log.all == ["put a/b.txt 3 text/plain", "get a/b.txt", "head a/b.txt", "delete a/b.txt", "url a/b.txt 300"])
        #expect(counted(metrics) == ["put": 1, "get": 1, "head": 1, "delete": 1, "url": 1])
    }

    @Test func languageModelAndNotifierForward() async throws {
        let log = CallLog(), metrics = AdapterMetrics()
        let llm = PolicyLanguageModel(FakeLanguageModel(log: log), policy: policy(.llm, "fake", metrics))
        let notifier = PolicyNotifier(FakeNotifier(log: log), policy: policy(.notify, "fake", metrics))
        let r = try await llm.generate(LLMRequest(task: "classify", prompt: "p", schema: ["type": "object"]))
        #expect(r.object == ["category": "billing"])
        try await notifier.send(TeamNotification(subject: "New ticket", text: "t"))
        #expect(log.all == ["generate classify", "send New ticket"])
        #expect(metrics.snapshot().map { "\($0.key.port)/\($0.key.operation)=\($0.calls)" } == ["llm/generate=1", "notify/send=1"])
    }

    @Test func aDecoratorRetriesWhatItsAdapterThrows() async throws {
        final class FlakyNotifier: Notifier {
            let attempts = Mutex(0)
            func send(_ notification: TeamNotification) async throws {
                let n = attempts.withLock { $0 += 1; return $0 }
                if n < 3 { throw PlugboardError.unavailable("connection reset", adapter: "smtp") }
            }
        }
        let flaky = FlakyNotifier()
        try await PolicyNotifier(flaky, policy: CallPolicy(port: .notify, adapter: "smtp", metrics: AdapterMetrics(), clock: VirtualClock()))
            .send(TeamNotification(subject: "s", text: "t"))
        #expect(flaky.attempts.withLock { $0 } == 3)
    }
}
