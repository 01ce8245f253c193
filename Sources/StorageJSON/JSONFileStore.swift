import Dispatch
import PlugboardKernel
import Synchronization

/// The `json` storage adapter: the common Freeda-style `tickets.json` file
/// (an object keyed by `ticket_id`) as a document store, so a user can point
/// Plugboard at the file they already have and keep reading it with any tool.
///
/// ## Files
/// ```
/// data/tickets.json                   the `tickets` collection, {"<ticket_id>": {...}}, pretty, sorted keys;
///                                     never any bookkeeping field inside a ticket
/// data/tickets.json.lock              flock held while a store is open; holds the owner's pid
/// data/tickets.json.plugboard/
///     state.json                      {"format": 1, "ticket_revisions": {"<id>": n, ...} (only n > 1),
///                                      "collections": {"contacts": {"<id>": {"revision": n, "body": {...}}}, ...}}
///     journal.jsonl                   one line per write acknowledged since the last compaction
/// ```
/// The main file plus `state.json` are the *base*; the journal holds what
/// happened since. Opening reads the base and replays the journal.
///
/// ## Writes
/// Each write appends one record (whole documents with their new revisions)
/// to the journal and `fdatasync`s it before returning: one small append per
/// save instead of rewriting the whole file. When the journal grows past the
/// size of the base (at least 1 MiB), and on `close()`, a compaction rewrites
/// the main file and then `state.json` (each: temp file in the same folder,
/// fsync, rename, fsync of the folder) and only then empties the journal.
///
/// ## Why a crash at any instant loses no acknowledged write
/// Replaying records sets documents to the states they carry, so replaying the
/// journal in order over a base that already holds some or all of its records
/// gives the same result: the last record for each id wins, and ids no record
/// touches are the same in every base since the journal started. Given that:
/// 1. Killed while appending a record: the record was not acknowledged. The
///    file ends in nothing, a torn line or a whole line; a torn line is
///    ignored and cut off at the next open (`Journal.read`), a whole one is
///    applied (the write happened; its caller just never heard back).
/// 2. Killed after the `fdatasync`, before returning: the record is replayed.
/// 3. Killed while writing a temp file: the base and journal are untouched;
///    the stray temp file is deleted at the next open.
/// 4. Killed around the rename of the main file: `rename` is atomic, so the
///    main file is the old or the new one, whole. Either base plus the full
///    journal gives the same state (replay is idempotent).
/// 5. Killed between the main file and `state.json`: a new main file with an
///    old state file; the journal still holds every record since the old
///    base, and replay brings both halves to the same state.
/// 6. Killed after both renames are durable, before or during the journal's
///    truncation: the full journal replayed over the new base changes nothing;
///    `ftruncate` leaves the old length or zero. The truncation is synced
///    before the next append, so new records never land inside stale ones.
/// The main file is therefore always valid JSON of the Freeda shape, but it
/// lags the journal until the next compaction: readers other than Plugboard
/// see every write once the store is closed (or has compacted). Edit it by
/// hand only while no store has it open; a journal left by a crash is
/// replayed over such edits at the next open.
///
/// ## Concurrency
/// One store per file: `<path>.lock` is `flock`ed at open, and a second
/// store, in this process or another, fails with `.unavailable` naming the
/// holder's pid. In the process, writes run one at a time on a private
/// serial queue (a Dispatch thread, so `fdatasync` never blocks Swift's
/// cooperative threads); reads are answered from memory under a `Mutex` and
/// see every acknowledged write.
///
/// Documents of every collection are held in memory; queries scan them with
/// the kernel's `IndexQuery.evaluate`. It suits one machine and tens of
/// thousands of tickets; beyond, use `sqlite` or `postgres`.
public final class JSONFileStore: DocumentStore {
    /// The main file, absolute.
    public let path: String
    let layout: StoreLayout
    private let writer = DispatchQueue(label: "plugboard.storage.json.writer")
    /// What readers see: every acknowledged write.
    private let contents: Mutex<ReadSide>
    /// Open files and compaction bookkeeping; taken only on `writer` (and in `deinit`).
    private let files: Mutex<WriteSide>
    private let logger = Logger(label: "plugboard.storage.json")

    struct ReadSide: Sendable {
        var data: StoreContents
        var closed = false
    }

    struct WriteSide: Sendable {
        var lock: FileLock?
        var journal: Journal?
        /// Bytes of the main and state files as last read or written.
        var baseBytes: Int
        /// A fixed compaction threshold (tests); nil for the adaptive one.
        var compactAfterBytes: Int?
        /// After a failed compaction, the journal length to try again at.
        var retryCompactionAt = 0
        /// The first I/O failure of a journal write; later writes are refused.
        var failure: PlugboardError?
        var closed = false
    }

    // MARK: - Opening

    /// Opens (creating if needed) the store whose main file is `path`.
    ///
    /// - Parameter compactAfterBytes: compact when the journal reaches this
    ///   size; by default the size of the compacted files, at least 1 MiB, so
    ///   compaction costs a constant amount per byte written.
    public static func open(path: String, compactAfterBytes: Int? = nil) async throws -> JSONFileStore {
        // Reading and replaying block on the file system: not on a cooperative thread.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JSONFileStore, any Error>) in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    do {
                        return try JSONFileStore(path: path, compactAfterBytes: compactAfterBytes)
                    } catch {
                        throw PlugboardError.wrap(error, adapter: adapterName)
                    }
                })
            }
        }
    }

    private init(path: String, compactAfterBytes: Int?) throws {
        let layout = StoreLayout(path: FileSystem.resolvingLink(AdapterSettings.resolve(path, against: ".")))
        if FileSystem.isDirectory(layout.main) {
            throw PlugboardError.invalidConfiguration("\(layout.main) is a directory; the json store's path names a JSON file",
                                                      adapter: JSONFileStore.adapterName)
        }
        try FileSystem.createDirectories(layout.directory)
        let lock = try FileLock.acquire(layout.lock, guarding: layout.main)
        do {
            try FileSystem.createDirectories(layout.sidecar)
            // Under the lock, any temp file is a leftover of a crash (point 3).
            try FileSystem.removeIfExists(layout.mainTemp)
            try FileSystem.removeIfExists(layout.stateTemp)
            let main = try FileSystem.readIfExists(layout.main)
            let state = try FileSystem.readIfExists(layout.state)
            var data = try StoreContents.load(main: main, mainPath: layout.main, state: state, statePath: layout.state)
            let journalBytes = try FileSystem.readIfExists(layout.journal)
            let replay = try Journal.read(journalBytes ?? [], path: layout.journal)
            for record in replay.records { data.apply(record) }
            let journal = try Journal.open(layout.journal, existingLength: journalBytes?.count,
                                           validLength: replay.validLength, directory: layout.sidecar)
            self.path = layout.main
            self.layout = layout
            self.contents = Mutex(ReadSide(data: data))
            self.files = Mutex(WriteSide(lock: lock, journal: journal, baseBytes: (main?.count ?? 0) + (state?.count ?? 0),
                                         compactAfterBytes: compactAfterBytes))
        } catch {
            lock.release()
            throw error
        }
    }

    /// Dropping a store without `close()` behaves like a crash: the journal
    /// keeps every acknowledged write, the lock is released, nothing is compacted.
    deinit {
        files.withLock { w in
            w.journal?.closeDescriptor()
            w.lock?.release()
        }
    }

    // MARK: - Registry

    public static let defaultPath = "data/tickets.json"

    public static let descriptor = AdapterDescriptor(
        port: .storage, name: "json",
        summary: "A Freeda-style tickets.json file (an object keyed by ticket_id), with a crash-safe journal beside it.",
        fields: [
            ConfigField("path", .string, default: .string(defaultPath),
                        "The tickets file, relative to the config file's folder. Other collections and the journal live in <path>.plugboard/."),
        ])

    public static let registryEntry = Registry.Entry(descriptor, .storage { settings, _ in
        try await JSONFileStore.open(path: settings.filePath("path")
            ?? AdapterSettings.resolve(defaultPath, against: settings.directory))
    })

    // MARK: - DocumentStore

    public func get(_ c: CollectionSpec, id: String) async throws -> StoredDocument? {
        try read { $0.collections[c.name]?[id] }
    }

    @discardableResult
    public func put(_ c: CollectionSpec, id: String, body: JSON, condition: WriteCondition) async throws -> Int64 {
        try await onWriter { w in
            let current = try self.read { $0.collections[c.name]?[id] }
            try MemoryStore.check(condition, current: current, c, id)
            let document = StoredDocument(id: id, revision: (current?.revision ?? 0) + 1, body: body)
            try self.commit(.put(collection: c.name, documents: [document]), &w)
            return document.revision
        }
    }

    @discardableResult
    public func delete(_ c: CollectionSpec, id: String, condition: WriteCondition) async throws -> Bool {
        try await onWriter { w in
            let current = try self.read { $0.collections[c.name]?[id] }
            try MemoryStore.check(condition, current: current, c, id)
            guard current != nil else { return false }
            try self.commit(.delete(collection: c.name, id: id), &w)
            return true
        }
    }

    public func query(_ c: CollectionSpec, _ q: IndexQuery) async throws -> Page {
        let documents = try read { Array(($0.collections[c.name] ?? [:]).values) }
        return try q.evaluate(c, over: documents)
    }

    public func batchPut(_ c: CollectionSpec, _ documents: [Document]) async throws {
        guard !documents.isEmpty else { return }
        try await onWriter { w in
            let stored = try self.read { data in
                var revisions: [String: Int64] = [:]
                return documents.map { d in
                    let revision = (revisions[d.id] ?? data.collections[c.name]?[d.id]?.revision ?? 0) + 1
                    revisions[d.id] = revision
                    return StoredDocument(id: d.id, revision: revision, body: d.body)
                }
            }
            // One record: the batch is replayed whole or, if torn, not at all.
            try self.commit(.put(collection: c.name, documents: stored), &w)
        }
    }

    public func scan(_ c: CollectionSpec, batchSize: Int) -> AsyncThrowingStream<[StoredDocument], any Error> {
        let snapshot = Result { try read { Array(($0.collections[c.name] ?? [:]).values) } }
        return AsyncThrowingStream { continuation in
            switch snapshot {
            case .failure(let error):
                continuation.finish(throwing: error)
            case .success(let documents):
                let size = max(batchSize, 1)
                var i = 0
                while i < documents.count {
                    continuation.yield(Array(documents[i..<min(i + size, documents.count)]))
                    i += size
                }
                continuation.finish()
            }
        }
    }

    public func count(_ c: CollectionSpec) async throws -> Int {
        try read { $0.collections[c.name]?.count ?? 0 }
    }

    /// Compacts (so the main file alone holds every ticket), then releases the
    /// lock. The lock is released even when compaction fails; the journal then
    /// still holds every write for the next open. Idempotent.
    public func close() async throws {
        try await onWriter(allowClosed: true) { w in
            guard !w.closed else { return }
            defer {
                w.journal?.closeDescriptor()
                w.journal = nil
                w.lock?.release()
                w.lock = nil
                w.closed = true
                self.contents.withLock { $0.closed = true }
            }
            let dirty = (w.journal?.length ?? 0) > 0 || !FileSystem.exists(self.layout.main)
            if w.failure == nil, dirty { try self.compact(&w) }
        }
    }

    // MARK: - Writing

    /// Runs `body` on the writer queue, one write at a time.
    private func onWriter<T: Sendable>(allowClosed: Bool = false,
                                       _ body: @escaping @Sendable (inout WriteSide) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            writer.async {
                continuation.resume(with: Result {
                    do {
                        return try self.files.withLock { w in
                            if !allowClosed {
                                if w.closed { throw JSONFileStore.closedError(self.path) }
                                if let failure = w.failure { throw JSONFileStore.failedError(self.path, failure) }
                            }
                            return try body(&w)
                        }
                    } catch {
                        throw PlugboardError.wrap(error, adapter: JSONFileStore.adapterName)
                    }
                })
            }
        }
    }

    private func read<T>(_ body: (StoreContents) throws -> T) throws -> T {
        try contents.withLock { r in
            if r.closed { throw JSONFileStore.closedError(path) }
            return try body(r.data)
        }
    }

    /// Makes `record` durable, then visible, then compacts if due.
    private func commit(_ record: JournalRecord, _ w: inout WriteSide) throws {
        guard w.journal != nil else { throw JSONFileStore.closedError(path) }
        do {
            try w.journal!.append(record)
        } catch {
            w.failure = PlugboardError.wrap(error, adapter: JSONFileStore.adapterName)
            throw error
        }
        contents.withLock { $0.data.apply(record) }
        let length = w.journal!.length
        let threshold = w.compactAfterBytes ?? max(1 << 20, w.baseBytes)
        guard length >= threshold, length >= w.retryCompactionAt else { return }
        do {
            try compact(&w)
        } catch {
            // The write is durable in the journal and acknowledged; a failed
            // compaction only delays the main file. Try again later.
            w.retryCompactionAt = length + threshold
            logger.log(.warning, "compaction of \(path) failed, will retry: \(error)")
        }
    }

    /// Rewrites the base from memory, then empties the journal (crash points 3–6).
    private func compact(_ w: inout WriteSide) throws {
        let data = contents.withLock { $0.data }
        let main = data.mainFileBytes()
        try FileSystem.replaceAtomically(layout.main, temp: layout.mainTemp, with: main)
        let state = data.stateFileBytes()
        try FileSystem.replaceAtomically(layout.state, temp: layout.stateTemp, with: state)
        do {
            try w.journal?.reset()
        } catch {
            // Unknown journal length on disk: stop writing until a reopen.
            w.failure = PlugboardError.wrap(error, adapter: JSONFileStore.adapterName)
            throw error
        }
        w.baseBytes = main.count + state.count
        w.retryCompactionAt = 0
    }
}
