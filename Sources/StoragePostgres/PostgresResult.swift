import CLibPQ
import PlugboardKernel

/// One libpq result, cleared when released. Read on the connection's thread
/// and turned into Swift values before the work item returns.
final class PostgresResult {
    let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { PQclear(handle) }

    var rowCount: Int { Int(PQntuples(handle)) }

    /// Rows touched by an INSERT / UPDATE / DELETE (`PQcmdTuples`).
    var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(handle, Int32(row), Int32(column)) != 0 }

    /// The raw text of a field, valid while the result lives.
    func bytes(_ row: Int, _ column: Int) -> UnsafeBufferPointer<UInt8> {
        let p = PQgetvalue(handle, Int32(row), Int32(column))!
        let n = Int(PQgetlength(handle, Int32(row), Int32(column)))
        return UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: n)
    }

    func string(_ row: Int, _ column: Int) -> String? {
        isNull(row, column) ? nil : String(decoding: bytes(row, column), as: UTF8.self)
    }

    func int64(_ row: Int, _ column: Int) -> Int64? {
        isNull(row, column) ? nil : Int64(String(decoding: bytes(row, column), as: UTF8.self))
    }
}

/// Text-format statement parameters in one buffer: each value NUL-terminated,
/// as libpq reads text parameters. Values never contain NUL themselves: ids
/// and index values go through `PostgresKeyText`, bodies are JSON text, which
/// escapes U+0000.
struct PostgresParameters {
    private(set) var bytes: [UInt8] = []
    /// Offset of each value in `bytes`, -1 for SQL NULL.
    private(set) var offsets: [Int] = []

    init(reservingBytes n: Int = 0) { bytes.reserveCapacity(n) }

    var count: Int { offsets.count }

    mutating func append(_ s: String) {
        offsets.append(bytes.count)
        bytes.append(contentsOf: s.utf8)
        bytes.append(0)
    }

    mutating func append(_ v: Int64) { append(String(v)) }
    mutating func append(_ v: Int) { append(String(v)) }

    /// A JSON body, serialized straight into the buffer.
    mutating func append(json: JSON) {
        offsets.append(bytes.count)
        json.write(into: &bytes)
        bytes.append(0)
    }

    mutating func appendNull() { offsets.append(-1) }

    mutating func append(_ s: String?) {
        if let s { append(s) } else { appendNull() }
    }

    /// Calls `body` with the C array of value pointers libpq expects.
    func withValuePointers<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>?) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { buf in
            // No bytes means every value is NULL.
            let base = buf.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
            let pointers: [UnsafePointer<CChar>?] = offsets.map { $0 < 0 ? nil : base! + $0 }
            return try pointers.withUnsafeBufferPointer { try body($0.baseAddress) }
        }
    }
}
