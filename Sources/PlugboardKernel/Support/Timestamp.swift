import Foundation

/// ISO 8601 timestamps, parsed leniently and written as UTC.
///
/// Stored and compared values are always `yyyy-MM-ddTHH:mm:ss[.SSS]Z`, so a
/// string comparison is a time comparison. Accepted input: a date alone, a `T`
/// or a space between date and time, optional fraction, `Z`, `±HH:MM`, `±HHMM`
/// or no zone (read as UTC).
public enum Timestamp {
    /// Seconds since 1970 for an ISO 8601 string, nil if it is not one.
    public static func parse(_ s: String) -> Double? {
        var s = s
        return s.withUTF8 { parse(bytes: $0) }
    }

    static func parse(bytes u: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        let n = u.count
        func digits(_ count: Int) -> Int? {
            guard i + count <= n else { return nil }
            var v = 0
            for _ in 0..<count {
                let c = u[i]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
                i += 1
            }
            return v
        }
        func expect(_ c: UInt8) -> Bool { if i < n && u[i] == c { i += 1; return true }; return false }
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var offset = 0
        if i < n {
            guard u[i] == 0x54 || u[i] == 0x74 || u[i] == 0x20 else { return nil }
            i += 1
            guard let h = digits(2), expect(0x3A), let m = digits(2), h < 24, m < 60 else { return nil }
            hour = h; minute = m
            if expect(0x3A) {
                guard let sec = digits(2), sec <= 60 else { return nil }
                second = min(sec, 59)
                if expect(0x2E) || expect(0x2C) {
                    var scale = 0.1
                    let start = i
                    while i < n, u[i] >= 0x30, u[i] <= 0x39 { fraction += Double(u[i] - 0x30) * scale; scale /= 10; i += 1 }
                    if i == start { return nil }
                }
            }
            if i < n {
                if u[i] == 0x5A || u[i] == 0x7A {
                    i += 1
                } else if u[i] == 0x2B || u[i] == 0x2D {
                    let sign = u[i] == 0x2D ? -1 : 1
                    i += 1
                    guard let oh = digits(2) else { return nil }
                    _ = expect(0x3A)
                    let om = digits(2) ?? 0
                    offset = sign * (oh * 3600 + om * 60)
                } else { return nil }
            }
            guard i == n else { return nil }
        }
        let days = daysFromCivil(year, month, day)
        return Double(days * 86400 + hour * 3600 + minute * 60 + second - offset) + fraction
    }

    /// The canonical UTC form of an ISO 8601 string; nil if it is not one.
    public static func normalize(_ s: String) -> String? {
        guard let t = parse(s) else { return nil }
        return format(t)
    }

    /// `yyyy-MM-ddTHH:mm:ssZ`, with milliseconds when the time has any.
    public static func format(_ t: Double) -> String {
        var secs = Int((t).rounded(.down))
        var millis = Int(((t - Double(secs)) * 1000).rounded())
        if millis >= 1000 { secs += 1; millis -= 1000 }
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let rem = secs - days * 86400
        let (y, m, d) = civilFromDays(days)
        if y >= 0 && y <= 9999 { return formatDigits(y, m, d, rem, millis) }
        var out = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T"
        out += pad(rem / 3600, 2) + ":" + pad(rem % 3600 / 60, 2) + ":" + pad(rem % 60, 2)
        if millis != 0 { out += "." + pad(millis, 3) }
        return out + "Z"
    }

    public static func format(_ d: Date) -> String { format(d.timeIntervalSince1970) }

    /// `yyyy-MM-ddTHH:mm:ss.SSSZ`, always with milliseconds: fixed width, so
    /// string order is time order (`…00.500Z` after `…00.000Z`). Index values
    /// and query bounds on timestamp indexes use this form.
    public static func sortKey(_ t: Double) -> String {
        let s = format(t)
        return s.count == 20 ? String(s.dropLast()) + ".000Z" : s
    }

    /// The sortable form of an ISO 8601 string; nil if it is not one.
    public static func sortKey(_ s: String) -> String? { parse(s).map(sortKey) }
    public static func now() -> String { format(Date()) }

    /// The same text as the general path for years 0...9999, written as bytes:
    /// a storage adapter computes this for every document it indexes.
    private static func formatDigits(_ y: Int, _ m: Int, _ d: Int, _ rem: Int, _ millis: Int) -> String {
        let length = millis != 0 ? 24 : 20
        return String(unsafeUninitializedCapacity: length) { out in
            func put(_ v: Int, _ width: Int, at i: Int) {
                var v = v
                for k in stride(from: i + width - 1, through: i, by: -1) {
                    out[k] = UInt8(0x30 + v % 10)
                    v /= 10
                }
            }
            put(y, 4, at: 0); out[4] = 0x2D; put(m, 2, at: 5); out[7] = 0x2D; put(d, 2, at: 8); out[10] = 0x54
            put(rem / 3600, 2, at: 11); out[13] = 0x3A; put(rem % 3600 / 60, 2, at: 14); out[16] = 0x3A; put(rem % 60, 2, at: 17)
            if millis != 0 {
                out[19] = 0x2E
                put(millis, 3, at: 20)
            }
            out[length - 1] = 0x5A
            return length
        }
    }

    private static func pad(_ v: Int, _ w: Int) -> String {
        let s = String(v)
        return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
