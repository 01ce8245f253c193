/// Loads many documents into a store as plain, unconditional overwrites — a
/// migration — reporting the documents the backend refuses one by one instead
/// of failing their whole batch.
///
/// A storage adapter adopts it when its backend has a faster bulk path than
/// `batchPut` (DynamoDB: raw `BatchWriteItem`, no revision reads). Any other
/// store gets the same behaviour from `DocumentStore.importDocumentsByBatchPut`,
/// and `PolicyStore` picks whichever applies, so wrapping never hides it.
///
/// ## Implementation requirements
/// - Each document is written unconditionally as the whole stored document:
///   importing the same documents again leaves the store identical (idempotent),
///   so a caller may re-send a batch whose outcome it did not hear.
/// - A document the backend refuses (too large, a value it cannot store, a
///   reserved field) is returned as an `ImportFailure` with a reason a person can
///   act on; every other document of the call is written.
/// - Two documents with one id in one call: the later one is written.
/// - Only failures of the store itself throw (unreachable, credentials, throttled
///   beyond hope); the caller may then retry the whole call.
/// - What revision an imported document is at is the store's business (DynamoDB:
///   an item without the adapter's revision attribute reads as revision 1).
public protocol BulkImporting: Sendable {
    /// Writes `documents`; returns the ones that were refused, with why.
    func importDocuments(_ collection: CollectionSpec, _ documents: [Document]) async throws -> [ImportFailure]
}

/// A document a bulk import could not write.
public struct ImportFailure: Sendable, Hashable, CustomStringConvertible {
    public var id: String
    /// Why, for a person (`item is 412,331 bytes; DynamoDB stores at most 409,600`).
    public var reason: String

    public init(id: String, reason: String) {
        self.id = id
        self.reason = reason
    }

    public var description: String { "\(id): \(reason)" }
}

extension DocumentStore {
    /// `BulkImporting` for any store: `batchPut`, and when the backend refuses the
    /// batch as `.invalidInput`, the halves again until each refused document is
    /// alone, so one bad document does not fail its neighbours. Other errors are thrown.
    public func importDocumentsByBatchPut(_ collection: CollectionSpec, _ documents: [Document]) async throws -> [ImportFailure] {
        guard !documents.isEmpty else { return [] }
        do {
            try await batchPut(collection, documents)
            return []
        } catch let e as PlugboardError where e.code == .invalidInput {
            guard documents.count > 1 else { return [ImportFailure(id: documents[0].id, reason: e.message)] }
            let middle = documents.count / 2
            let head = try await importDocumentsByBatchPut(collection, Array(documents[..<middle]))
            return head + (try await importDocumentsByBatchPut(collection, Array(documents[middle...])))
        }
    }

    /// The store's own bulk import when it has one, `importDocumentsByBatchPut` otherwise.
    /// (Named apart from the requirement, so it can never be taken as a store's witness of it.)
    public func bulkImport(_ collection: CollectionSpec, _ documents: [Document]) async throws -> [ImportFailure] {
        if let importing = self as? any BulkImporting {
            return try await importing.importDocuments(collection, documents)
        }
        return try await importDocumentsByBatchPut(collection, documents)
    }
}
