import Foundation
import PlugboardKernel
import Synchronization
import Testing

/// What the fake `local`-style CRM was given as storage.
final class SeenStorage: Sendable {
    let store = Mutex<(any DocumentStore)?>(nil)
}

@Suite("policy: wiring and logging")
struct PolicyWiringTests {
    static let seen = SeenStorage()

    static let registry = Registry([
        MemoryStore.registryEntry,
        Registry.Entry(AdapterDescriptor(port: .crm, name: "hubspot", summary: "fake", fields: []), .crm { _, context in
            seen.store.withLock { $0 = context.storage }
            return FakeCRM(log: CallLog())
        }),
        Registry.Entry(AdapterDescriptor(port: .tasks, name: "clickup", summary: "fake", fields: []), .tasks { _, _ in FakeTasks(log: CallLog()) }),
        Registry.Entry(AdapterDescriptor(port: .objects, name: "fake", summary: "fake", fields: []), .objects { _, _ in FakeObjects(log: CallLog()) }),
        Registry.Entry(AdapterDescriptor(port: .llm, name: "chain", summary: "fake chain", fields: [],
                                         capabilities: [AdapterDescriptor.nestedPolicies]), .llm { _, _ in FakeLanguageModel(log: CallLog()) }),
        Registry.Entry(AdapterDescriptor(port: .notify, name: "fake", summary: "fake", fields: []), .notify { _, _ in FakeNotifier(log: CallLog()) }),
    ])

    func adapters(_ metrics: AdapterMetrics) throws -> Adapters {
        let text = """
        {"storage": {"adapter": "memory", "retry": {"max_attempts": 5, "base_delay": 0.05}},
         "crm": {"adapter": "hubspot"},
         "tasks": {"adapter": "clickup", "rate_limit": {"requests": 20}},
         "objects": {"adapter": "fake"},
         "llm": {"adapter": "chain"},
         "notify": {"adapter": "fake", "retry": {"max_attempts": 1}}}
        """
        let config = try ConfigLoader(registry: Self.registry, environment: [:])
            .load(bytes: Array(text.utf8), file: "adapters.json", directory: "/tmp", environment: [:])
        return Adapters(config: config, registry: Self.registry, metrics: metrics)
    }

    @Test func everyBuiltAdapterIsWrappedWithItsSectionsPolicy() async throws {
        let metrics = AdapterMetrics()
        let a = try adapters(metrics)

        let storage = try #require(try await a.storage() as? PolicyStore)
        #expect(storage.base is MemoryStore)
        #expect(storage.policy.retry == RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(50), maxDelay: .seconds(30)))
        #expect(storage.policy.budget.limit == nil)
        #expect(storage.policy.port == .storage && storage.policy.adapter == "memory")

        let crm = try #require(try await a.crm() as? PolicyCRM)
        #expect(crm.policy.retry == CallPolicy.defaultRetry)
        #expect(crm.policy.budget.limit == RateBudget.Limit(requests: 100, per: .seconds(10)), "HubSpot's own limit by default")
        let given = try #require(Self.seen.store.withLock { $0 })
        #expect(given is MemoryStore, "adapters keeping data in the store get it without a second layer")

        let tasks = try #require(try await a.tasks() as? PolicyTasks)
        #expect(tasks.policy.budget.limit == RateBudget.Limit(requests: 20, per: .seconds(60)))
        #expect(try await a.objects() is PolicyObjects)
        let llm = try #require(try await a.llm() as? PolicyLanguageModel)
        #expect(llm.policy.retry.maxAttempts == 1, "a chain's links retry, the chain does not")
        let notifier = try #require(try await a.notifier() as? PolicyNotifier)
        #expect(notifier.policy.retry.maxAttempts == 1)

        // One layer per port, built once and shared.
        #expect(try await a.storage() as? PolicyStore != nil)
        let again = try #require(try await a.crm() as? PolicyCRM)
        #expect(again.policy.budget === crm.policy.budget)

        try await a.storage().put(.contacts, id: "c1", body: ["contact_id": "c1"])
        _ = try await a.crm().createTicket(CRMTicketDraft(subject: "s", description: "d", contactId: "c1"))
        #expect(metrics.snapshot().map { "\($0.key.port)/\($0.key.adapter)/\($0.key.operation)" }
                == ["storage/memory/put", "crm/hubspot/createTicket"].sorted())
        try await a.close()
    }

    @Test func oneDebugLinePerCallWithNamesAndCodesOnly() async throws {
        let lines = Locked<[String]>([])
        let previous = Logger.settings.withLock { $0 }
        Logger.configure(level: .debug, format: .json)
        Logger.sink.withLock { $0 = { line in lines.withLock { $0.append(line) } } }
        defer {
            Logger.sink.withLock { $0 = nil }
            Logger.configure(level: previous.level, format: previous.format)
        }
        let adapter = "logprobe-\(UInt32.random(in: 0...UInt32.max))"
        let secret = "s3cr3t-\(UInt32.random(in: 0...UInt32.max))"
        let clock = VirtualClock()
        let crm = PolicyCRM(FlakyOnceCRM(), policy: CallPolicy(port: .crm, adapter: adapter, metrics: AdapterMetrics(), clock: clock))
        _ = try await crm.findOrCreateContact(email: "\(secret)@example.com", name: secret)

        let mine = try lines.withLock { $0 }.filter { $0.contains(adapter) }.map { try JSONParser.parse(Array($0.utf8)) }
        #expect(mine.count == 2, "one line per attempt")
        #expect(mine.map { $0["status"]?.stringValue } == ["unavailable", "ok"])
        #expect(mine.map { $0["attempt"]?.stringValue } == ["1", "2"])
        for line in mine {
            #expect(line["level"]?.stringValue == "debug")
            #expect(line["adapter"]?.stringValue == adapter)
            #expect(line["port"]?.stringValue == "crm")
            #expect(line["operation"]?.stringValue == "findOrCreateContact")
            #expect(line["latency_ms"]?.stringValue.flatMap(Double.init) != nil)
            #expect(!line.serialized().contains(secret), "arguments are never logged")
        }
    }
}

/// Fails its first call with a message that would leak if messages were logged.
final class FlakyOnceCRM: CRM {
    let calls = Mutex(0)
    func findOrCreateContact(email: String, name: String?) async throws -> CRMContact {
        if calls.withLock({ $0 += 1; return $0 }) == 1 { throw PlugboardError.unavailable("HTTP 503 for \(email)") }
        return CRMContact(id: "c", email: email, name: name, created: false)
    }
    func createTicket(_ draft: CRMTicketDraft) async throws -> CRMTicket { throw PlugboardError.unsupported("x") }
    func findOpenTicket(contactId: String, updatedSince: String?) async throws -> CRMTicket? { nil }
    func ticket(id: String) async throws -> CRMTicket? { nil }
    func addNote(ticketId: String, body: String, at: String, key: String) async throws -> String { "" }
    func updateTicket(id: String, properties: [String: JSON]) async throws {}
    func linkTicket(_ ticketId: String, toContact contactId: String) async throws {}
}
