import Dispatch
import Foundation
import PlugboardKernel
import StorageJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `json` adapter's single-ticket save against the usual approach.
///
/// A Freeda-style file of `count` tickets; then `count` sequential saves, each
/// a put of one modified ticket, each acknowledged only once durable (journal
/// append + `fdatasync`). The baseline is what scripts commonly do: serialize
/// every ticket, write a temp file, fsync, rename, on each save. It is far too
/// slow to run `count` times, so it runs on a sample of saves and its
/// per-save time is extrapolated (stated in the output). Target: the journal
/// is at least 50 times faster per save.
public enum JSONBench {
    public static func run(count: Int, workDir: String, log: (String) -> Void) async throws {
        precondition(count > 0, "count must be positive")
        let dir = workDir + "/jsonbench-" + String(UInt64.random(in: 0..<UInt64.max), radix: 36)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let generator = TicketGenerator()
        let path = dir + "/tickets.json"
        let file = generator.freedaFile(count: count)
        try Data(file).write(to: URL(fileURLWithPath: path))
        let ids = (0..<count).map { generator.ticket($0)["ticket_id"]!.stringValue! }
        // Every save changes one ticket; built before timing so only the save is measured.
        let modified: [JSON] = (0..<count).map { i in
            var t = generator.ticket(i)
            t["status"] = "fermé"
            t["bench_save"] = JSON(i)
            return t
        }
        log("json bench: \(group(count)) tickets, \(megabytes(file.count)) in \(path)")

        // MARK: Journal
        var clock = ContinuousClock.now
        let store = try await JSONFileStore.open(path: path)
        let openTime = seconds(ContinuousClock.now - clock)
        clock = ContinuousClock.now
        for i in 0..<count {
            try await store.put(.tickets, id: ids[i], body: modified[i])
        }
        let saveTime = seconds(ContinuousClock.now - clock)
        clock = ContinuousClock.now
        try await store.close()
        let closeTime = seconds(ContinuousClock.now - clock)
        let compacted = try JSONParser.parse([UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
        guard compacted.objectValue?.count == count, compacted[ids[count - 1]]?["bench_save"] == JSON(count - 1) else {
            throw PlugboardError.internal("json bench: the main file does not hold every saved ticket after close")
        }
        let journalPerSave = saveTime / Double(count)

        // MARK: Baseline: rewrite the whole file on each save
        let sample = min(count, 200)
        let baselinePath = dir + "/baseline.json"
        let baselineTime = try await offCooperativeThreads {
            var all: [String: JSON] = [:]
            for i in 0..<count { all[ids[i]] = generator.ticket(i) }
            let start = ContinuousClock.now
            for i in 0..<sample {
                all[ids[i]] = modified[i]
                try rewriteWholeFile(baselinePath, JSON.object(all).serializedBytes(pretty: true))
            }
            return seconds(ContinuousClock.now - start)
        }
        let baselinePerSave = baselineTime / Double(sample)
        let ratio = baselinePerSave / journalPerSave

        log("json open: \(group(count)) tickets read and indexed in \(milliseconds(openTime))")
        log("json single-ticket save: \(group(Int(Double(count) / saveTime))) saves/s "
            + "(\(microseconds(journalPerSave))/save over \(group(count)) saves, each fdatasync'd; "
            + "close with final compaction \(milliseconds(closeTime)))")
        log("full-file rewrite (serialize \(group(count)) tickets, temp, fsync, rename): "
            + "\(String(format: "%.1f", 1 / baselinePerSave)) saves/s (\(milliseconds(baselinePerSave))/save, "
            + "measured on \(sample) saves, extrapolated to \(group(count)) saves: \(String(format: "%.0f", baselinePerSave * Double(count))) s)")
        log("ratio \(group(Int(ratio.rounded()))) (target >= 50)")
    }

    /// The baseline's save: the usual temp-fsync-rename of the whole file.
    static func rewriteWholeFile(_ path: String, _ bytes: [UInt8]) throws {
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw PlugboardError.internal("json bench: open \(temp): errno \(errno)") }
        defer { close(fd) }
        var done = 0
        try bytes.withUnsafeBytes { buf in
            while done < buf.count {
                let n = write(fd, buf.baseAddress! + done, buf.count - done)
                guard n > 0 else { throw PlugboardError.internal("json bench: write \(temp): errno \(errno)") }
                done += n
            }
        }
        guard fsync(fd) == 0, rename(temp, path) == 0 else {
            throw PlugboardError.internal("json bench: fsync or rename \(temp): errno \(errno)")
        }
    }

    /// Runs blocking work on a Dispatch thread.
    static func offCooperativeThreads<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    static func milliseconds(_ s: Double) -> String { String(format: "%.1f ms", s * 1e3) }
    static func microseconds(_ s: Double) -> String { String(format: "%.0f µs", s * 1e6) }
    static func megabytes(_ n: Int) -> String { String(format: "%.1f MB", Double(n) / 1e6) }

    /// 12345 → "12,345", whatever the locale.
    static func group(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (k, ch) in digits.enumerated() {
            if k > 0, (digits.count - k) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }
}
