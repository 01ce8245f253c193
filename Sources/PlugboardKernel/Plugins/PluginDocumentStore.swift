/// A `DocumentStore` whose work is done by a run-time plugin, over the storage
/// operations of `plugboard_plugin.h` (contract version 1).
///
/// The kernel does what can be done once for every plugin: it validates
/// queries (index, partition, limit), computes each document's index values
/// with `CollectionSpec.indexKey`, decodes and encodes cursors, and passes
/// bodies as JSON text the plugin may store without parsing.
final class PluginDocumentStore: DocumentStore {
    let instance: PluginInstance

    init(instance: PluginInstance) { self.instance = instance }

    private static func condition(_ c: WriteCondition) -> JSON {
        switch c {
        case .none: return .null
        case .absent: return "absent"
        case .revision(let r): return ["revision": .number(JSONNumber(r))]
        }
    }

    /// `{index name: {"partition", "sort"}}` for the indexes the body is in.
    private static func indexKeys(_ c: CollectionSpec, _ body: JSON) -> JSON {
        var o: [String: JSON] = [:]
        for index in c.indexes {
            if let k = c.indexKey(index, of: body) { o[index.name] = ["partition": .string(k.partition), "sort": .string(k.sort)] }
        }
        return .object(o)
    }

    private func stored(_ v: JSON, id fallback: String? = nil) throws -> StoredDocument {
        guard let id = v["id"]?.stringValue ?? fallback, let rev = v["revision"]?.intValue,
              let text = v["body"]?.stringValue, let body = try? JSONParser.parse(text)
        else { throw PlugboardError(.internal, "the plugin returned a malformed document: \(v.snippet)", adapter: instance.adapter) }
        return StoredDocument(id: id, revision: Int64(rev), body: body)
    }

    func get(_ c: CollectionSpec, id: String) async throws -> StoredDocument? {
        let r = try await instance.call("get", ["collection": .string(c.name), "id": .string(id)])
        return r == .null ? nil : try stored(r, id: id)
    }

    func put(_ c: CollectionSpec, id: String, body: JSON, condition: WriteCondition) async throws -> Int64 {
        let r = try await instance.call("put", [
            "collection": .string(c.name), "id": .string(id), "body": .string(body.serialized()),
            "condition": Self.condition(condition), "index_keys": Self.indexKeys(c, body),
        ])
        guard let rev = r.intValue else { throw PlugboardError(.internal, "put: expected a revision, got \(r.snippet)", adapter: instance.adapter) }
        return Int64(rev)
    }

    func delete(_ c: CollectionSpec, id: String, condition: WriteCondition) async throws -> Bool {
        let r = try await instance.call("delete", ["collection": .string(c.name), "id": .string(id), "condition": Self.condition(condition)])
        guard let b = r.boolValue else { throw PlugboardError(.internal, "delete: expected a boolean, got \(r.snippet)", adapter: instance.adapter) }
        return b
    }

    func query(_ c: CollectionSpec, _ q: IndexQuery) async throws -> Page {
        let index = try c.index(named: q.index)
        if index.partitionField != nil && q.partition == nil {
            throw PlugboardError.invalidInput("index \(index.name) of \(c.name) needs a partition value (\(index.partitionField!))")
        }
        guard q.limit > 0 else { throw PlugboardError.invalidInput("query limit must be positive, got \(q.limit)") }
        let after = try q.cursor.map(IndexCursor.init(decoding:))
        let r = try await instance.call("query", [
            "collection": .string(c.name), "index": .string(q.index), "partition": q.partition.map(JSON.string) ?? .null,
            "from": q.from.map(JSON.string) ?? .null, "to": q.to.map(JSON.string) ?? .null,
            "descending": .bool(q.descending), "limit": JSON(q.limit),
            "after": after.map { ["sort": .string($0.sort), "id": .string($0.id)] } ?? .null,
        ])
        let items = r["documents"]?.arrayValue ?? []
        let docs = try items.map { try stored($0) }
        var next: String?
        if r["more"]?.boolValue == true, let last = items.last, let sort = last["sort"]?.stringValue, let id = last["id"]?.stringValue {
            next = IndexCursor(sort: sort, id: id).encoded
        }
        return Page(documents: docs, nextCursor: next)
    }

    func batchPut(_ c: CollectionSpec, _ documents: [Document]) async throws {
        _ = try await instance.call("batch_put", [
            "collection": .string(c.name),
            "documents": .array(documents.map {
                ["id": .string($0.id), "body": .string($0.body.serialized()), "index_keys": Self.indexKeys(c, $0.body)]
            }),
        ])
    }

    func scan(_ c: CollectionSpec, batchSize: Int) -> AsyncThrowingStream<[StoredDocument], any Error> {
        let limit = max(batchSize, 1)
        return AsyncThrowingStream { cont in
            let task = Task {
                do {
                    var after: String?
                    while true {
                        let r = try await instance.call("scan", [
                            "collection": .string(c.name), "after": after.map(JSON.string) ?? .null, "limit": JSON(limit),
                        ])
                        let docs = try (r["documents"]?.arrayValue ?? []).map { try stored($0) }
                        if !docs.isEmpty { cont.yield(docs) }
                        guard docs.count >= limit, let last = docs.last else { break }
                        after = last.id
                    }
                    cont.finish()
                } catch {
                    cont.finish(throwing: error)
                }
            }
            cont.onTermination = { _ in task.cancel() }
        }
    }

    func count(_ c: CollectionSpec) async throws -> Int {
        let r = try await instance.call("count", ["collection": .string(c.name)])
        guard let n = r.intValue else { throw PlugboardError(.internal, "count: expected an integer, got \(r.snippet)", adapter: instance.adapter) }
        return n
    }

    func close() async throws { instance.close() }
}

extension PluginDocumentStore: HealthChecking {
    /// The plugin's own `check` operation; a plugin without one is checked by a read.
    func check() async -> HealthCheck {
        if let h = await instance.pluginCheck() { return h }
        do {
            _ = try await get(CollectionSpec(name: "plugboard_doctor"), id: "doctor-check")
            return .passed("read from plugin \(instance.library.path)")
        } catch {
            return .failed("\(error)", hint: nil)
        }
    }
}
