extension PolicyStore: BulkImporting {
    /// One policed call: the adapter's own bulk import when it has one, else
    /// `batchPut` bisected on refusals. Re-sending a whole call after a retryable
    /// failure is safe: imports are idempotent overwrites.
    public func importDocuments(_ c: CollectionSpec, _ documents: [Document]) async throws -> [ImportFailure] {
        try await policy.call(operation: "importDocuments") { [base] in try await base.bulkImport(c, documents) }
    }
}
