import PlugboardKernel

/// `--verify`: the target, read back through its adapter, against the source's
/// migratable records (the first record of each id), by count and by the
/// SHA-256 of each document's canonical JSON (`ContentHash`).
struct MigrationVerifier {
    struct Report: Sendable {
        var sourceCount: Int
        var targetCount: Int
        /// In the source, not in the target.
        var missing: [String]
        /// In the target, not in the source.
        var extra: [String]
        /// In both, with different content.
        var changed: [String]

        var identical: Bool { missing.isEmpty && extra.isEmpty && changed.isEmpty && sourceCount == targetCount }
    }

    /// Reads every document of `collection` in `target` (none when `target` is nil)
    /// and compares it with `source` (id → hash).
    static func verify(source: [String: ContentHash], target: (any DocumentStore)?, collection: CollectionSpec) async throws -> Report {
        var seen = Set<String>()
        seen.reserveCapacity(source.count)
        var extra: [String] = []
        var changed: [String] = []
        var targetCount = 0
        if let target {
            for try await batch in target.scan(collection, batchSize: 1_000) {
                for doc in batch {
                    targetCount += 1
                    seen.insert(doc.id)
                    guard let expected = source[doc.id] else { extra.append(doc.id); continue }
                    if ContentHash(doc.body) != expected { changed.append(doc.id) }
                }
            }
        }
        let missing = source.keys.filter { !seen.contains($0) }
        return Report(sourceCount: source.count, targetCount: targetCount, missing: missing.sorted(), extra: extra.sorted(),
                      changed: changed.sorted())
    }
}
