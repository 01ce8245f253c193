/// A `DocumentStore` under a `CallPolicy`: every operation retried, budgeted,
/// counted and logged by the kernel, none by the adapter.
///
/// `scan` is passed through untouched: a stream cannot be retried from the
/// middle without repeating or losing batches, so its consumer decides.
/// Job claiming goes to the adapter's own `JobClaiming` when it has one (as one
/// policed call), otherwise to `claimDueJobsByRevision` over the policed
/// operations, so wrapping never hides the capability.
public struct PolicyStore: DocumentStore, JobClaiming {
    /// The adapter inside, for callers that need its own type or capabilities.
    public let base: any DocumentStore
    public let policy: CallPolicy

    public init(_ base: any DocumentStore, policy: CallPolicy) {
        self.base = base
        self.policy = policy
    }

    public func get(_ c: CollectionSpec, id: String) async throws -> StoredDocument? {
        try await policy.call(operation: "get") { [base] in try await base.get(c, id: id) }
    }
    @discardableResult
    public func put(_ c: CollectionSpec, id: String, body: JSON, condition: WriteCondition) async throws -> Int64 {
        try await policy.call(operation: "put") { [base] in try await base.put(c, id: id, body: body, condition: condition) }
    }
    @discardableResult
    public func delete(_ c: CollectionSpec, id: String, condition: WriteCondition) async throws -> Bool {
        try await policy.call(operation: "delete") { [base] in try await base.delete(c, id: id, condition: condition) }
    }
    public func query(_ c: CollectionSpec, _ q: IndexQuery) async throws -> Page {
        try await policy.call(operation: "query") { [base] in try await base.query(c, q) }
    }
    public func batchPut(_ c: CollectionSpec, _ documents: [Document]) async throws {
        try await policy.call(operation: "batchPut") { [base] in try await base.batchPut(c, documents) }
    }
    public func scan(_ c: CollectionSpec, batchSize: Int) -> AsyncThrowingStream<[StoredDocument], any Error> {
        base.scan(c, batchSize: batchSize)
    }
    public func count(_ c: CollectionSpec) async throws -> Int {
        try await policy.call(operation: "count") { [base] in try await base.count(c) }
    }
    /// Not retried: closing twice is not the same as closing once.
    public func close() async throws {
        try await base.close()
    }

    public func claimDueJobs(_ c: CollectionSpec, _ claim: JobClaim) async throws -> [StoredDocument] {
        if let claiming = base as? any JobClaiming {
            return try await policy.call(operation: "claimDueJobs") { try await claiming.claimDueJobs(c, claim) }
        }
        return try await claimDueJobsByRevision(c, claim)
    }
}
