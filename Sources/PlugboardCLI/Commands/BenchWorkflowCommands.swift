import Foundation
import PlugboardKernel
import PlugboardWorkflow

/// Synthetic intake requests: `contacts` customers writing in French and English about every category.
enum RequestGenerator {
    static let texts: [(String, String)] = [
        ("Commande en retard", "Bonjour, ma commande #%d n'est toujours pas arrivée, le colis est en retard depuis une semaine."),
        ("Refund request", "Hello, I was charged twice for order %d, please refund the duplicate payment."),
        ("Produit défectueux", "Le produit reçu (commande %d) est défectueux, il ne s'allume pas. Je veux un échange."),
        ("Where is my order", "Hi, can you tell me the status of order %d? The tracking page shows nothing."),
        ("Modélisation", "Pouvez-vous modéliser le scénario de tarification pour le compte %d ? Merci."),
        ("Export error", "The CSV export fails with an error since this morning, we are blocked (account %d)."),
    ]

    static func request(_ i: Int, contacts: Int, runTag: String) -> IntakeRequest {
        let (subject, body) = texts[i % texts.count]
        let contact = i % max(1, contacts)
        return IntakeRequest(source: "bench", subject: subject, description: body.replacingOccurrences(of: "%d", with: String(40_000 + i)),
                             userEmail: "client\(contact)@bench.example", userName: "Client \(contact)", channel: "email",
                             messageId: "<bench-\(runTag)-\(i)@example>",
                             receivedAt: Timestamp.format(1_714_550_400 + Double(i)))
    }
}

extension Invocation {
    /// The embedded defaults in a scratch folder (or the given config), with the workflow over them.
    func benchAdapters(_ dir: String) throws -> Adapters {
        if args.value("config") != nil { return Adapters(config: try loadConfig(), registry: registry) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try writeAtomically(DefaultConfig.text(registry), to: dir + "/adapters.json")
        let config = try ConfigLoader(registry: registry, environment: environment).load(path: dir + "/adapters.json")
        return Adapters(config: config, registry: registry)
    }

    func scratch(_ name: String) -> String {
        args.value("dir") ?? NSTemporaryDirectory() + "plugboard-\(name)-\(getpid())"
    }
}

struct BenchIntakeCommand: Command {
    static let words = ["bench", "intake"]
    static let summary = "Measure intake throughput on the embedded defaults and the kernel's own time per request."
    static let synopsis = "[--count N] [--contacts N] [--concurrency N] [--dir DIR]"
    static let details = """
    Runs N synthetic requests through the whole workflow on the embedded defaults (sqlite, rules, local CRM and tasks,
    filesystem objects, log notifications) in a scratch folder, then prints requests/s (target >= 1,000) and the time
    per request spent outside the adapters (the kernel's overhead), measured by the policy layer's adapter timings.
    """
    static let options = [
        OptionSpec(name: "count", value: "N", help: "Requests (default 5000)."),
        OptionSpec(name: "contacts", value: "N", help: "Distinct customers (default count/5, so tickets thread)."),
        OptionSpec(name: "concurrency", value: "N", help: "Customers processed at once (default 8)."),
        OptionSpec(name: "dir", value: "DIR", help: "Scratch folder (default: a temporary one, removed after)."),
    ]

    static func run(_ inv: Invocation) async throws -> Int32 {
        let count = try inv.args.int("count", default: 5_000)
        let contacts = try inv.args.int("contacts", default: max(1, count / 5))
        let concurrency = try inv.args.int("concurrency", default: 8, range: 1...256)
        let dir = inv.scratch("bench-intake")
        defer { if inv.args.value("dir") == nil { try? FileManager.default.removeItem(atPath: dir) } }
        #if DEBUG
        inv.warn("note: debug build; run `swift run -c release plugboard bench intake` for real figures")
        #endif
        let adapters = try inv.benchAdapters(dir)
        let wf = try await inv.workflow(adapters)
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let requests = (0..<count).map { RequestGenerator.request($0, contacts: contacts, runTag: tag) }
        let before = BenchIntakeCommand.adapterSeconds(adapters.metrics)
        let clock = ContinuousClock()
        let start = clock.now
        let statuses = try await runByContact(requests, concurrency: concurrency) { try await wf.submit($0) }
        let elapsed = (clock.now - start).seconds
        let adapterSeconds = BenchIntakeCommand.adapterSeconds(adapters.metrics) - before
        try await adapters.close()
        let rate = Double(count) / elapsed
        // Wall time × workers is the time requests were being worked on; minus adapter time is the kernel's.
        let kernelPerRequest = max(0, elapsed * Double(min(concurrency, contacts)) - adapterSeconds) / Double(count)
        inv.print(String(format: "intake: %d requests (%d customers, %d at once) in %.2f s = %.0f requests/s (target >= 1,000): ratio %.2f",
                         count, contacts, concurrency, elapsed, rate, rate / 1000))
        inv.print(String(format: "adapter time: %.3f ms per request; kernel time outside adapters: %.3f ms per request",
                         adapterSeconds * 1000 / Double(count), kernelPerRequest * 1000))
        // Where adapter time went: the five costliest operations.
        let top = adapters.metrics.snapshot().sorted { $0.latencySum > $1.latencySum }.prefix(6)
        for op in top {
            inv.print(String(format: "  %@.%@ %@: %d calls, %.3f ms mean, %.1f%% of adapter time", op.key.port, op.key.adapter,
                             op.key.operation, op.calls, op.meanLatency * 1000, op.latencySum / max(adapterSeconds, 1e-9) * 100))
        }
        inv.print("outcomes: " + statuses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        return statuses.keys.allSatisfy({ $0 == "created" || $0 == "appended" }) ? 0 : 1
    }

    /// Time spent inside adapters so far, as the policy layer measured it.
    static func adapterSeconds(_ m: AdapterMetrics) -> Double { m.snapshot().reduce(0) { $0 + $1.latencySum } }

    /// Each customer's requests in order, customers in parallel: what `intake --batch` does.
    static func runByContact(_ requests: [IntakeRequest], concurrency: Int,
                             submit: @escaping @Sendable (IntakeRequest) async throws -> IntakeResult) async throws -> [String: Int] {
        var groups: [String: [IntakeRequest]] = [:]
        var order: [String] = []
        for r in requests {
            if groups[r.userEmail] == nil { order.append(r.userEmail) }
            groups[r.userEmail, default: []].append(r)
        }
        return try await withThrowingTaskGroup(of: [String].self) { g in
            var it = order.makeIterator()
            func next() -> Bool {
                guard let e = it.next(), let list = groups[e] else { return false }
                g.addTask {
                    var out: [String] = []
                    for r in list { out.append(try await submit(r).status.rawValue) }
                    return out
                }
                return true
            }
            for _ in 0..<concurrency where next() {}
            var counts: [String: Int] = [:]
            while let rs = try await g.next() {
                for s in rs { counts[s, default: 0] += 1 }
                _ = next()
            }
            return counts
        }
    }
}

struct BenchChaosCommand: Command {
    static let words = ["bench", "chaos"]
    static let summary = "Run intakes with injected faults (500, 429, timeouts, resets) and count completed, duplicated, lost."
    static let synopsis = "[--count N] [--fault-rate R] [--dir DIR]"
    static let details = """
    Wraps every port of the embedded defaults in a fault injector failing a share of calls, before or after the call
    takes effect, runs N requests, then `process-pending` until every job is done, and checks the outcome: each request
    exactly one message on one ticket, one notification, no duplicate contact or task. Exit 1 on any loss or duplicate.
    """
    static let options = [
        OptionSpec(name: "count", value: "N", help: "Requests (default 1000)."),
        OptionSpec(name: "fault-rate", value: "R", help: "Share of port calls that fail (default 0.3)."),
        OptionSpec(name: "dir", value: "DIR", help: "Scratch folder (default: a temporary one, removed after)."),
    ]

    static func run(_ inv: Invocation) async throws -> Int32 {
        let count = try inv.args.int("count", default: 1_000)
        guard let rate = Double(inv.args.value("fault-rate") ?? "0.3"), (0..<1).contains(rate) else {
            throw UsageError("--fault-rate: expected a number in [0, 1), got \"\(inv.args.value("fault-rate")!)\"")
        }
        // Injected faults are expected here: keep the per-fault warnings out of the report.
        if inv.args.value("log-level") == nil && inv.environment["PLUGBOARD_LOG"] == nil { Logger.configure(level: .error) }
        let dir = inv.scratch("bench-chaos")
        defer { if inv.args.value("dir") == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let adapters = try inv.benchAdapters(dir)
        let clean = try await inv.workflow(adapters)
        let plan = FaultPlan(rate: rate, seed: UInt64.random(in: 1...UInt64.max))
        let p = clean.ports
        let faulty = BenchChaosCommand.injectFaults(p, plan)
        let wf = Workflow(ports: faulty, settings: clean.settings,
                          queue: JobQueue(store: faulty.storage, maxAttempts: 100, leaseSeconds: 2, retryBase: .milliseconds(5)))
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let contacts = max(1, count / 5)
        let requests = (0..<count).map { RequestGenerator.request($0, contacts: contacts, runTag: tag) }
        let start = ContinuousClock.now
        // Callers resend a submission that failed before it was recorded, as webhook clients do.
        let resending = ResendingWorkflow(wf)
        _ = try await BenchIntakeCommand.runByContact(requests, concurrency: 8) { try await resending.submit($0) }
        var passes = 0
        while passes < 200 {
            passes += 1
            _ = try? await wf.processPending(concurrency: 8)
            let jobs = try await JobQueue(store: p.storage).counts()
            if (jobs["pending"] ?? 0) + (jobs["running"] ?? 0) == 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let elapsed = (ContinuousClock.now - start).seconds
        // Count what was produced, through the clean ports.
        let tickets = try await TicketBook(store: p.storage).list(TicketFilter())
        var messageIds: [String: Int] = [:]
        for t in tickets { for m in t.messages { messageIds[m.id ?? "?", default: 0] += 1 } }
        let expected = Set(requests.map { $0.messageId! })
        let lost = expected.subtracting(messageIds.keys).count
        let duplicated = messageIds.values.reduce(0) { $0 + max(0, $1 - 1) }
        let jobs = try await JobQueue(store: p.storage).counts()
        try await adapters.close()
        inv.print(String(format: "chaos: %d requests, fault rate %.0f%%, %d faults injected over %d calls, %.1f s, %d process-pending passes",
                         count, rate * 100, plan.injected.values.reduce(0, +), plan.calls, elapsed, passes))
        inv.print("faults: " + plan.injected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        inv.print("completed \(expected.count - lost) · duplicated \(duplicated) · lost \(lost) · tickets \(tickets.count) for \(contacts) customers · jobs done \(jobs["done"] ?? 0), failed \(jobs["failed"] ?? 0)")
        return lost == 0 && duplicated == 0 ? 0 : 1
    }
}

extension BenchChaosCommand {
    /// Puts the fault injector under each adapter's policy layer, where a flaky backend would be,
    /// so the layer's retries meet the faults as they would in production.
    static func injectFaults(_ p: WorkflowPorts, _ plan: FaultPlan) -> WorkflowPorts {
        // The same layers with a 5 ms back-off base, so a 1,000-request storm takes seconds rather than minutes.
        func fast(_ policy: CallPolicy) -> CallPolicy {
            var q = policy
            q.retry = RetryPolicy(maxAttempts: policy.retry.maxAttempts, baseDelay: .milliseconds(5), maxDelay: .milliseconds(200))
            return q
        }
        func storage(_ s: any DocumentStore) -> any DocumentStore {
            if let w = s as? PolicyStore { return PolicyStore(FaultyStore(w.base, plan), policy: fast(w.policy)) }
            return FaultyStore(s, plan)
        }
        func crm(_ c: any CRM) -> any CRM {
            if let w = c as? PolicyCRM { return PolicyCRM(FaultyCRM(w.base, plan), policy: fast(w.policy)) }
            return FaultyCRM(c, plan)
        }
        func tasks(_ t: any TaskTracker) -> any TaskTracker {
            if let w = t as? PolicyTasks { return PolicyTasks(FaultyTasks(w.base, plan), policy: fast(w.policy)) }
            return FaultyTasks(t, plan)
        }
        func objects(_ o: any ObjectStore) -> any ObjectStore {
            if let w = o as? PolicyObjects { return PolicyObjects(FaultyObjects(w.base, plan), policy: fast(w.policy)) }
            return FaultyObjects(o, plan)
        }
        func llm(_ l: any LanguageModel) -> any LanguageModel {
            if let w = l as? PolicyLanguageModel { return PolicyLanguageModel(FaultyLanguageModel(w.base, plan), policy: fast(w.policy)) }
            return FaultyLanguageModel(l, plan)
        }
        func notifier(_ n: any Notifier) -> any Notifier {
            if let w = n as? PolicyNotifier { return PolicyNotifier(FaultyNotifier(w.base, plan), policy: fast(w.policy)) }
            return FaultyNotifier(n, plan)
        }
        return WorkflowPorts(storage: storage(p.storage), crm: crm(p.crm), tasks: tasks(p.tasks), objects: objects(p.objects),
                             llm: llm(p.llm), notifier: notifier(p.notifier), fetcher: p.fetcher)
    }
}

/// Submits again when a submission fails before its job was recorded.
struct ResendingWorkflow: Sendable {
    let wf: Workflow
    init(_ wf: Workflow) { self.wf = wf }
    func submit(_ r: IntakeRequest) async throws -> IntakeResult {
        var last: (any Error)?
        for _ in 0..<100 {
            do { return try await wf.submit(r) } catch { last = error }
        }
        throw last!
    }
}
