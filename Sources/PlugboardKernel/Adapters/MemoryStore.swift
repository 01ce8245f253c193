import Synchronization

/// The `memory` storage adapter: everything in process memory, gone on exit.
/// For tests and dry runs; the reference the conformance suite is checked against.
public final class MemoryStore: DocumentStore {
    private let state = Mutex<[String: [String: StoredDocument]]>([:])

    public init() {}

    public static let descriptor = AdapterDescriptor(
        port: .storage, name: "memory", summary: "In-process memory; nothing survives the process (tests, dry runs).",
        fields: [], capabilities: ["transactions"])

    public static let registryEntry = Registry.Entry(descriptor, .storage { _, _ in MemoryStore() })

    public func get(_ c: CollectionSpec, id: String) async throws -> StoredDocument? {
        state.withLock { $0[c.name]?[id] }
    }

    public func put(_ c: CollectionSpec, id: String, body: JSON, condition: WriteCondition) async throws -> Int64 {
        try state.withLock { s in
            let current = s[c.name]?[id]
            try MemoryStore.check(condition, current: current, c, id)
            let rev = (current?.revision ?? 0) + 1
            s[c.name, default: [:]][id] = StoredDocument(id: id, revision: rev, body: body)
            return rev
        }
    }

    public func delete(_ c: CollectionSpec, id: String, condition: WriteCondition) async throws -> Bool {
        try state.withLock { s in
            let current = s[c.name]?[id]
            try MemoryStore.check(condition, current: current, c, id)
            return s[c.name]?.removeValue(forKey: id) != nil
        }
    }

    /// The precondition rule every in-memory adapter applies.
    public static func check(_ condition: WriteCondition, current: StoredDocument?, _ c: CollectionSpec, _ id: String) throws {
        switch condition {
        case .none: return
        case .absent:
            if current != nil { throw PlugboardError.conflict("\(c.name)/\(id) already exists") }
        case .revision(let r):
            guard let current else { throw PlugboardError.conflict("\(c.name)/\(id) does not exist (expected revision \(r))") }
            if current.revision != r {
                throw PlugboardError.conflict("\(c.name)/\(id) is at revision \(current.revision), expected \(r)")
            }
        }
    }

    public func query(_ c: CollectionSpec, _ q: IndexQuery) async throws -> Page {
        let docs = state.withLock { Array(($0[c.name] ?? [:]).values) }
        return try q.evaluate(c, over: docs)
    }

    public func batchPut(_ c: CollectionSpec, _ documents: [Document]) async throws {
        state.withLock { s in
            var coll = s[c.name] ?? [:]
            for d in documents {
                coll[d.id] = StoredDocument(id: d.id, revision: (coll[d.id]?.revision ?? 0) + 1, body: d.body)
            }
            s[c.name] = coll
        }
    }

    public func scan(_ c: CollectionSpec, batchSize: Int) -> AsyncThrowingStream<[StoredDocument], any Error> {
        let docs = state.withLock { Array(($0[c.name] ?? [:]).values) }
        return AsyncThrowingStream { cont in
            var i = 0
            while i < docs.count {
                cont.yield(Array(docs[i..<min(i + max(batchSize, 1), docs.count)]))
                i += max(batchSize, 1)
            }
            cont.finish()
        }
    }

    public func count(_ c: CollectionSpec) async throws -> Int { state.withLock { $0[c.name]?.count ?? 0 } }
}
