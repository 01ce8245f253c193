import PlugboardKernel
import StoragePostgres
import Synchronization
import Testing

@Suite("postgres job claiming", .enabled(if: PG.reachable || PG.required, "no PostgreSQL at PLUGBOARD_TEST_PG_URL"))
struct PostgresJobClaimingTests {
    static let jobs = CollectionSpec.jobs
    static let t0 = "2024-06-01T12:00:00Z"

    func job(_ id: String, state: String, due: String) -> Document {
        Document(id: id, body: ["job_id": .string(id), "state": .string(state), "due_at": .string(due), "payload": ["n": .string(id)]])
    }

    @Test func concurrentClaimersNeverShareAJob() async throws {
        try await PG.withSchema("jobs") { schema in
            let a = try await PostgresStore.open(PG.configuration(schema: schema))
            let b = try await PostgresStore.open(PG.configuration(schema: schema))
            var docs: [Document] = []
            for i in 0..<300 { docs.append(job("due\(i)", state: "pending", due: "2024-06-01T1\(i % 2):\(10 + i % 50):00Z")) }
            for i in 0..<40 { docs.append(job("later\(i)", state: "pending", due: "2024-06-02T00:00:00Z")) }
            for i in 0..<20 { docs.append(job("done\(i)", state: "done", due: "2024-05-01T00:00:00Z")) }
            try await a.batchPut(Self.jobs, docs)

            // Four workers on two stores (two processes' worth of connections) drain the due jobs.
            let workers: [(String, PostgresStore)] = [("w1", a), ("w2", b), ("w3", a), ("w4", b)]
            let claims = try await withThrowingTaskGroup(of: (String, [StoredDocument]).self) { g in
                for (name, store) in workers {
                    g.addTask {
                        var mine: [StoredDocument] = []
                        while true {
                            let got = try await store.claimDueJobs(Self.jobs, JobClaim(
                                state: "pending", dueBefore: Self.t0, limit: 7, leaseSeconds: 300, worker: name,
                                claimedState: "running", now: Self.t0))
                            if got.isEmpty { break }
                            mine += got
                        }
                        return (name, mine)
                    }
                }
                var out: [(String, [StoredDocument])] = []
                for try await c in g { out.append(c) }
                return out
            }
            let all = claims.flatMap { $0.1.map(\.id) }
            #expect(all.count == 300, "every due job claimed once: got \(all.count)")
            #expect(Set(all).count == all.count, "no job claimed twice")
            #expect(Set(all) == Set((0..<300).map { "due\($0)" }), "only due, pending jobs")
            #expect(claims.filter { !$0.1.isEmpty }.count >= 2, "the work was actually shared")
            for (name, docs) in claims {
                for d in docs {
                    #expect(d.body["state"] == "running")
                    #expect(d.body["lease_owner"] == .string(name))
                    #expect(d.body["due_at"] == "2024-06-01T12:05:00Z", "lease runs 300 s from now")
                    #expect(d.body["claimed_at"] == .string(Self.t0))
                    #expect(d.revision == 2)
                }
            }
            // What was returned is what is stored, and the index follows.
            let stored = try await a.get(Self.jobs, id: "due0")
            #expect(stored?.body == claims.flatMap(\.1).first { $0.id == "due0" }?.body)
            let pending = try await a.queryAll(Self.jobs, IndexQuery(index: "state-due_at", partition: "pending"))
            #expect(pending.count == 40)
            try await a.close()
            try await b.close()
        }
    }

    @Test func anExpiredLeaseIsTakenOverAndTheOldOwnerLoses() async throws {
        try await PG.withSchema("jobs") { schema in
            let s = try await PostgresStore.open(PG.configuration(schema: schema))
            try await s.batchPut(Self.jobs, [job("j1", state: "pending", due: "2024-06-01T11:00:00Z")])
            let first = try await s.claimDueJobs(Self.jobs, JobClaim(
                state: "pending", dueBefore: Self.t0, limit: 5, leaseSeconds: 60, worker: "w1", claimedState: "running", now: Self.t0))
            #expect(first.map(\.id) == ["j1"])
            let early = try await s.claimDueJobs(Self.jobs, JobClaim(
                state: "running", dueBefore: "2024-06-01T12:00:30Z", limit: 5, leaseSeconds: 60, worker: "w2",
                claimedState: "running", now: "2024-06-01T12:00:30Z"))
            #expect(early.isEmpty, "a live lease is not taken over")
            let late = try await s.claimDueJobs(Self.jobs, JobClaim(
                state: "running", dueBefore: "2024-06-01T12:01:01Z", limit: 5, leaseSeconds: 60, worker: "w2",
                claimedState: "running", now: "2024-06-01T12:01:01Z"))
            #expect(late.map(\.id) == ["j1"], "an expired lease is")
            #expect(late.first?.body["lease_owner"] == "w2")
            var done = first[0].body
            done["state"] = "done"
            await #expect {
                try await s.put(Self.jobs, id: "j1", body: done, condition: .revision(first[0].revision))
            } throws: { ($0 as? PlugboardError)?.code == .conflict }
            try await s.close()
        }
    }

    @Test func claimsAreValidated() async throws {
        try await PG.withSchema("jobs") { schema in
            let s = try await PostgresStore.open(PG.configuration(schema: schema))
            for bad in [
                JobClaim(index: "nope", state: "p", dueBefore: Self.t0, limit: 1, leaseSeconds: 1, worker: "w", claimedState: "r"),
                JobClaim(state: "p", dueBefore: "yesterday", limit: 1, leaseSeconds: 1, worker: "w", claimedState: "r"),
                JobClaim(state: "p", dueBefore: Self.t0, limit: 0, leaseSeconds: 1, worker: "w", claimedState: "r"),
                JobClaim(state: "p", dueBefore: Self.t0, limit: 1, leaseSeconds: 0, worker: "w", claimedState: "r"),
            ] {
                await #expect { _ = try await s.claimDueJobs(Self.jobs, bad) } throws: { ($0 as? PlugboardError)?.code == .invalidInput }
            }
            try await s.close()
        }
    }

    @Test func nativeAndRevisionClaimsWriteTheSameDocuments() async throws {
        try await PG.withSchema("jobs") { schema in
            let s = try await PostgresStore.open(PG.configuration(schema: schema))
            let memory = MemoryStore()
            let docs = (0..<10).map { job("j\($0)", state: "pending", due: "2024-06-01T0\($0):00:00+02:00") }
            try await s.batchPut(Self.jobs, docs)
            try await memory.batchPut(Self.jobs, docs)
            let claim = JobClaim(state: "pending", dueBefore: "2024-06-01T03:00:00Z", limit: 4, leaseSeconds: 90, worker: "w",
                                 claimedState: "running", now: Self.t0)
            let native = try await s.claimDueJobs(Self.jobs, claim)
            let fallback = try await memory.claimDueJobsByRevision(Self.jobs, claim)
            #expect(native.count == 4)
            #expect(native == fallback, "same jobs, bodies and revisions")
            try await s.close()
        }
    }
}
