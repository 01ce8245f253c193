import PlugboardKernel
import Testing

@Suite("job claiming by revision")
struct JobClaimingTests {
    static let t0 = "2024-06-01T12:00:00Z"

    func claim(_ worker: String, limit: Int = 5) -> JobClaim {
        JobClaim(state: "pending", dueBefore: Self.t0, limit: limit, leaseSeconds: 120, worker: worker,
                 claimedState: "running", now: Self.t0)
    }

    @Test func concurrentClaimersNeverShareAJob() async throws {
        let store = MemoryStore()
        var docs = (0..<200).map { i in
            Document(id: "j\(i)", body: ["job_id": .string("j\(i)"), "state": "pending", "due_at": "2024-06-01T11:00:00Z"])
        }
        docs.append(Document(id: "later", body: ["job_id": "later", "state": "pending", "due_at": "2024-06-01T13:00:00Z"]))
        try await store.batchPut(.jobs, docs)
        let claimed = try await withThrowingTaskGroup(of: [String].self) { g in
            for w in 0..<4 {
                g.addTask {
                    var mine: [String] = []
                    while true {
                        let got = try await store.claimDueJobsByRevision(.jobs, claim("w\(w)"))
                        if got.isEmpty { break }
                        mine += got.map(\.id)
                    }
                    return mine
                }
            }
            var all: [String] = []
            for try await ids in g { all += ids }
            return all
        }
        #expect(claimed.count == 200)
        #expect(Set(claimed).count == 200, "no job claimed twice")
        #expect(!claimed.contains("later"), "a job not yet due stays")
    }

    @Test func aClaimRewritesStateDueTimeAndOwner() async throws {
        let store = MemoryStore()
        try await store.put(.jobs, id: "j", body: ["job_id": "j", "state": "pending", "due_at": "2024-06-01T13:00:00+02:00", "x": 1])
        let got = try await store.claimDueJobsByRevision(.jobs, claim("me"))
        #expect(got.count == 1)
        #expect(got.first?.revision == 2)
        #expect(got.first?.body == ["job_id": "j", "state": "running", "due_at": "2024-06-01T12:02:00Z", "x": 1,
                                    "lease_owner": "me", "claimed_at": .string(Self.t0)])
        #expect(try await store.get(.jobs, id: "j") == got.first)
        #expect(try await store.claimDueJobsByRevision(.jobs, claim("other")).isEmpty, "a claimed job is no longer pending")
    }

    @Test func claimsNeedAStateAndTimestampIndex() async throws {
        let store = MemoryStore()
        let bad = CollectionSpec(name: "plain", indexes: [IndexSpec(name: "by-x", partition: "x", sort: "y", sortIsTimestamp: false)])
        await #expect { _ = try await store.claimDueJobsByRevision(bad, JobClaim(
            index: "by-x", state: "p", dueBefore: Self.t0, limit: 1, leaseSeconds: 1, worker: "w", claimedState: "r"))
        } throws: { ($0 as? PlugboardError)?.code == .invalidInput }
    }
}
