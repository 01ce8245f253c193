import CSQLite
import Foundation
import PlugboardKernel
import StorageSQLite

/// The `sqlite` adapter against a raw sqlite3 C-API loop on the same machine:
/// (1) writing `count` Freeda-style tickets, (2) point reads of 10,000 random ids.
///
/// The raw side is the floor SQLite itself sets: table `t(id TEXT PRIMARY KEY,
/// body TEXT)`, one prepared statement, one transaction, the JSON text already
/// serialized, `SQLITE_STATIC` binds; its reads return the stored text
/// unparsed. The adapter does all it does for a caller: serializes, computes
/// index values, maintains the tickets' indexes, parses what it reads, and
/// crosses to its connection threads. Both files use WAL and `synchronous =
/// NORMAL` with SQLite's default cache; both timings include the commit and
/// the checkpoint SQLite runs at commit, neither includes closing.
///
/// The machine is shared, so writes are the best of three alternating runs
/// and reads alternate in blocks of 1,000 ids.
public enum SQLiteBench {
    public static func run(count: Int, workDir: String, log: (String) -> Void) async throws {
        let folder = workDir + "/sqlite-bench-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let generator = TicketGenerator()
        let documents = (0..<count).map { i -> Document in
            let t = generator.ticket(i)
            return Document(id: t["ticket_id"]!.stringValue!, body: t)
        }
        let rows = documents.map { RawRow(id: $0.id, body: $0.body.serializedBytes()) }
        let megabytes = Double(rows.reduce(0) { $0 + $1.body.count }) / 1_000_000
        log("sqlite bench: \(count) tickets, \(String(format: "%.1f", megabytes)) MB of JSON, folder \(folder)")

        // (1) Writes: best of a few alternating runs, each into a fresh file.
        var rawBest = Duration.seconds(1_000), batchedBest = Duration.seconds(1_000), wholeBest = Duration.seconds(1_000)
        let batch = 1_000
        for run in 0..<rounds {
            let rawPath = folder + "/raw\(run).sqlite"
            rawBest = min(rawBest, try await onThread { try Raw.insertAll(rows, path: rawPath) })
            if run > 0 { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: rawPath + suffix) } }
            batchedBest = min(batchedBest, try await timeAdapterWrite(documents, batch: batch, path: folder + "/batched.sqlite", keep: false))
            wholeBest = min(wholeBest, try await timeAdapterWrite(documents, batch: count, path: folder + "/whole\(run).sqlite", keep: run == 0))
        }
        let rawRate = Double(count) / seconds(rawBest)
        for (label, best) in [("\(batch) per call", batchedBest), ("all in one call", wholeBest)] {
            let rate = Double(count) / seconds(best)
            log("sqlite batch put (\(label)): \(grouped(rate)) tickets/s; raw C loop: \(grouped(rawRate))/s; "
                + "ratio \(String(format: "%.2f", rate / rawRate)) (target >= 0.5)")
        }
        let rawPath = folder + "/raw0.sqlite"
        let store = try await SQLiteStore(path: folder + "/whole0.sqlite")
        guard try await store.count(.tickets) == count else { throw PlugboardError.internal("sqlite bench: count mismatch") }

        // (2) Point reads of random ids: the same ids for both, in interleaved blocks
        // of 1,000 so a noisy neighbour on the machine hurts both sides alike.
        var rng = SplitMix(seed: 7)
        let warmup = (0..<1_000).map { _ in rows[Int(rng.next() % UInt64(count))].id }
        let ids = (0..<10_000).map { _ in rows[Int(rng.next() % UInt64(count))].id }
        let raw = try await onThread { try Raw.Reader(path: rawPath) }
        _ = try await onThread { try raw.time(warmup) }
        for id in warmup { _ = try await store.get(.tickets, id: id) }
        var rawTimes: [Double] = [], times: [Double] = []
        times.reserveCapacity(ids.count)
        for block in stride(from: 0, to: ids.count, by: 1_000) {
            let blockIds = Array(ids[block..<min(block + 1_000, ids.count)])
            rawTimes += try await onThread { try raw.time(blockIds) }
            for id in blockIds {
                let t0 = ContinuousClock.now
                let doc = try await store.get(.tickets, id: id)
                times.append(seconds(ContinuousClock.now - t0))
                guard doc != nil else { throw PlugboardError.internal("sqlite bench: \(id) missing") }
            }
        }
        try await store.close()
        let rawP50 = percentile(rawTimes, 0.5), p50 = percentile(times, 0.5)
        log("sqlite point get p50: \(micros(p50)) (p99 \(micros(percentile(times, 0.99)))), parsed document; "
            + "raw SELECT body p50: \(micros(rawP50)) (p99 \(micros(percentile(rawTimes, 0.99)))), text; "
            + "ratio \(String(format: "%.2f", p50 / rawP50)) (target <= 2)")
    }

    static let rounds = 3

    /// Wall time of writing every document through the adapter, `batch` per call, into a new file.
    static func timeAdapterWrite(_ documents: [Document], batch: Int, path: String, keep: Bool) async throws -> Duration {
        let store = try await SQLiteStore(path: path)
        let start = ContinuousClock.now
        var i = 0
        while i < documents.count {
            try await store.batchPut(.tickets, Array(documents[i..<min(i + batch, documents.count)]))
            i += batch
        }
        let elapsed = ContinuousClock.now - start
        try await store.close()
        if !keep { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        return elapsed
    }

    struct RawRow: Sendable {
        var id: String
        var body: [UInt8]
    }

    /// Runs blocking work on a thread of its own, off Swift's cooperative pool.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            Thread { cont.resume(with: Result { try body() }) }.start()
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let s = values.sorted()
        return s[min(s.count - 1, Int(Double(s.count) * p))]
    }

    static func micros(_ s: Double) -> String { String(format: "%.1f µs", s * 1e6) }

    static func grouped(_ v: Double) -> String {
        let digits = String(Int(v.rounded()))
        var out = ""
        for (k, ch) in digits.enumerated() {
            if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }

    /// A small deterministic generator, so both sides read the same ids.
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}

extension SQLiteBench {
    /// The baseline: straight sqlite3 calls, no Swift layers beyond the loop.
    enum Raw {
        struct Failure: Error, CustomStringConvertible {
            var description: String
        }

        static func open(_ path: String) throws -> OpaquePointer {
            var db: OpaquePointer?
            guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK,
                  let db else { throw Failure(description: "raw open \(path) failed") }
            try exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
            return db
        }

        static func exec(_ db: OpaquePointer, _ sql: String) throws {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
                throw Failure(description: "raw \(sql): \(String(cString: sqlite3_errmsg(db)))")
            }
        }

        static func prepare(_ db: OpaquePointer, _ sql: String) throws -> OpaquePointer {
            var stmt: OpaquePointer?
            guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else {
                throw Failure(description: "raw prepare \(sql): \(String(cString: sqlite3_errmsg(db)))")
            }
            return stmt
        }

        /// Inserts every row in one transaction; returns the wall time.
        static func insertAll(_ rows: [SQLiteBench.RawRow], path: String) throws -> Duration {
            let db = try open(path)
            defer { sqlite3_close_v2(db) }
            try exec(db, "CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT)")
            let start = ContinuousClock.now
            let stmt = try prepare(db, "INSERT INTO t (id, body) VALUES (?1, ?2)")
            defer { sqlite3_finalize(stmt) }
            try exec(db, "BEGIN")
            for row in rows {
                var id = row.id
                id.withUTF8 { u in
                    u.withMemoryRebound(to: CChar.self) { _ = sqlite3_bind_text(stmt, 1, $0.baseAddress, Int32($0.count), csqlite_static()) }
                    row.body.withUnsafeBufferPointer { b in
                        b.withMemoryRebound(to: CChar.self) { _ = sqlite3_bind_text(stmt, 2, $0.baseAddress, Int32($0.count), csqlite_static()) }
                        sqlite3_step(stmt)
                    }
                }
                guard sqlite3_reset(stmt) == SQLITE_OK else { throw Failure(description: "raw insert: \(String(cString: sqlite3_errmsg(db)))") }
            }
            try exec(db, "COMMIT")
            return ContinuousClock.now - start
        }

        /// `SELECT body FROM t WHERE id = ?` returning the text as a String.
        /// Used from one thread at a time (the bench's own threads, one after the other).
        final class Reader: @unchecked Sendable {
            let db: OpaquePointer
            let stmt: OpaquePointer

            init(path: String) throws {
                db = try Raw.open(path)
                do { stmt = try prepare(db, "SELECT body FROM t WHERE id = ?1") } catch {
                    sqlite3_close_v2(db)
                    throw error
                }
            }

            deinit {
                sqlite3_finalize(stmt)
                sqlite3_close_v2(db)
            }

            func read(_ id: String) -> String? {
                var id = id
                let found = id.withUTF8 { u in
                    u.withMemoryRebound(to: CChar.self) { _ = sqlite3_bind_text(stmt, 1, $0.baseAddress, Int32($0.count), csqlite_static()) }
                    return sqlite3_step(stmt) == SQLITE_ROW
                }
                defer { sqlite3_reset(stmt) }
                guard found, let p = sqlite3_column_text(stmt, 0) else { return nil }
                return String(decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(stmt, 0))), as: UTF8.self)
            }

            /// The time of each read, in seconds.
            func time(_ ids: [String]) throws -> [Double] {
                var times: [Double] = []
                times.reserveCapacity(ids.count)
                for id in ids {
                    let t0 = ContinuousClock.now
                    let body = read(id)
                    times.append(SQLiteBench.seconds(ContinuousClock.now - t0))
                    guard body != nil else { throw Failure(description: "raw read: \(id) missing") }
                }
                return times
            }
        }
    }
}
