import PlugboardKernel
import StoragePostgres
import Testing

/// Behaviour beyond the conformance suite, checked against the server itself.
@Suite("postgres store", .enabled(if: PG.reachable || PG.required, "no PostgreSQL at PLUGBOARD_TEST_PG_URL"))
struct PostgresStoreTests {
    static let notes = CollectionSpec(name: "notes", keyField: "id", indexes: [
        IndexSpec(name: "by-label", partition: "kind", sort: "label", sortIsTimestamp: false),
    ])

    /// Opens a store on a fresh schema, runs `body`, closes and drops the schema.
    func withStore(poolSize: Int = 4, _ body: (PostgresStore, String) async throws -> Void) async throws {
        let schema = PG.freshSchema()
        let store = try await PostgresStore.open(PG.configuration(schema: schema, poolSize: poolSize))
        do {
            try await body(store, schema)
        } catch {
            try? await store.close()
            await PG.dropSchema(schema)
            throw error
        }
        try await store.close()
        await PG.dropSchema(schema)
    }

    @Test func nulIsStoredEscapedAndReadBackLiterally() async throws {
        try await withStore { store, schema in
            let id = "a\u{0}b\u{1}c"
            let body: JSON = ["id": .string(id), "kind": "k\u{0}", "label": "x", "key\u{0}with nul": "v\u{0}"]
            try await store.put(Self.notes, id: id, body: body)
            let raw = try await PG.exec("SELECT id, body, \"by-label.partition\", \"by-label.sort\" FROM \"\(schema)\".notes")
            #expect(raw.count == 1)
            #expect(raw.first?[0] == "a\u{1}\u{1}b\u{1}\u{2}c", "id escaped in the column")
            #expect(raw.first?[1] == body.serialized(), "body column is the canonical JSON text")
            #expect(raw.first?[1]?.contains("\\u0000") == true, "NUL travels as the JSON escape")
            #expect(raw.first?[2] == "k\u{1}\u{1}", "partition escaped")
            #expect(raw.first?[3] == "x", "ordinary text unchanged")
            let got = try await store.get(Self.notes, id: id)
            #expect(got?.body == body)
            #expect(got?.id == id)
            let q = try await store.query(Self.notes, IndexQuery(index: "by-label", partition: "k\u{0}"))
            #expect(q.documents.map(\.id) == [id])
        }
    }

    @Test func hostileSortValuesOrderLikeSwiftStrings() async throws {
        try await withStore { store, _ in
            let alphabet = ["\u{0}", "\u{1}", "\u{2}", "a", "B", "é", "🎫", "~", " ", "Z"]
            var labels = Set<String>()
            while labels.count < 120 {
                labels.insert((0..<Int.random(in: 0...5)).map { _ in alphabet.randomElement()! }.joined())
            }
            let docs = labels.enumerated().map { i, l in
                Document(id: "n\(i)", body: ["id": .string("n\(i)"), "kind": "k", "label": .string(l)])
            }
            try await store.batchPut(Self.notes, docs)
            let byID = Dictionary(uniqueKeysWithValues: docs.map { ($0.id, $0.body["label"]!.stringValue!) })
            let expected = docs.sorted { (byID[$0.id]!, $0.id) < (byID[$1.id]!, $1.id) }.map(\.id)
            let all = try await store.queryAll(Self.notes, IndexQuery(index: "by-label", partition: "k", limit: 17))
            #expect(all.map(\.id) == expected, "ascending pages follow Swift's String order")
            let desc = try await store.queryAll(Self.notes, IndexQuery(index: "by-label", partition: "k", descending: true, limit: 13))
            #expect(desc.map(\.id) == expected.reversed(), "descending pages")
            let sorted = labels.sorted()
            let lo = sorted[30], hi = sorted[80]
            let range = try await store.queryAll(Self.notes, IndexQuery(index: "by-label", partition: "k", from: lo, to: hi))
            #expect(range.map(\.id) == expected.filter { byID[$0]! >= lo && byID[$0]! <= hi }, "bounds with NUL compare exactly")
        }
    }

    @Test func concurrentFirstOpensCreateTheSchemaOnce() async throws {
        try await PG.withSchema("race") { schema in
            let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { g in
                for _ in 0..<6 { g.addTask { try await PostgresStore.open(PG.configuration(schema: schema, poolSize: 1)) } }
                var out: [PostgresStore] = []
                for try await s in g { out.append(s) }
                return out
            }
            // Every instance creates the same table at once, too.
            try await withThrowingTaskGroup(of: Void.self) { g in
                for (i, s) in stores.enumerated() {
                    g.addTask { try await s.put(.tickets, id: "T\(i)", body: ["ticket_id": .string("T\(i)"), "status": "en cours"]) }
                }
                try await g.waitForAll()
            }
            let versions = try await PG.exec("SELECT version FROM \"\(schema)\".plugboard_schema")
            #expect(versions.map { $0[0] } == ["1"], "one version row")
            #expect(try await stores[0].count(.tickets) == 6)
            for s in stores { try await s.close() }
        }
    }

    @Test func aNewerLayoutIsRefused() async throws {
        try await PG.withSchema() { schema in
            let s = try await PostgresStore.open(PG.configuration(schema: schema))
            try await s.close()
            try await PG.exec("UPDATE \"\(schema)\".plugboard_schema SET version = 99")
            await #expect {
                _ = try await PostgresStore.open(PG.configuration(schema: schema))
            } throws: { e in
                guard let e = e as? PlugboardError else { return false }
                return e.code == .invalidConfiguration && e.message.contains("99") && e.message.contains(schema)
            }
        }
    }

    @Test func indexesFollowTheDeclaredSpec() async throws {
        try await PG.withSchema() { schema in
            let v1 = CollectionSpec(name: "items", keyField: "id", indexes: [
                IndexSpec(name: "by-color", partition: "color", sort: "size", sortIsTimestamp: false),
                IndexSpec(name: "old", partition: "shape", sort: nil),
            ])
            let a = try await PostgresStore.open(PG.configuration(schema: schema))
            for (i, (color, size, shape)) in [("red", "3", "round"), ("red", "1", "square"), ("blue", "2", "round")].enumerated() {
                try await a.put(v1, id: "i\(i)", body: ["id": .string("i\(i)"), "color": .string(color), "size": .string(size),
                                                        "shape": .string(shape), "at": .string("2024-0\(i + 1)-01T00:00:00+01:00")])
            }
            try await a.close()

            // Same collection, a later build: a new index, one changed, one gone.
            let v2 = CollectionSpec(name: "items", keyField: "id", indexes: [
                IndexSpec(name: "by-color", partition: "color", sort: "shape", sortIsTimestamp: false),
                IndexSpec(name: "by-time", partition: nil, sort: "at"),
            ])
            let b = try await PostgresStore.open(PG.configuration(schema: schema))
            let red = try await b.query(v2, IndexQuery(index: "by-color", partition: "red"))
            #expect(red.documents.map(\.id) == ["i0", "i1"], "changed index rebuilt from bodies (sorted by shape)")
            let time = try await b.query(v2, IndexQuery(index: "by-time", descending: true))
            #expect(time.documents.map(\.id) == ["i2", "i1", "i0"], "new index filled for existing rows")
            let from = try await b.query(v2, IndexQuery(index: "by-time", from: "2024-01-31T23:00:00Z"))
            #expect(from.documents.map(\.id) == ["i1", "i2"], "timestamps normalized to UTC when filled")
            let columns = try await PG.exec(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'items' ORDER BY column_name",
                [schema])
            #expect(!columns.contains { $0[0]?.hasPrefix("old.") == true }, "undeclared index's columns dropped")
            try await b.close()
            // Reopening with the same spec changes nothing and keeps working.
            let c = try await PostgresStore.open(PG.configuration(schema: schema))
            #expect(try await c.query(v2, IndexQuery(index: "by-color", partition: "blue")).documents.map(\.id) == ["i2"])
            try await c.close()
        }
    }

    @Test func aSmallPoolQueuesCallers() async throws {
        try await withStore(poolSize: 1) { store, _ in
            try await withThrowingTaskGroup(of: Void.self) { g in
                for i in 0..<40 {
                    g.addTask { try await store.put(.tickets, id: "P\(i)", body: ["ticket_id": .string("P\(i)")]) }
                }
                try await g.waitForAll()
            }
            #expect(try await store.count(.tickets) == 40)
        }
    }

    @Test func aLostConnectionFailsRetryablyThenRecovers() async throws {
        try await PG.withSchema() { schema in
            let app = "pbtest_" + schema
            let sep = PG.url.contains("?") ? "&" : "?"
            let store = try await PostgresStore.open(.init(url: PG.url + sep + "application_name=" + app, poolSize: 1, schema: schema))
            try await store.put(.tickets, id: "x", body: ["ticket_id": "x"])
            let killed = try await PG.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [app])
            #expect(killed.count == 1, "the store's one connection was found")
            do {
                _ = try await store.get(.tickets, id: "x")
                Issue.record("a call on a terminated connection succeeded")
            } catch let e as PlugboardError {
                #expect(e.code == .unavailable, "\(e)")
                #expect(e.isRetryable)
            }
            #expect(try await store.get(.tickets, id: "x")?.revision == 1, "a fresh connection replaces the lost one")
            try await store.close()
        }
    }

    @Test func aClosedStoreRefusesCalls() async throws {
        try await PG.withSchema() { schema in
            let store = try await PostgresStore.open(PG.configuration(schema: schema))
            try await store.close()
            try await store.close()
            await #expect(throws: PlugboardError.self) { _ = try await store.get(.tickets, id: "x") }
        }
    }

    @Test func buildsFromAdaptersJSONThroughTheRegistry() async throws {
        try await PG.withSchema() { schema in
            let registry = Registry([PostgresStore.registryEntry])
            let loader = ConfigLoader(registry: registry, environment: ["PG_TEST_URL": PG.url])
            let settings = try loader.settings(port: .storage, section: [
                "adapter": "postgres", "url": "${PG_TEST_URL}", "schema": .string(schema), "pool_size": 2,
            ])
            #expect(settings.redacted["url"] == "***", "url is shown as a secret")
            #expect(settings.int("connect_timeout") == 5)
            let store = try await registry.makeStorage(settings, AdapterContext(registry: registry))
            try await store.put(.contacts, id: "c1", body: ["contact_id": "c1", "email": "a@b.c"])
            #expect(try await store.query(.contacts, IndexQuery(index: "email", partition: "a@b.c")).documents.map(\.id) == ["c1"])
            try await store.close()
        }
    }

    @Test func batchPutOfRepeatedIdsCountsEveryWrite() async throws {
        try await withStore { store, _ in
            let docs = [
                Document(id: "d", body: ["ticket_id": "d", "n": 1]),
                Document(id: "e", body: ["ticket_id": "e", "n": 1]),
                Document(id: "d", body: ["ticket_id": "d", "n": 2]),
            ]
            try await store.batchPut(.tickets, docs)
            let d = try await store.get(.tickets, id: "d")
            #expect(d?.body["n"] == 2, "the last body wins")
            #expect(d?.revision == 2, "each write of the id counts")
            try await store.batchPut(.tickets, docs)
            #expect(try await store.get(.tickets, id: "d")?.revision == 4)
            #expect(try await store.get(.tickets, id: "e")?.revision == 2)
        }
    }

    @Test func batchPutIsAllOrNothing() async throws {
        try await withStore { store, schema in
            // A trigger rejects one row: nothing of the batch may remain.
            try await store.put(.tickets, id: "seed", body: ["ticket_id": "seed"])
            try await PG.exec("""
                CREATE FUNCTION "\(schema)".reject() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.id = 'B1500' THEN RAISE EXCEPTION 'rejected'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER reject BEFORE INSERT ON "\(schema)".tickets FOR EACH ROW EXECUTE FUNCTION "\(schema)".reject();
                """)
            let docs = (0..<3000).map { Document(id: "B\($0)", body: ["ticket_id": .string("B\($0)")]) }
            await #expect(throws: PlugboardError.self) { try await store.batchPut(.tickets, docs) }
            #expect(try await store.count(.tickets) == 1, "no row of the failed batch remains")
            // The connection is usable afterwards (the transaction was rolled back).
            try await store.put(.tickets, id: "after", body: ["ticket_id": "after"])
        }
    }
}
