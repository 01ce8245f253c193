/// Exact decimal comparisons on the number text, so `minimum: 0.1` or a
/// 25-digit id is compared as written, not through a lossy `Double`.
extension JSONNumber {
    /// Whether the value has no fractional part (`3`, `3.0`, `1e308`, `-0`).
    var isIntegral: Bool {
        let c = canonical
        return c.digits.isEmpty || c.exponent >= 0
    }

    /// -1, 0 or 1 as `self` is less than, equal to or greater than `other`, exactly.
    func compareExactly(to other: JSONNumber) -> Int {
        let x = canonical, y = other.canonical
        let sx = x.digits.isEmpty ? 0 : (x.negative ? -1 : 1)
        let sy = y.digits.isEmpty ? 0 : (y.negative ? -1 : 1)
        if sx != sy { return sx < sy ? -1 : 1 }
        if sx == 0 { return 0 }
        let magnitude = JSONNumber.compareMagnitude(x.digits, x.exponent, y.digits, y.exponent)
        return sx > 0 ? magnitude : -magnitude
    }

    /// Compares `0.d1d2… × 10^(count+exp)` forms: first the position of the leading digit, then the digits.
    private static func compareMagnitude(_ a: String, _ ea: Int, _ b: String, _ eb: Int) -> Int {
        let oa = a.utf8.count + ea, ob = b.utf8.count + eb
        if oa != ob { return oa < ob ? -1 : 1 }
        var ia = a.utf8.makeIterator(), ib = b.utf8.makeIterator()
        while true {
            let da = ia.next(), db = ib.next()
            if da == nil, db == nil { return 0 }
            let x = da ?? UInt8(ascii: "0"), y = db ?? UInt8(ascii: "0")
            if x != y { return x < y ? -1 : 1 }
        }
    }

    /// Whether `self` is an integer multiple of `divisor` (which is > 0). Exact when the
    /// divisor has at most 36 significant digits at the common scale, otherwise through `Double`.
    func isMultiple(of divisor: JSONNumber) -> Bool {
        let x = canonical, m = divisor.canonical
        if x.digits.isEmpty { return true }
        guard !m.digits.isEmpty else { return false }
        // x = X·10^e and m = M·10^e at the common exponent e: x is a multiple of m iff X mod M == 0.
        let e = min(x.exponent, m.exponent)
        let mZeros = m.exponent - e, xZeros = x.exponent - e
        guard m.digits.utf8.count + mZeros <= 36, xZeros <= 100_000 else {
            let q = doubleValue / divisor.doubleValue
            return q.isFinite && q == q.rounded()
        }
        var modulus: UInt128 = 0
        for d in m.digits.utf8 { modulus = modulus * 10 + UInt128(d - 0x30) }
        for _ in 0..<mZeros { modulus *= 10 }
        // Remainders stay below the modulus (< 10^36), so `r * 10 + 9` fits in 128 bits.
        var r: UInt128 = 0
        for d in x.digits.utf8 { r = (r * 10 + UInt128(d - 0x30)) % modulus }
        for _ in 0..<xZeros { r = (r * 10) % modulus }
        return r == 0
    }
}
