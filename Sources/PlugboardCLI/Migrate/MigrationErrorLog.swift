import Foundation
import PlugboardKernel

/// The errors file: one JSON line per record that was not migrated, with the
/// record's number, position, id when known, kind and reason:
///
/// ```
/// {"error":"invalid","position":{"key":"TKT-9","line":120},"reason":"no ticket_id","seq":8}
/// {"error":"refused","position":{"index":41,"line":900},"reason":"the item is 512,004 bytes; ...","seq":41,"ticket_id":"T-41"}
/// ```
///
/// Lines are buffered and written with `flush()`, which the migration calls
/// before each checkpoint: a checkpoint never counts an error the file lacks.
/// On `--resume`, lines of records at or above the checkpoint are dropped
/// (those records are handled again), so no error is listed twice.
final class MigrationErrorLog {
    enum Kind: String {
        case invalid, duplicate, refused
    }

    let path: String
    private var fd: Int32 = -1
    private var pending: [UInt8] = []
    private(set) var lines = 0

    /// Starts a fresh file, or for a resume keeps the lines of records below `keepBelow`.
    init(path: String, keepBelow: Int?) throws {
        self.path = path
        guard let keepBelow, let data = FileManager.default.contents(atPath: path) else {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw MigrationCheckpoint.ioError("open the errors file \(path)") }
            return
        }
        var kept: [UInt8] = []
        for line in data.split(separator: 0x0A) {
            // A torn last line (killed mid-write) does not parse and is dropped.
            guard let json = try? JSONParser.parse([UInt8](line)), let seq = json["seq"]?.intValue, seq < keepBelow else { continue }
            kept += line
            kept.append(0x0A)
            lines += 1
        }
        // Replaced whole (temporary file, fsync, rename): a crash here leaves the old
        // file or the new one, never one without the errors the checkpoint counts.
        let temp = path + ".tmp"
        let tfd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard tfd >= 0 else { throw MigrationCheckpoint.ioError("create \(temp)") }
        let written = kept.withUnsafeBytes { write(tfd, $0.baseAddress, $0.count) }
        let synced = fsync(tfd)
        Glibc.close(tfd)
        guard written == kept.count, synced == 0, rename(temp, path) == 0 else { throw MigrationCheckpoint.ioError("rewrite \(path)") }
        fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw MigrationCheckpoint.ioError("open the errors file \(path)") }
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    func record(seq: Int, position: RecordPosition, id: String?, kind: Kind, reason: String) {
        var o: [String: JSON] = ["seq": JSON(seq), "position": position.json, "error": .string(kind.rawValue), "reason": .string(reason)]
        if let id { o["ticket_id"] = .string(id) }
        JSON.object(o).write(into: &pending)
        pending.append(0x0A)
        lines += 1
    }

    func flush() throws {
        guard !pending.isEmpty else { return }
        var offset = 0
        while offset < pending.count {
            let n = pending.withUnsafeBytes { write(fd, $0.baseAddress! + offset, pending.count - offset) }
            guard n > 0 else { throw MigrationCheckpoint.ioError("write the errors file \(path)") }
            offset += n
        }
        pending.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}
