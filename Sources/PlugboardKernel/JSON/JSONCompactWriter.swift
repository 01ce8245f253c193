/// Compact JSON output into a buffer it owns: the serializer's fast path.
///
/// Same bytes as `JSON.write(into:pretty: false)` always produced (keys in
/// `String` order, the same escapes), about twice as fast: bytes go through
/// a raw pointer instead of `Array.append` (no uniqueness or capacity check
/// per call) and object members are ordered through a stack buffer of
/// dictionary indexes instead of a sorted copy of the pairs.
struct JSONCompactWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written so far, valid until the next write.
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always) private mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(to: count + n) }
    }

    private mutating func grow(to needed: Int) {
        var c = capacity * 2
        while c < needed { c *= 2 }
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        b.update(from: base, count: count)
        base.deallocate()
        base = b
        capacity = c
    }

    @inline(__always) private mutating func byte(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    @inline(__always) private mutating func append(_ p: UnsafePointer<UInt8>, _ n: Int) {
        reserve(n)
        (base + count).update(from: p, count: n)
        count += n
    }

    private mutating func literal(_ s: StaticString) {
        append(s.utf8Start, s.utf8CodeUnitCount)
    }

    mutating func write(_ value: JSON) {
        switch value {
        case .null: literal("null")
        case .bool(let b): literal(b ? "true" : "false")
        case .number(let n):
            var text = n.text
            text.withUTF8 { u in if let p = u.baseAddress { append(p, u.count) } }
        case .string(let s): string(s)
        case .array(let a):
            byte(0x5B)
            var first = true
            for element in a {
                if !first { byte(0x2C) }
                first = false
                write(element)
            }
            byte(0x5D)
        case .object(let o):
            byte(0x7B)
            withUnsafeTemporaryAllocation(of: Dictionary<String, JSON>.Index.self, capacity: o.count) { buffer in
                var order = buffer
                var k = 0
                var i = o.startIndex
                while i != o.endIndex {
                    order.initializeElement(at: k, to: i)
                    k += 1
                    i = o.index(after: i)
                }
                order.sort { o[$0].key < o[$1].key }
                for k in 0..<order.count {
                    if k > 0 { byte(0x2C) }
                    let (key, member) = o[order[k]]
                    string(key)
                    byte(0x3A)
                    write(member)
                }
            }
            byte(0x7D)
        }
    }

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// A string literal: `"` and `\` escaped, control characters as `\n`, `\r`, `\t` or `\u00XX`, UTF-8 kept.
    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { u in
            let n = u.count
            reserve(n + 2)
            byte(0x22)
            guard let p = u.baseAddress else { return byte(0x22) }
            var runStart = 0
            let plain = JSONParser.plainRun(UnsafeBufferPointer(start: p, count: n), from: 0)
            for k in plain..<n {
                let c = p[k]
                if c >= 0x20 && c != 0x22 && c != 0x5C { continue }
                if runStart < k { append(p + runStart, k - runStart) }
                runStart = k + 1
                switch c {
                case 0x22: byte(0x5C); byte(0x22)
                case 0x5C: byte(0x5C); byte(0x5C)
                case 0x0A: byte(0x5C); byte(0x6E)
                case 0x0D: byte(0x5C); byte(0x72)
                case 0x09: byte(0x5C); byte(0x74)
                default:
                    literal("\\u00")
                    let hex = JSONCompactWriter.hexDigits.utf8Start
                    byte(hex[Int(c >> 4)])
                    byte(hex[Int(c & 0xF)])
                }
            }
            if runStart < n { append(p + runStart, n - runStart) }
            byte(0x22)
        }
    }
}
