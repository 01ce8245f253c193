/// How ids and index values are written to `TEXT COLLATE "C"` columns.
///
/// PostgreSQL text cannot hold U+0000, but the port must keep any string,
/// NUL included. Bytes 0x00 and 0x01 are escaped behind 0x01:
///
///     0x00 → 0x01 0x01      0x01 → 0x01 0x02      any other byte → itself
///
/// This code is prefix-free and keeps the order of single bytes
/// (`01 01` < `01 02` < `02` < ...), so it keeps the byte order of whole
/// strings: `a < b` exactly when `encode(a) < encode(b)` under `COLLATE "C"`.
/// Range bounds, cursors and partition values are encoded the same way, so
/// queries stay exact, and strings without 0x00/0x01 (all ordinary text) are
/// stored as they are, readable in `psql`. UTF-8 byte order is Unicode scalar
/// order, which is the order Swift's `String <` gives for the (NFC) strings
/// the kernel compares.
enum PostgresKeyText {
    static func encode(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 <= 0x01 }) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 8)
        for b in s.utf8 {
            switch b {
            case 0x00: out.append(0x01); out.append(0x01)
            case 0x01: out.append(0x01); out.append(0x02)
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The inverse of `encode`; nil for text `encode` cannot produce.
    static func decode(_ s: String) -> String? {
        guard s.utf8.contains(0x01) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var escaped = false
        for b in s.utf8 {
            if escaped {
                switch b {
                case 0x01: out.append(0x00)
                case 0x02: out.append(0x01)
                default: return nil
                }
                escaped = false
            } else if b == 0x01 {
                escaped = true
            } else {
                out.append(b)
            }
        }
        return escaped ? nil : String(decoding: out, as: UTF8.self)
    }

    /// Bytes form of `decode` for values read straight from a result.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.contains(0x01) else { return String(decoding: bytes, as: UTF8.self) }
        return decode(String(decoding: bytes, as: UTF8.self))
    }
}
