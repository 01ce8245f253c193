import Foundation

/// Claims due jobs for one worker, so several workers sharing one store never
/// run the same job twice. A storage adapter adopts it when its backend can
/// claim natively (PostgreSQL: row locks with `FOR UPDATE SKIP LOCKED`); for any
/// other store, `DocumentStore.claimDueJobsByRevision` does the same with
/// revision preconditions.
///
/// A job is a document of a collection with an index whose partition field
/// holds the job's state and whose sort field (a timestamp) holds when it is
/// due — `CollectionSpec.jobs` and its `state-due_at` index. A claim takes up
/// to `limit` jobs in `state` due at or before `dueBefore`, earliest first, and
/// rewrites each one as leased (`JobClaim.leased`):
/// - the partition field becomes `claimedState` (e.g. `running`);
/// - the sort field becomes the lease's expiry (`now` + `leaseSeconds`), so the
///   job of a worker that died is due again in `claimedState` and another
///   worker takes it over by claiming from `claimedState`;
/// - `lease_owner` becomes `worker` and `claimed_at` becomes `now`;
/// - the revision grows by one.
///
/// The returned documents are the rewritten ones: the worker follows up with
/// writes at their revision, which conflict if its lease was taken over.
///
/// ## Implementation requirements
/// - Two concurrent claims, from any number of processes, never return the same job.
/// - Rewrite bodies with `JobClaim.leased`, so every backend writes the same fields.
/// - Validate with `JobClaim.validated(for:)` (the same errors everywhere).
public protocol JobClaiming: Sendable {
    func claimDueJobs(_ collection: CollectionSpec, _ claim: JobClaim) async throws -> [StoredDocument]
}

/// One claim of due jobs; see `JobClaiming`.
public struct JobClaim: Sendable, Hashable {
    /// The index whose partition is the state and whose sort is the due time (`state-due_at`).
    public var index: String
    /// The state to claim from (`pending`, or `claimedState` to take over expired leases).
    public var state: String
    /// Jobs due at or before this ISO 8601 time are claimable.
    public var dueBefore: String
    /// At most this many jobs are claimed.
    public var limit: Int
    /// How long the lease lasts, from `now`.
    public var leaseSeconds: Int
    /// Who claims, written to `lease_owner`.
    public var worker: String
    /// The state a claimed job is moved to.
    public var claimedState: String
    /// The claim's clock (ISO 8601): the lease runs from it. Defaults to the current time.
    public var now: String

    public init(index: String = "state-due_at", state: String, dueBefore: String, limit: Int, leaseSeconds: Int,
                worker: String, claimedState: String, now: String = Timestamp.now()) {
        self.index = index
        self.state = state
        self.dueBefore = dueBefore
        self.limit = limit
        self.leaseSeconds = leaseSeconds
        self.worker = worker
        self.claimedState = claimedState
        self.now = now
    }

    /// The body field holding the claiming worker.
    public static let ownerField = "lease_owner"
    /// The body field holding when the job was claimed.
    public static let claimedAtField = "claimed_at"

    /// A claim checked against its collection, with its times normalized.
    public struct Validated: Sendable {
        public let index: IndexSpec
        public let partitionField: String
        public let sortField: String
        /// `dueBefore`, normalized to UTC (comparable with stored sort values).
        public let dueBefore: String
        /// `now`, normalized.
        public let now: String
        /// When the lease runs out, normalized.
        public let leaseUntil: String
    }

    /// Checks the claim against `collection`: the index must exist and have a
    /// partition field and a timestamp sort field; times must be ISO 8601.
    public func validated(for collection: CollectionSpec) throws -> Validated {
        let index = try collection.index(named: self.index)
        guard let p = index.partitionField, let s = index.sortField, index.sortIsTimestamp else {
            throw PlugboardError.invalidInput(
                "index \(index.name) of \(collection.name) cannot hold jobs: it needs a partition (state) and a timestamp sort (due time)")
        }
        guard limit > 0 else { throw PlugboardError.invalidInput("job claim limit must be positive, got \(limit)") }
        guard leaseSeconds > 0 else { throw PlugboardError.invalidInput("job lease must be positive, got \(leaseSeconds) s") }
        guard let due = Timestamp.normalize(dueBefore) else {
            throw PlugboardError.invalidInput("job claim dueBefore is not an ISO 8601 time: \"\(dueBefore.prefix(40))\"")
        }
        guard let t = Timestamp.parse(now) else {
            throw PlugboardError.invalidInput("job claim now is not an ISO 8601 time: \"\(now.prefix(40))\"")
        }
        return Validated(index: index, partitionField: p, sortField: s, dueBefore: due,
                         now: Timestamp.format(t), leaseUntil: Timestamp.format(t + Double(leaseSeconds)))
    }

    /// `body` rewritten as leased by this claim (see `JobClaiming`).
    public func leased(_ body: JSON, _ v: Validated) -> JSON {
        var b = body
        b[v.partitionField] = .string(claimedState)
        b[v.sortField] = .string(v.leaseUntil)
        b[JobClaim.ownerField] = .string(worker)
        b[JobClaim.claimedAtField] = .string(v.now)
        return b
    }
}

extension DocumentStore {
    /// Claims due jobs with revision preconditions: for stores without a native
    /// claim. Each candidate is rewritten at the revision it was read at; a
    /// conflict means another worker took it, and it is skipped. Correct on any
    /// store that honours `WriteCondition.revision`, at the price of wasted
    /// reads under contention.
    public func claimDueJobsByRevision(_ collection: CollectionSpec, _ claim: JobClaim) async throws -> [StoredDocument] {
        let v = try claim.validated(for: collection)
        let page = try await query(collection, IndexQuery(index: claim.index, partition: claim.state,
                                                          to: v.dueBefore, limit: claim.limit))
        var claimed: [StoredDocument] = []
        for doc in page.documents {
            let body = claim.leased(doc.body, v)
            do {
                let rev = try await put(collection, id: doc.id, body: body, condition: .revision(doc.revision))
                claimed.append(StoredDocument(id: doc.id, revision: rev, body: body))
            } catch let e as PlugboardError where e.code == .conflict {
                continue
            }
        }
        return claimed
    }
}
