import Foundation
import PlugboardKernel

/// Reads a ticket file record by record, in bounded memory: a Freeda-style
/// object keyed by `ticket_id`, a JSON array of tickets, or JSON Lines.
///
/// The file is read in chunks; a light structural scan (strings, escapes,
/// nesting) finds where each record ends, and only that record's bytes are
/// parsed, by the kernel's `JSONParser`. A record that does not parse is
/// returned with its syntax error and the reading goes on; a file whose
/// structure breaks between records (a missing comma) stops with the line and
/// column.
///
/// Not thread-safe: one reader is used from one serial queue (`FileSource`).
/// Its reads block, so it never runs on Swift's cooperative threads.
final class TicketFileReader {
    enum Shape: String, Sendable {
        case object = "an object keyed by ticket_id"
        case array = "an array of tickets"
        case lines = "JSON Lines"
    }

    /// One record: where it is, its bytes in the file, and its value or why it does not parse.
    struct Record {
        var position: RecordPosition
        var offset: Int
        var length: Int
        var value: JSON?
        var syntaxError: String?
    }

    let path: String
    let shape: Shape
    let fileSize: Int
    private let fd: Int32
    private var buffer: [UInt8]
    /// Valid bytes in `buffer`.
    private var count = 0
    /// File offset of `buffer[0]`.
    private var base = 0
    /// Scan position in `buffer`.
    private var pos = 0
    private var eof = false
    /// Line of `buffer[lineCounted]`.
    private var line = 1
    private var lineCounted = 0
    private var index = 0
    private var started = false
    private var finished = false

    /// Opens `path`; `shape` nil detects it (see `detect`).
    /// - Parameter chunkSize: bytes read at a time (the buffer grows when one record is larger).
    init(path: String, shape: Shape? = nil, keyField: String = "ticket_id", chunkSize: Int = 1 << 20) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw PlugboardError.invalidInput("\(path): cannot open the ticket file (\(reason))")
        }
        var st = stat()
        fstat(fd, &st)
        fileSize = Int(st.st_size)
        buffer = [UInt8](repeating: 0, count: max(16, chunkSize))
        do {
            self.shape = try shape ?? TicketFileReader.detect(fd: fd, path: path, keyField: keyField)
        } catch {
            close(fd)
            throw error
        }
        guard lseek(fd, 0, SEEK_SET) == 0 else {
            close(fd)
            throw PlugboardError.invalidInput("\(path): cannot seek back to the start")
        }
    }

    deinit { close(fd) }

    /// Bytes of the file consumed so far.
    var bytesRead: Int { base + pos }

    /// The bytes of an earlier record (to compare a duplicate with the first one).
    func bytes(offset: Int, length: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(offset)) }
        guard n == length else { throw PlugboardError.invalidInput("\(path): the file changed while being read") }
        return out
    }

    // MARK: - Records

    /// The next record, nil at the end of the file.
    func next() throws -> Record? {
        if finished { return nil }
        if !started {
            started = true
            try skipBOM()
            if shape != .lines {
                guard try skipWhitespace() else { throw failure("the file is empty; expected \(shape.rawValue)") }
                let open = shape == .object ? UInt8(ascii: "{") : UInt8(ascii: "[")
                guard buffer[pos] == open else { throw failure("expected \(shape.rawValue), found \(found())") }
                pos += 1
                guard try skipWhitespace() else { throw failure("unexpected end of file") }
                if buffer[pos] == (shape == .object ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    pos += 1
                    try finish()
                    return nil
                }
            }
        }
        switch shape {
        case .lines: return try nextLine()
        case .object, .array: return try nextMember()
        }
    }

    private func nextLine() throws -> Record? {
        while true {
            var end: Int?
            while true {
                if let nl = firstNewline(from: pos) { end = nl; break }
                if eof { break }
                try fill()
            }
            let stop = end ?? count
            if pos >= stop && end == nil { finished = true; return nil }
            countLines(upTo: pos)
            let lineNumber = line
            let slice = Array(buffer[pos..<stop])
            let offset = base + pos
            pos = end.map { $0 + 1 } ?? stop
            if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            var record = Record(position: RecordPosition(place: .line, line: lineNumber), offset: offset, length: slice.count)
            parse(slice, into: &record, firstLine: lineNumber)
            return record
        }
    }

    private func nextMember() throws -> Record? {
        guard try skipWhitespace() else { throw failure("unexpected end of file inside \(shape.rawValue)") }
        countLines(upTo: pos)
        let recordLine = line
        let place: RecordPosition.Place
        if shape == .object {
            guard buffer[pos] == UInt8(ascii: "\"") else { throw failure("expected a ticket id in double quotes, found \(found())") }
            let keyEnd = try valueEnd()
            let keyBytes = Array(buffer[pos..<keyEnd])
            guard case .string(let key)? = try? JSONParser.parse(keyBytes) else { throw failure("invalid ticket id string") }
            pos = keyEnd
            guard try skipWhitespace(), buffer[pos] == UInt8(ascii: ":") else {
                throw failure("expected ':' after the ticket id \(JSON.string(key).serialized()), found \(found())")
            }
            pos += 1
            guard try skipWhitespace() else { throw failure("unexpected end of file after \(JSON.string(key).serialized()):") }
            place = .key(key)
        } else {
            place = .index(index)
        }
        index += 1
        countLines(upTo: pos)
        let valueLine = line
        let end = try valueEnd()
        let slice = Array(buffer[pos..<end])
        var record = Record(position: RecordPosition(place: place, line: recordLine), offset: base + pos, length: slice.count)
        pos = end
        parse(slice, into: &record, firstLine: valueLine)
        guard try skipWhitespace() else { throw failure("unexpected end of file: \(shape.rawValue) is not closed") }
        let close = shape == .object ? UInt8(ascii: "}") : UInt8(ascii: "]")
        if buffer[pos] == UInt8(ascii: ",") {
            pos += 1
            guard try skipWhitespace() else { throw failure("unexpected end of file after ','") }
            if buffer[pos] == close { throw failure("a ',' before '\(Character(Unicode.Scalar(close)))' (trailing comma)") }
        } else if buffer[pos] == close {
            pos += 1
            try finish()
        } else {
            throw failure("expected ',' or '\(Character(Unicode.Scalar(close)))' after the record at \(record.position), found \(found())")
        }
        return record
    }

    private func parse(_ bytes: [UInt8], into record: inout Record, firstLine: Int) {
        do {
            record.value = try JSONParser.parse(bytes)
        } catch {
            let at = error.line == 1 ? "line \(firstLine + error.line - 1), column \(error.column)" : "line \(firstLine + error.line - 1)"
            record.syntaxError = "invalid JSON at \(at): \(error.message)"
        }
    }

    /// After the closing bracket: only whitespace may follow.
    private func finish() throws {
        finished = true
        if try skipWhitespace() { throw failure("unexpected \(found()) after the end of \(shape.rawValue)") }
    }

    // MARK: - Scanning

    /// Advances over whitespace; false at the end of the file.
    private func skipWhitespace() throws -> Bool {
        while true {
            while pos < count {
                let c = buffer[pos]
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { return true }
            }
            if eof { return false }
            try fill()
        }
    }

    private func skipBOM() throws {
        while count - pos < 3 && !eof { try fill() }
        if count - pos >= 3, buffer[pos] == 0xEF, buffer[pos + 1] == 0xBB, buffer[pos + 2] == 0xBF { pos += 3 }
    }

    /// The index just past the value starting at `pos`, reading more of the file as needed.
    private func valueEnd() throws -> Int {
        while true {
            if let end = TicketFileReader.scanValue(buffer, from: pos, count: count, atEOF: eof) { return end }
            if eof { throw failure("unexpected end of file inside the record starting here") }
            try fill()
        }
    }

    /// Where the value at `start` ends, or nil if `buffer` ends first. Only
    /// structure is checked here; the parser validates the record's contents.
    static func scanValue(_ b: [UInt8], from start: Int, count: Int, atEOF: Bool) -> Int? {
        var i = start
        guard i < count else { return nil }
        switch b[i] {
        case UInt8(ascii: "\""):
            i += 1
            while i < count {
                let c = b[i]
                if c == UInt8(ascii: "\\") { i += 2; continue }
                if c == UInt8(ascii: "\"") { return i + 1 }
                i += 1
            }
            return nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            return b.withUnsafeBufferPointer { p -> Int? in
                while i < count {
                    let c = p[i]
                    if c == UInt8(ascii: "\"") {
                        i += 1
                        while i < count {
                            let s = p[i]
                            if s == UInt8(ascii: "\\") { i += 2; continue }
                            if s == UInt8(ascii: "\"") { break }
                            i += 1
                        }
                        if i >= count { return nil }
                    } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                        depth += 1
                    } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                        depth -= 1
                        if depth == 0 { return i + 1 }
                    }
                    i += 1
                }
                return nil
            }
        default:
            // A scalar runs to the next delimiter.
            while i < count {
                let c = b[i]
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 || c == UInt8(ascii: ",") || c == UInt8(ascii: "}")
                    || c == UInt8(ascii: "]") { return i }
                i += 1
            }
            return atEOF ? count : nil
        }
    }

    private func firstNewline(from start: Int) -> Int? {
        buffer.withUnsafeBufferPointer { p in
            guard start < count, let base = p.baseAddress,
                  let hit = memchr(base + start, 0x0A, count - start) else { return nil }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Counts the newlines of `buffer[lineCounted..<upTo]` into `line`.
    private func countLines(upTo end: Int) {
        guard end > lineCounted else { return }
        buffer.withUnsafeBufferPointer { p in
            var i = lineCounted
            while i < end {
                guard let hit = memchr(p.baseAddress! + i, 0x0A, end - i) else { break }
                line += 1
                i = p.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
            }
        }
        lineCounted = end
    }

    /// Drops the consumed bytes and reads more, growing the buffer when one record fills it.
    private func fill() throws {
        countLines(upTo: pos)
        if pos > 0 {
            buffer.withUnsafeMutableBytes { p in
                _ = memmove(p.baseAddress!, p.baseAddress! + pos, count - pos)
            }
            count -= pos
            base += pos
            lineCounted -= pos
            pos = 0
        }
        if count == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
        let capacity = buffer.count - count
        let n = buffer.withUnsafeMutableBytes { p in read(fd, p.baseAddress! + count, capacity) }
        guard n >= 0 else {
            throw PlugboardError.invalidInput("\(path): read failed (\(String(cString: strerror(errno))))")
        }
        if n == 0 { eof = true }
        count += n
    }

    private func found() -> String {
        guard pos < count else { return "end of file" }
        let c = buffer[pos]
        if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "byte 0x" + String(c, radix: 16)
    }

    private func failure(_ message: String) -> PlugboardError {
        countLines(upTo: min(pos, count))
        var column = 1
        var k = pos - 1
        while k >= 0 && k < count && buffer[k] != 0x0A { column += 1; k -= 1 }
        return PlugboardError.invalidInput("\(path):\(line):\(column): \(message)")
    }
}

// MARK: - Shape detection

extension TicketFileReader {
    /// Tells the three shapes apart from the file's beginning:
    /// - `[` starts an array of tickets;
    /// - `{` whose value spans several lines is a (pretty) Freeda-style object,
    ///   since a JSON Lines record never contains a line break;
    /// - a first value on one line followed by more values is JSON Lines;
    /// - a file that is one single-line object is a compact Freeda-style object,
    ///   unless its own members include a string `ticket_id`: then it is one ticket
    ///   (a one-line JSON Lines file).
    /// Only a compact single-line file is read to its end to decide.
    static func detect(fd: Int32, path: String, keyField: String) throws -> Shape {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var started = false
        var depth = 0
        var inString = false
        var escaped = false
        var expectKey = false
        var collectingKey = false
        var key: [UInt8] = []
        var awaitingColon = false
        var keyIsTicketID = false
        var pendingKeyValue = false
        var ticketIDString = false
        var ended = false
        var offset = 0
        let keyBytes = Array(keyField.utf8)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            guard n >= 0 else { throw PlugboardError.invalidInput("\(path): read failed (\(String(cString: strerror(errno))))") }
            if n == 0 { break }
            var i = 0
            if offset == 0, n >= 3, chunk[0] == 0xEF, chunk[1] == 0xBB, chunk[2] == 0xBF { i = 3 }
            offset += n
            while i < n {
                let c = chunk[i]
                i += 1
                if ended {
                    if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { continue }
                    return .lines  // another value after the first one
                }
                if !started {
                    if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { continue }
                    if c == UInt8(ascii: "[") { return .array }
                    guard c == UInt8(ascii: "{") else {
                        throw PlugboardError.invalidInput(
                            "\(path): expected a JSON object keyed by ticket_id, an array of tickets, or JSON Lines; the file starts with "
                                + (c >= 0x20 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16))"))
                    }
                    started = true
                    depth = 1
                    expectKey = true
                    continue
                }
                if inString {
                    if collectingKey { key.append(c) }
                    if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") {
                        inString = false
                        if collectingKey {
                            collectingKey = false
                            key.removeLast()
                            awaitingColon = true
                            keyIsTicketID = key == keyBytes
                        }
                    }
                    continue
                }
                switch c {
                case 0x0A:
                    return .object  // a line break inside the first value: not JSON Lines
                case 0x20, 0x0D, 0x09:
                    continue
                case UInt8(ascii: "\""):
                    inString = true
                    if depth == 1 && expectKey {
                        collectingKey = true
                        key.removeAll(keepingCapacity: true)
                        expectKey = false
                    } else if pendingKeyValue {
                        ticketIDString = true
                    }
                    pendingKeyValue = false
                case UInt8(ascii: ":"):
                    if depth == 1 && awaitingColon { pendingKeyValue = keyIsTicketID }
                    awaitingColon = false
                case UInt8(ascii: ","):
                    if depth == 1 { expectKey = true }
                    pendingKeyValue = false
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    pendingKeyValue = false
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { ended = true }
                default:
                    pendingKeyValue = false
                }
            }
        }
        guard started else { throw PlugboardError.invalidInput("\(path): the file is empty") }
        return ended && ticketIDString ? .lines : .object
    }
}
