import Foundation
import PlugboardKernel

/// How far a migration got, in a small file beside its errors file
/// (`<errors>.checkpoint`), replaced atomically (temporary file, fsync, rename)
/// at most about once a second and at the end.
///
/// `doneBelow` is a low watermark: every source record numbered below it was
/// written and acknowledged, skipped, or logged as an error. Batches finish out
/// of order, so a few records above it may be done too; `--resume` writes them
/// again, which is harmless because imports are idempotent overwrites.
struct MigrationCheckpoint: Sendable, Equatable {
    static let format = 1

    /// The source's identity (a file: its path, size and modification time).
    var source: JSON
    /// The target as displayed (never a secret).
    var target: String
    var doneBelow: Int
    var counts: MigrationCounts
    /// The whole source was handled.
    var complete: Bool
    var updatedAt: String

    static func path(forErrors errors: String) -> String { errors + ".checkpoint" }

    var json: JSON {
        ["format": JSON(MigrationCheckpoint.format), "source": source, "target": .string(target), "done_below": JSON(doneBelow),
         "counts": counts.json, "complete": .bool(complete), "updated_at": .string(updatedAt)]
    }

    init(source: JSON, target: String, doneBelow: Int, counts: MigrationCounts, complete: Bool, updatedAt: String = Timestamp.now()) {
        self.source = source
        self.target = target
        self.doneBelow = doneBelow
        self.counts = counts
        self.complete = complete
        self.updatedAt = updatedAt
    }

    /// The checkpoint at `path`, nil when there is none.
    static func load(_ path: String) throws -> MigrationCheckpoint? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let json = try? JSONParser.parse([UInt8](data)), json["format"]?.intValue == format,
              let source = json["source"], let target = json["target"]?.stringValue, let done = json["done_below"]?.intValue,
              let counts = json["counts"].flatMap(MigrationCounts.init(json:))
        else {
            throw PlugboardError.invalidInput("\(path): not a migration checkpoint this version understands; remove it to start over")
        }
        return MigrationCheckpoint(source: source, target: target, doneBelow: done, counts: counts,
                                   complete: json["complete"]?.boolValue ?? false, updatedAt: json["updated_at"]?.stringValue ?? "")
    }

    /// Replaces the file atomically and durably.
    func save(_ path: String) throws {
        let bytes = json.serializedBytes(pretty: true) + [0x0A]
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw MigrationCheckpoint.ioError("create \(temp)") }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        // fsync before rename: a crash never leaves a renamed but empty checkpoint.
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0 else { throw MigrationCheckpoint.ioError("write \(temp)") }
        guard rename(temp, path) == 0 else { throw MigrationCheckpoint.ioError("rename \(temp) to \(path)") }
    }

    static func ioError(_ what: String) -> PlugboardError {
        PlugboardError(.unavailable, "cannot \(what): \(String(cString: strerror(errno)))", retryable: false)
    }
}

/// What happened to the records of a migration so far.
struct MigrationCounts: Sendable, Equatable {
    /// Written and acknowledged by the target.
    var migrated = 0
    /// Repeats of an earlier record with the same id and content.
    var skipped = 0
    /// Not a migratable ticket (no or empty id, not an object, invalid JSON).
    var invalid = 0
    /// A repeated id with different content.
    var conflicts = 0
    /// Refused by the target (too large, a value it cannot store).
    var refused = 0

    var failed: Int { invalid + conflicts + refused }

    var json: JSON {
        ["migrated": JSON(migrated), "skipped": JSON(skipped), "invalid": JSON(invalid), "conflicts": JSON(conflicts),
         "refused": JSON(refused)]
    }

    init() {}

    init?(json: JSON) {
        guard let m = json["migrated"]?.intValue else { return nil }
        migrated = m
        skipped = json["skipped"]?.intValue ?? 0
        invalid = json["invalid"]?.intValue ?? 0
        conflicts = json["conflicts"]?.intValue ?? 0
        refused = json["refused"]?.intValue ?? 0
    }

    static func + (a: MigrationCounts, b: MigrationCounts) -> MigrationCounts {
        var c = a
        c.migrated += b.migrated
        c.skipped += b.skipped
        c.invalid += b.invalid
        c.conflicts += b.conflicts
        c.refused += b.refused
        return c
    }
}
