import Foundation
import PlugboardKernel
import StoragePostgres
@testable import PlugboardWorkflow
import Testing

/// Everything the workflow produced, counted, for exactly-once checks.
struct Produced: Equatable, CustomStringConvertible {
    var tickets: Int, messages: Int, duplicateMessages: Int, contacts: Int, tasks: Int, objects: Int, notifications: Int,
        duplicateNotifications: Int, jobsNotDone: Int
    var description: String {
        "tickets \(tickets), messages \(messages) (dup \(duplicateMessages)), contacts \(contacts), tasks \(tasks), objects \(objects), notifications \(notifications) (dup \(duplicateNotifications)), jobs not done \(jobsNotDone)"
    }

    static func count(_ h: WorkflowHarness) async throws -> Produced {
        let tickets = try await h.tickets()
        var dupMessages = 0
        for t in tickets {
            let ids = t.messages.compactMap(\.id)
            dupMessages += ids.count - Set(ids).count
        }
        let notes = try h.notificationCounts()
        let files = (FileManager.default.enumerator(atPath: h.dir.appendingPathComponent("objects").path)?.allObjects as? [String] ?? [])
            .filter { !$0.contains(".plugboard") && !$0.hasSuffix("/") && $0.split(separator: "/").count == 4 }
        let jobs = try await JobQueue(store: h.store).counts()
        return Produced(tickets: tickets.count, messages: tickets.reduce(0) { $0 + $1.messages.count }, duplicateMessages: dupMessages,
                        contacts: try await h.all(.contacts).count,
                        tasks: try await h.all(CollectionSpec(name: "tasks", keyField: "task_id")).count,
                        objects: files.count, notifications: notes.count, duplicateNotifications: notes.values.reduce(0) { $0 + $1 - 1 },
                        jobsNotDone: (jobs["pending"] ?? 0) + (jobs["running"] ?? 0) + (jobs["failed"] ?? 0))
    }
}

@Suite("workflow: durability")
struct WorkflowDurabilityTests {
    /// A request with a file, a task and a follow-up; killed after every single write in turn.
    @Test func killedAfterAnyWriteResumesExactlyOnce() async throws {
        // A clean run counts the writes and gives the expected outcome.
        let clean = try WorkflowHarness()
        defer { clean.cleanup() }
        let file = clean.dir.appendingPathComponent("plan.txt")
        try Data("hypothèses de volume".utf8).write(to: file)
        let first = request("zoe@example.com", "Modélisation tarifaire", "Please model the 2024 pricing", messageId: "<z1@x>",
                            at: "2024-04-01T09:00:00Z", files: [.init(name: "plan.txt", path: file.path)])
        let second = request("zoe@example.com", "Re: Modélisation", "Voici les volumes", messageId: "<z2@x>", inReplyTo: "<z1@x>",
                             at: "2024-04-01T10:00:00Z")
        let counter = CrashingStore(clean.store, crashAt: .max, applyCrashingWrite: false)
        let wfClean = clean.workflow(store: counter)
        _ = try await wfClean.submit(first)
        _ = try await wfClean.submit(second)
        let expected = try await Produced.count(clean)
        #expect(expected == Produced(tickets: 1, messages: 2, duplicateMessages: 0, contacts: 1, tasks: 1, objects: 1,
                                     notifications: 2, duplicateNotifications: 0, jobsNotDone: 0), "\(expected)")
        let totalWrites = try #require(Mirror(reflecting: counter).children.first { $0.label == "writes" }?.value as? Int)
        // Two requests with a file, a task and a follow-up: 18 writes when this was written; a count far
        // lower means the counter stopped seeing the workflow's writes and the loop below proves little.
        #expect(totalWrites >= 15)

        for crashAt in 1...totalWrites {
            for apply in [false, true] {
                let h = try WorkflowHarness()
                defer { h.cleanup() }
                try Data("hypothèses de volume".utf8).write(to: file)
                let crashing = CrashingStore(h.store, crashAt: crashAt, applyCrashingWrite: apply)
                let dying = h.workflow(store: crashing)
                _ = try? await dying.submit(first)
                _ = try? await dying.submit(second)
                // A new process: resubmits the batch (as a user would) and runs what is pending.
                let fresh = h.workflow(worker: "second")
                try await Task.sleep(for: .milliseconds(220))  // the dead worker's lease expires
                _ = try await fresh.submit(first)
                _ = try await fresh.submit(second)
                try await drain(fresh, store: h.store)
                let got = try await Produced.count(h)
                #expect(got == expected, "killed at write \(crashAt) (applied: \(apply)): \(got)")
            }
        }
    }

    /// 200 requests from 40 contacts with 30% of every port call failing (before or after taking effect).
    @Test func chaosEveryRequestCompletesOnceDespiteFaults() async throws {
        let h = try WorkflowHarness()
        defer { h.cleanup() }
        let plan = FaultPlan(rate: 0.3, seed: 7)
        let wf = h.workflow(faults: plan)
        var requests: [IntakeRequest] = []
        for i in 0..<200 {
            let contact = i % 40
            let topic = contact % 5 == 0 ? "Please model the scenario" : "Commande en retard"
            requests.append(request("client\(contact)@example.com", "Demande \(i)", "\(topic) (\(i))", messageId: "<r\(i)@x>",
                                    at: Timestamp.format(1_714_550_400 + Double(i) * 60)))
        }
        // Contacts in parallel, each contact's requests in order, as the batch command does.
        await withTaskGroup(of: Void.self) { g in
            for c in 0..<40 {
                let mine = requests.enumerated().filter { $0.offset % 40 == c }.map(\.element)
                // A caller whose submission failed (the job was not recorded) sends it again, as a webhook client does.
                g.addTask {
                    for r in mine {
                        for _ in 0..<50 { if (try? await wf.submit(r)) != nil { break } }
                    }
                }
            }
        }
        try await drain(wf, store: h.store, seconds: 300)
        // Resubmitting everything after the storm changes nothing.
        for r in requests.prefix(20) { _ = try? await wf.submit(r) }
        try await drain(wf, store: h.store, seconds: 30)
        let got = try await Produced.count(h)
        #expect(plan.injected.values.reduce(0, +) > 300, "faults were injected: \(plan.injected)")
        #expect(got == Produced(tickets: 40, messages: 200, duplicateMessages: 0, contacts: 40, tasks: 8, objects: 0,
                                notifications: 200, duplicateNotifications: 0, jobsNotDone: 0), "\(got)")
    }
}

@Suite("workflow: one ticket per conversation under concurrency")
struct WorkflowConcurrencyTests {
    /// 50 requests for one new contact at once, spread over `workers` workflow instances each with its own store handle.
    static func fiftyAtOnce(_ stores: [any DocumentStore], reader: any DocumentStore) async throws -> (tickets: Int, messages: Int) {
        let h = try WorkflowHarness(store: reader)
        defer { h.cleanup() }
        let workflows = stores.enumerated().map { h.workflow(worker: "w\($0.offset)", store: $0.element) }
        try await withThrowingTaskGroup(of: Void.self) { g in
            for i in 0..<50 {
                let wf = workflows[i % workflows.count]
                g.addTask {
                    let r = try await wf.submit(request("new.client@example.com", "Message \(i)", "Texte \(i)", messageId: "<n\(i)@x>",
                                                        at: "2024-07-01T10:00:00Z"))
                    if r.status == .queued { try await drain(wf, store: reader, seconds: 30) }
                }
            }
            try await g.waitForAll()
        }
        let tickets = try await h.tickets()
        return (tickets.count, tickets.reduce(0) { $0 + $1.messages.count })
    }

    @Test func memoryStore() async throws {
        let s = MemoryStore()
        let r = try await Self.fiftyAtOnce([s, s, s, s], reader: s)
        #expect(r.tickets == 1)
        #expect(r.messages == 50)
    }
}

/// The same race on real databases: separate store instances (connection pools) per worker.
@Suite("workflow: one ticket per conversation on PostgreSQL",
       .enabled(if: ProcessInfo.processInfo.environment["PLUGBOARD_TEST_PG_URL"] != nil
                || ProcessInfo.processInfo.environment["REQUIRE_PG"] == "1",
                "set PLUGBOARD_TEST_PG_URL (Scripts/test.sh does)"))
struct WorkflowPostgresTests {
    @Test func fiftyAtOnceOnFourPools() async throws {
        let url = ProcessInfo.processInfo.environment["PLUGBOARD_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:55432/plugboard_test"
        let schema = "wf" + String(UInt64.random(in: 0..<UInt64.max), radix: 36)
        var stores: [any DocumentStore] = []
        for _ in 0..<4 { stores.append(try await PostgresStore.open(.init(url: url, poolSize: 3, schema: schema))) }
        let r = try await WorkflowConcurrencyTests.fiftyAtOnce(stores, reader: stores[0])
        for s in stores { try await s.close() }
        #expect(r.tickets == 1)
        #expect(r.messages == 50)
    }
}
