import Foundation
import PlugboardKernel
import Synchronization

/// Where a migration reads: a ticket file (`FileSource`) or any store (`StoreSource`).
protocol MigrationSource: AnyObject, Sendable {
    /// Up to `max` records in source order, numbered on from the previous batch; nil at the end.
    func next(max: Int) async throws -> [SourceRecord]?
    /// How much of the source has been read, 0...1, when that can be known.
    var fractionRead: Double? { get }
    /// Records come in the same order, with the same numbers, on every run: a
    /// checkpoint can then skip the ones already done.
    var isStable: Bool { get }
    /// What the source is, for the checkpoint (a file: also its size and modification time).
    var identity: JSON { get }
    /// How the source was read (`an object keyed by ticket_id`), for the summary.
    var shape: String { get }
    func close() async
}

/// A ticket file read by `TicketFileReader` on a serial queue of its own (its
/// reads block), with every record checked and duplicates compared with the
/// first record of their id.
final class FileSource: MigrationSource, @unchecked Sendable {
    // @unchecked: `reader`, `firstSeen` and `seq` are touched only on `queue`
    // (serial), and `read` only under its Mutex.
    private let queue = DispatchQueue(label: "plugboard.migrate.reader")
    private let reader: TicketFileReader
    private let check: RecordCheck
    private var firstSeen: [String: FirstRecord] = [:]
    private var seq = 0
    private let read = Mutex(0)
    let identity: JSON
    let isStable = true
    var shape: String { reader.shape.rawValue }

    private struct FirstRecord {
        var offset: Int
        var length: Int
        var position: RecordPosition
    }

    private init(reader: TicketFileReader, keyField: String, identity: JSON) {
        self.reader = reader
        self.check = RecordCheck(keyField: keyField)
        self.identity = identity
    }

    /// Opens and inspects the file (detecting its shape unless `shape` is given) off the cooperative threads.
    static func open(path: String, shape: TicketFileReader.Shape?, keyField: String, chunkSize: Int = 1 << 20) async throws -> FileSource {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    let reader = try TicketFileReader(path: path, shape: shape, keyField: keyField, chunkSize: chunkSize)
                    var st = stat()
                    stat(path, &st)
                    let identity: JSON = ["file": .string(URL(fileURLWithPath: path).standardizedFileURL.path),
                                          "size": JSON(reader.fileSize), "modified": JSON(Int(st.st_mtim.tv_sec)),
                                          "modified_ns": JSON(Int(st.st_mtim.tv_nsec))]
                    return FileSource(reader: reader, keyField: keyField, identity: identity)
                })
            }
        }
    }

    var fractionRead: Double? {
        reader.fileSize > 0 ? Double(read.withLock { $0 }) / Double(reader.fileSize) : nil
    }

    func next(max: Int) async throws -> [SourceRecord]? {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try self.readBatch(max) }) }
        }
    }

    private func readBatch(_ max: Int) throws -> [SourceRecord]? {
        var out: [SourceRecord] = []
        out.reserveCapacity(max)
        while out.count < max, let record = try reader.next() {
            out.append(SourceRecord(seq: seq, position: record.position, outcome: try outcome(record)))
            seq += 1
        }
        let bytes = reader.bytesRead
        read.withLock { $0 = bytes }
        return out.isEmpty ? nil : out
    }

    private func outcome(_ record: TicketFileReader.Record) throws -> SourceRecord.Outcome {
        guard let value = record.value else { return .invalid(record.syntaxError ?? "invalid JSON") }
        let outcome = check.outcome(of: value, at: record.position)
        guard case .document(let d) = outcome else { return outcome }
        if let first = firstSeen[d.id] {
            let earlier = try JSONParser.parse(reader.bytes(offset: first.offset, length: first.length))
            if earlier == d.body { return .identical(id: d.id) }
            return .conflict(id: d.id, reason: "\(check.keyField) \(JSON.string(d.id).serialized()) is also at \(first.position) "
                             + "with different content; the first one is kept")
        }
        firstSeen[d.id] = FirstRecord(offset: record.offset, length: record.length, position: record.position)
        return outcome
    }

    func close() async {}
}

/// Every document of a store's collection, through its `scan` stream. A
/// store's scan order is not promised to repeat, so a resumed migration from a
/// store copies everything again (writes are idempotent overwrites).
actor StoreSource: MigrationSource {
    private let store: any DocumentStore
    private var iterator: AsyncThrowingStream<[StoredDocument], any Error>.AsyncIterator
    private var pending: [StoredDocument] = []
    private var seq = 0
    private let check: RecordCheck
    private let total: Int?
    private let read = Mutex(0)
    nonisolated let identity: JSON
    nonisolated let isStable = false
    nonisolated let shape = "a store's scan"

    init(store: any DocumentStore, collection: CollectionSpec, identity: JSON, total: Int?) {
        self.store = store
        self.iterator = store.scan(collection, batchSize: 1_000).makeAsyncIterator()
        self.check = RecordCheck(keyField: collection.keyField)
        self.identity = identity
        self.total = total
    }

    nonisolated var fractionRead: Double? {
        guard let total, total > 0 else { return nil }
        return min(1, Double(read.withLock { $0 }) / Double(total))
    }

    func next(max: Int) async throws -> [SourceRecord]? {
        while pending.count < max {
            var it = iterator
            let batch = try await it.next(isolation: self)
            iterator = it
            guard let batch else { break }
            pending += batch
        }
        guard !pending.isEmpty else { return nil }
        let take = pending.prefix(max)
        pending.removeFirst(take.count)
        var out: [SourceRecord] = []
        out.reserveCapacity(take.count)
        for doc in take {
            let position = RecordPosition(place: .id(doc.id))
            out.append(SourceRecord(seq: seq, position: position, outcome: check.outcome(of: doc.body, at: position)))
            seq += 1
        }
        let n = seq
        read.withLock { $0 = n }
        return out
    }

    func close() async {}
}
