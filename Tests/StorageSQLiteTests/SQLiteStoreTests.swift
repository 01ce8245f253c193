import CSQLite
import Foundation
import PlugboardKernel
import StorageSQLite
import Testing

/// What the conformance suite cannot see: the file, its mode, errors that name
/// it, several instances on one file, configuration, schema changes.
@Suite("sqlite storage adapter")
struct SQLiteStoreTests {
    let folder: String

    init() throws {
        folder = NSTemporaryDirectory() + "plugboard-sqlite-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: folder) }

    static let notes = CollectionSpec(name: "notes", keyField: "id")

    /// Opening must fail with a PlugboardError of one of `codes` whose message names `path`.
    func expectOpenFails(_ path: String, _ codes: [PlugboardError.Code]) async {
        do {
            let store = try await SQLiteStore(path: path)
            try? await store.close()
            Issue.record("opening \(path) should have failed")
        } catch let e as PlugboardError {
            #expect(codes.contains(e.code), "code \(e.code) for \(path): \(e)")
            #expect(e.message.contains(path), "the message names the file: \(e.message)")
            #expect(e.adapter == "sqlite")
        } catch {
            Issue.record("not a PlugboardError: \(error)")
        }
    }

    @Test func aDirectoryIsNotADatabase() async {
        defer { cleanUp() }
        await expectOpenFails(folder, [.invalidConfiguration, .unavailable])
    }

    @Test func aFileWhereAFolderShouldBe() async throws {
        defer { cleanUp() }
        let blocker = folder + "/blocker"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        await expectOpenFails(blocker + "/db.sqlite", [.invalidConfiguration, .unavailable])
    }

    #if os(Linux)
    /// /proc takes no new files, even from root: a read-only location.
    @Test func aReadOnlyLocation() async {
        defer { cleanUp() }
        await expectOpenFails("/proc/plugboard-\(UUID().uuidString).sqlite", [.invalidConfiguration, .unavailable])
    }
    #endif

    @Test func aFileThatIsNotSQLite() async throws {
        defer { cleanUp() }
        let path = folder + "/notes.txt"
        try Data(String(repeating: "not a database\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))
        await expectOpenFails(path, [.invalidConfiguration])
    }

    @Test func missingFoldersAreCreated() async throws {
        defer { cleanUp() }
        let path = folder + "/a/b/c/plugboard.sqlite"
        let store = try await SQLiteStore(path: path)
        try await store.put(Self.notes, id: "n1", body: ["id": "n1"])
        try await store.close()
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func walModeIsOn() async throws {
        defer { cleanUp() }
        let path = folder + "/wal.sqlite"
        let store = try await SQLiteStore(path: path)
        try await store.put(Self.notes, id: "n1", body: ["id": "n1"])
        // Read by SQLite itself, on a connection of our own.
        #expect(try RawConnection(path).text("PRAGMA journal_mode") == "wal")
        #expect(FileManager.default.fileExists(atPath: path + "-wal"), "writes go to the write-ahead log")
        try await store.close()
        // The mode is in the file header (bytes 18 and 19 are 2 for WAL), so it outlives the connections.
        let header = try #require(FileManager.default.contents(atPath: path))
        #expect(header[18] == 2 && header[19] == 2)
    }

    @Test func instancesOnOneFileSeeEachOthersWrites() async throws {
        defer { cleanUp() }
        let path = folder + "/shared.sqlite"
        let a = try await SQLiteStore(path: path)
        let b = try await SQLiteStore(path: path)
        try await a.put(.tickets, id: "T1", body: ["ticket_id": "T1", "status": "en cours", "created_at": "2024-01-01T00:00:00Z"])
        #expect(try await b.get(.tickets, id: "T1")?.revision == 1, "b reads a's write")
        _ = try await b.put(.tickets, id: "T1", body: ["ticket_id": "T1", "status": "fermé", "created_at": "2024-01-01T00:00:00Z"],
                        condition: .revision(1))
        let closed = try await a.query(.tickets, IndexQuery(index: "status-created_at", partition: "fermé"))
        #expect(closed.documents.map(\.id) == ["T1"], "a's index query sees b's update")
        await #expect(throws: PlugboardError.self) {
            try await a.put(.tickets, id: "T1", body: ["ticket_id": "T1"], condition: .revision(1))
        }
        try await b.batchPut(.tickets, (0..<500).map { Document(id: "B\($0)", body: ["ticket_id": .string("B\($0)")]) })
        #expect(try await a.count(.tickets) == 501)
        try await a.close()
        try await b.close()
    }

    @Test func aWriteLockHeldElsewhereIsARetryableUnavailable() async throws {
        defer { cleanUp() }
        let path = folder + "/locked.sqlite"
        let store = try await SQLiteStore(SQLiteStore.Configuration(path: path, busyTimeout: 100))
        try await store.put(Self.notes, id: "n1", body: ["id": "n1"])
        let other = try RawConnection(path)
        try other.execute("BEGIN IMMEDIATE")
        do {
            try await store.put(Self.notes, id: "n2", body: ["id": "n2"])
            Issue.record("a write while another connection holds the write lock should fail")
        } catch let e as PlugboardError {
            #expect(e.code == .unavailable)
            #expect(e.isRetryable)
            #expect(e.message.contains(path))
            #expect(e.cause?.hasPrefix("SQLITE_BUSY") == true, "cause \(e.cause ?? "nil")")
        }
        #expect(try await store.get(Self.notes, id: "n1") != nil, "reads go on while the lock is held")
        try other.execute("ROLLBACK")
        try await store.put(Self.notes, id: "n2", body: ["id": "n2"])
        try await store.close()
    }

    /// Concurrent point writes share commits: a write that fails (a conflict) must undo only itself,
    /// and every write reported done must be in the file, read back by a new instance.
    @Test func groupedWritesFailAloneAndTheRestIsDurable() async throws {
        defer { cleanUp() }
        let path = folder + "/grouped.sqlite"
        let store = try await SQLiteStore(path: path)
        for i in 0..<50 { try await store.put(Self.notes, id: "taken\(i)", body: ["id": .string("taken\(i)"), "v": 0]) }
        // 400 writes at once: 100 creates of new ids, 100 creates of taken ids (conflicts),
        // 100 updates at the right revision, 100 at a wrong one (conflicts).
        let outcomes = await withTaskGroup(of: (String, Bool).self) { g in
            for i in 0..<100 {
                g.addTask { ("new", (try? await store.put(Self.notes, id: "new\(i)", body: ["id": .string("new\(i)")], condition: .absent)) != nil) }
                g.addTask { ("dup", (try? await store.put(Self.notes, id: "taken\(i % 50)", body: ["id": "dup"], condition: .absent)) != nil) }
                g.addTask { ("rev", (try? await store.put(Self.notes, id: "rev\(i)", body: ["id": .string("rev\(i)")], condition: .none)) != nil) }
                g.addTask { ("bad", (try? await store.put(Self.notes, id: "taken\(i % 50)", body: ["id": "bad"], condition: .revision(99))) != nil) }
            }
            var out: [String: Int] = [:]
            for await (kind, ok) in g where ok { out[kind, default: 0] += 1 }
            return out
        }
        #expect(outcomes == ["new": 100, "rev": 100], "\(outcomes)")
        try await store.close()
        let reopened = try await SQLiteStore(path: path)
        #expect(try await reopened.count(Self.notes) == 250)
        for i in 0..<50 { #expect(try await reopened.get(Self.notes, id: "taken\(i)")?.body["v"] == 0) }
        for i in 0..<100 { #expect(try await reopened.get(Self.notes, id: "new\(i)") != nil) }
        try await reopened.close()
    }

    /// Writes queued behind another connection's write lock each fail as unavailable
    /// (none is reported done), and succeed once the lock is gone.
    @Test func queuedWritesBehindAHeldLockAllFailThenSucceed() async throws {
        defer { cleanUp() }
        let path = folder + "/locked-group.sqlite"
        let store = try await SQLiteStore(SQLiteStore.Configuration(path: path, busyTimeout: 50))
        try await store.put(Self.notes, id: "n0", body: ["id": "n0"])
        let other = try RawConnection(path)
        try other.execute("BEGIN IMMEDIATE")
        let failures = await withTaskGroup(of: PlugboardError.Code?.self) { g in
            for i in 0..<20 {
                g.addTask {
                    do { try await store.put(Self.notes, id: "n\(i + 1)", body: ["id": .string("n\(i + 1)")]); return nil }
                    catch let e as PlugboardError { return e.code } catch { return .internal }
                }
            }
            var codes: [PlugboardError.Code?] = []
            for await c in g { codes.append(c) }
            return codes
        }
        #expect(failures.count == 20 && failures.allSatisfy { $0 == .unavailable }, "\(failures)")
        try other.execute("ROLLBACK")
        #expect(try await store.count(Self.notes) == 1)
        for i in 0..<20 { try await store.put(Self.notes, id: "n\(i + 1)", body: ["id": .string("n\(i + 1)")]) }
        #expect(try await store.count(Self.notes) == 21)
        try await store.close()
    }

    /// Checkpoints run on their own thread, yet the log is copied into the database file and
    /// starts over: the WAL stays small however much is written, and nothing is lost.
    @Test func theLogIsCheckpointedInTheBackgroundAndStaysSmall() async throws {
        defer { cleanUp() }
        let path = folder + "/checkpointed.sqlite"
        let store = try await SQLiteStore(SQLiteStore.Configuration(path: path, checkpointPages: 50))
        let filler = String(repeating: "x", count: 2_000)
        for round in 0..<30 {
            try await withThrowingTaskGroup(of: Void.self) { g in
                for i in 0..<100 {
                    let id = "n\(round)-\(i)"
                    g.addTask { try await store.put(Self.notes, id: id, body: ["id": .string(id), "text": .string(filler)]) }
                }
                try await g.waitForAll()
            }
        }
        // 3,000 documents of 2 KB: over 6 MB written, all of it through the log.
        let size = { (p: String) in (try? FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) ?? 0 }
        #expect(size(path) > 6_000_000, "the database file holds the data: \(size(path)) bytes")
        // Without checkpoints the log would hold all 6 MB. Here it starts over at the latest once
        // past 3 x 50 pages (the writer then checkpoints itself), plus one group commit's pages.
        #expect(size(path + "-wal") < 1_600_000, "the log started over: \(size(path + "-wal")) bytes")
        #expect(try await store.count(Self.notes) == 3_000)
        try await store.close()
        let reopened = try await SQLiteStore(path: path)
        #expect(try await reopened.count(Self.notes) == 3_000)
        try await reopened.close()
    }

    @Test func aNewerLayoutIsRefused() async throws {
        defer { cleanUp() }
        let path = folder + "/newer.sqlite"
        let store = try await SQLiteStore(path: path)
        try await store.put(Self.notes, id: "n1", body: ["id": "n1"])
        try await store.close()
        #expect(try RawConnection(path).text("PRAGMA user_version") == "1", "the layout version is recorded")
        try RawConnection(path).execute("PRAGMA user_version = 99")
        do {
            _ = try await SQLiteStore(path: path)
            Issue.record("a file from a newer layout should be refused")
        } catch let e as PlugboardError {
            #expect(e.code == .invalidConfiguration)
            #expect(e.message.contains("99") && e.message.contains(path))
        }
    }

    @Test func anIndexDeclaredLaterCoversStoredDocuments() async throws {
        defer { cleanUp() }
        let path = folder + "/grow.sqlite"
        let before = CollectionSpec(name: "things", keyField: "id")
        let after = CollectionSpec(name: "things", keyField: "id", indexes: [
            IndexSpec(name: "kind-at", partition: "kind", sort: "at"),
        ])
        let store = try await SQLiteStore(path: path)
        for (id, kind, at) in [("a", "x", "2024-01-02T00:00:00Z"), ("b", "x", "2024-01-01T00:00:00+01:00"), ("c", "y", "2024-01-03T00:00:00Z")] {
            try await store.put(before, id: id, body: ["id": .string(id), "kind": .string(kind), "at": .string(at)])
        }
        try await store.put(before, id: "d", body: ["id": "d"])
        try await store.close()
        let reopened = try await SQLiteStore(path: path)
        let page = try await reopened.query(after, IndexQuery(index: "kind-at", partition: "x"))
        #expect(page.documents.map(\.id) == ["b", "a"], "existing documents are in the new index, in UTC order")
        try await reopened.put(after, id: "e", body: ["id": "e", "kind": "y", "at": "2024-01-04T00:00:00Z"])
        #expect(try await reopened.query(after, IndexQuery(index: "kind-at", partition: "y")).documents.map(\.id) == ["c", "e"])
        try await reopened.close()
    }

    @Test func aClosedStoreSaysSo() async throws {
        defer { cleanUp() }
        let store = try await SQLiteStore(path: folder + "/closed.sqlite")
        try await store.close()
        try await store.close()  // idempotent
        do {
            _ = try await store.get(Self.notes, id: "x")
            Issue.record("a closed store should refuse calls")
        } catch let e as PlugboardError {
            #expect(e.code == .unavailable)
            #expect(e.message.contains("closed"))
        }
    }

    @Test func scanWalksEveryDocumentInBatches() async throws {
        defer { cleanUp() }
        let store = try await SQLiteStore(path: folder + "/scan.sqlite")
        try await store.batchPut(Self.notes, (0..<1_050).map { Document(id: "n\($0)", body: ["id": .string("n\($0)")]) })
        var sizes: [Int] = []
        var ids = Set<String>()
        for try await batch in store.scan(Self.notes, batchSize: 100) {
            sizes.append(batch.count)
            ids.formUnion(batch.map(\.id))
        }
        #expect(sizes == Array(repeating: 100, count: 10) + [50])
        #expect(ids.count == 1_050)
        try await store.close()
    }

    /// Large batches are serialized in concurrent chunks; they must still land in order.
    @Test func aRepeatedIdInOneBatchEndsWithItsLastValue() async throws {
        defer { cleanUp() }
        let store = try await SQLiteStore(path: folder + "/repeat.sqlite")
        let documents = (0..<1_050).map { i in Document(id: "d\(i % 100)", body: ["id": .string("d\(i % 100)"), "n": JSON(i)]) }
        try await store.batchPut(Self.notes, documents)
        #expect(try await store.count(Self.notes) == 100)
        let d5 = try await store.get(Self.notes, id: "d5")
        #expect(d5?.body["n"] == 1_005)
        #expect(d5?.revision == 11, "one revision per write, as in the memory store")
        #expect(try await store.get(Self.notes, id: "d99")?.body["n"] == 999)
        try await store.close()
    }

    @Test func aFailedBatchWritesNothing() async throws {
        defer { cleanUp() }
        let path = folder + "/atomic.sqlite"
        let store = try await SQLiteStore(SQLiteStore.Configuration(path: path, busyTimeout: 0))
        try await store.put(Self.notes, id: "keep", body: ["id": "keep"])
        // A trigger of our own makes row 1,500 of the batch fail half-way through.
        try RawConnection(path).execute("""
            CREATE TRIGGER fail_half_way BEFORE INSERT ON notes WHEN NEW.id = 'n1500'
            BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END
            """)
        await #expect(throws: PlugboardError.self) {
            try await store.batchPut(Self.notes, (0..<3_000).map { Document(id: "n\($0)", body: ["id": .string("n\($0)")]) })
        }
        #expect(try await store.count(Self.notes) == 1, "all or nothing")
        try await store.close()
    }
}

/// The registry entry: configuration fields, defaults, relative paths.
@Suite("sqlite adapter configuration")
struct SQLiteConfigurationTests {
    let loader = ConfigLoader(registry: Registry([SQLiteStore.registryEntry]), environment: [:])

    @Test func defaultsAndRelativePaths() async throws {
        let folder = NSTemporaryDirectory() + "plugboard-sqlite-config-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let settings = try loader.settings(port: .storage, section: ["adapter": "sqlite"], directory: folder)
        #expect(settings.filePath("path") == folder + "/data/plugboard.sqlite")
        #expect(settings.int("busy_timeout") == 5_000)
        #expect(settings.string("synchronous") == "normal")
        let store = try await loader.registry.makeStorage(settings, AdapterContext(registry: loader.registry))
        try await store.put(SQLiteStoreTests.notes, id: "n1", body: ["id": "n1"])
        try await store.close()
        #expect(FileManager.default.fileExists(atPath: folder + "/data/plugboard.sqlite"), "the folder was created")
    }

    @Test func badValuesNameTheField() {
        #expect(throws: PlugboardError.self) {
            try loader.settings(port: .storage, section: ["adapter": "sqlite", "synchronous": "sometimes"])
        }
        #expect(throws: PlugboardError.self) {
            try loader.settings(port: .storage, section: ["adapter": "sqlite", "busy_timeout": "soon"])
        }
        do {
            _ = try loader.settings(port: .storage, section: ["adapter": "sqlite", "journal": "wal"])
            Issue.record("an unknown field should be refused")
        } catch let e as PlugboardError {
            #expect(e.message.contains("storage.journal"))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func negativeBusyTimeoutIsRefusedWhenBuilding() async throws {
        let settings = try loader.settings(port: .storage, section: ["adapter": "sqlite", "busy_timeout": -1])
        do {
            _ = try await loader.registry.makeStorage(settings, AdapterContext(registry: loader.registry))
            Issue.record("a negative busy_timeout should be refused")
        } catch let e as PlugboardError {
            #expect(e.code == .invalidConfiguration)
            #expect(e.message.contains("storage.busy_timeout"))
        }
    }
}

/// A plain sqlite3 connection, to look at the file independently of the adapter.
final class RawConnection {
    let db: OpaquePointer

    init(_ path: String) throws {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK, let db else {
            sqlite3_close_v2(db)
            throw PlugboardError.internal("test: cannot open \(path)")
        }
        self.db = db
    }

    deinit { sqlite3_close_v2(db) }

    func execute(_ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw PlugboardError.internal("test: \(sql): \(String(cString: sqlite3_errmsg(db)))")
        }
    }

    func text(_ sql: String) throws -> String? {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK else {
            throw PlugboardError.internal("test: \(sql): \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { sqlite3_finalize(stmt) }
        guard sqlite3_step(stmt) == SQLITE_ROW, let p = sqlite3_column_text(stmt, 0) else { return nil }
        return String(cString: p)
    }
}
