/// Query evaluation over documents held in memory, shared by adapters that
/// keep everything in memory (`memory`, `json`), so their ordering and cursor
/// rules are the kernel's and cannot drift.
extension IndexQuery {
    public func evaluate(_ collection: CollectionSpec, over documents: some Sequence<StoredDocument>) throws -> Page {
        let index = try collection.index(named: self.index)
        if index.partitionField != nil && partition == nil {
            throw PlugboardError.invalidInput("index \(index.name) of \(collection.name) needs a partition value (\(index.partitionField!))")
        }
        guard limit > 0 else { throw PlugboardError.invalidInput("query limit must be positive, got \(limit)") }
        let after = try cursor.map(IndexCursor.init(decoding:))
        var hits: [(sort: String, doc: StoredDocument)] = []
        for d in documents {
            guard let key = collection.indexKey(index, of: d.body) else { continue }
            if let p = partition, key.partition != p { continue }
            if let from, key.sort < from { continue }
            if let to, key.sort > to { continue }
            if let after {
                let beyond = descending
                    ? (key.sort, d.id) < (after.sort, after.id)
                    : (key.sort, d.id) > (after.sort, after.id)
                if !beyond { continue }
            }
            hits.append((key.sort, d))
        }
        hits.sort { descending ? ($0.sort, $0.doc.id) > ($1.sort, $1.doc.id) : ($0.sort, $0.doc.id) < ($1.sort, $1.doc.id) }
        let page = hits.prefix(limit)
        let next = hits.count > limit ? page.last.map { IndexCursor(sort: $0.sort, id: $0.doc.id).encoded } : nil
        return Page(documents: page.map(\.doc), nextCursor: next)
    }
}
