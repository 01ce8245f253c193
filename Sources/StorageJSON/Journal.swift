#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PlugboardKernel

/// The append-only journal (`journal.jsonl`): one line per acknowledged write,
/// each made durable with `fdatasync` before the write returns.
struct Journal: Sendable {
    let path: String
    let fd: Int32
    /// Bytes of whole records in the file.
    private(set) var length: Int

    /// What a journal file holds: its whole records, and how many leading bytes they span.
    struct Contents {
        var records: [JournalRecord] = []
        var validLength = 0
    }

    /// Reads the records of a journal file.
    ///
    /// Only one record is ever in flight (writes are serial and each is synced
    /// before the next starts), and a record's only newline is its last byte.
    /// So a crash can leave at most one damaged segment, at the end, with no
    /// newline before its final byte: a torn or zero-filled record, never
    /// acknowledged. It is ignored. Anything else unreadable means the file was
    /// damaged after acknowledged writes were in it; opening then fails rather
    /// than silently dropping the records that follow.
    static func read(_ bytes: [UInt8], path: String) throws -> Contents {
        var contents = Contents()
        var start = 0
        var line = 1
        while start < bytes.count {
            let newline = bytes[start...].firstIndex(of: 0x0A)
            if let end = newline, let json = try? JSONParser.parse(Array(bytes[start..<end])),
               let record = JournalRecord(json) {
                contents.records.append(record)
                contents.validLength = end + 1
                start = end + 1
                line += 1
                continue
            }
            // An unreadable segment: acceptable only as the torn tail.
            if let end = newline, end + 1 < bytes.count {
                throw JSONFileStore.shapeError("\(path):\(line)",
                    "unreadable journal record followed by \(bytes.count - end - 1) more bytes; the journal is damaged "
                    + "(move it aside to open the last compacted state, losing the writes it holds)")
            }
            break
        }
        return contents
    }

    /// Opens the journal for appending, cutting off a torn tail first so new
    /// records never follow a damaged one.
    static func open(_ path: String, existingLength: Int?, validLength: Int, directory: String) throws -> Journal {
        let fd = try FileSystem.openFile(path, O_WRONLY | O_APPEND | O_CREAT)
        do {
            if existingLength == nil {
                try FileSystem.syncDirectory(directory)
            } else if let n = existingLength, n > validLength {
                try FileSystem.truncate(fd, to: validLength, path: path)
                try FileSystem.sync(fd, path: path)
            }
        } catch {
            close(fd)
            throw error
        }
        return Journal(path: path, fd: fd, length: validLength)
    }

    /// Appends a record and makes it durable. On failure the caller stops
    /// writing: the file may end in a partial record, which a reopen cuts off.
    mutating func append(_ record: JournalRecord) throws {
        let bytes = record.line
        try FileSystem.writeAll(fd, bytes, path: path)
        try FileSystem.syncData(fd, path: path)
        length += bytes.count
    }

    /// Empties the journal once its records are in durable compacted files.
    /// Synced before any new append: were the truncation lost while a later
    /// append survived, new records would land inside stale ones.
    mutating func reset() throws {
        try FileSystem.truncate(fd, to: 0, path: path)
        try FileSystem.sync(fd, path: path)
        length = 0
    }

    func closeDescriptor() { close(fd) }
}
