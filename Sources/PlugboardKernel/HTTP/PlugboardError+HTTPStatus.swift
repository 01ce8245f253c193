import Foundation

extension PlugboardError {
    /// The error for an HTTP error status: the one table HTTP adapters share,
    /// called from each adapter's single error-mapping place.
    ///
    /// 400/422 `invalidInput`, 401 `unauthenticated`, 403 `permissionDenied`,
    /// 404/410 `notFound`, 409/412 `conflict`, 429 `rateLimited`, 408 and 5xx
    /// `unavailable` (retryable), other 4xx `invalidInput`. `Retry-After`
    /// (seconds or an HTTP-date) becomes `retryAfter` for 429 and 503.
    ///
    /// - Parameters:
    ///   - message: what failed, for a person (the operation and the server's own
    ///     message); never a secret.
    ///   - now: the clock an HTTP-date `Retry-After` is measured against.
    public init(httpStatus status: Int, message: String, adapter: String? = nil,
                headers: HTTPHeaders = [:], now: Date = Date()) {
        let code: Code
        var retryable: Bool?
        switch status {
        case 400, 422: code = .invalidInput
        case 401: code = .unauthenticated
        case 403: code = .permissionDenied
        case 404, 410: code = .notFound
        case 409, 412: code = .conflict
        case 429: code = .rateLimited
        case 408: code = .unavailable
        case 500...599: code = .unavailable
        case 400...499: code = .invalidInput
        default:
            code = .internal
            retryable = false
        }
        var delay: Duration?
        if status == 429 || status == 503, let v = headers["Retry-After"] {
            delay = PlugboardError.retryAfter(v, now: now)
        }
        self.init(code, message, adapter: adapter, cause: "HTTP \(status)", retryable: retryable, retryAfter: delay)
    }

    /// Parses a `Retry-After` value: delta-seconds (`120`) or an HTTP-date
    /// (`Wed, 21 Oct 2015 07:28:00 GMT`, also RFC 850 and asctime forms).
    /// A date in the past gives zero; anything else unparseable gives nil.
    public static func retryAfter(_ value: String, now: Date = Date()) -> Duration? {
        let v = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(v) { return seconds >= 0 ? .seconds(seconds) : nil }
        if let seconds = Double(v), seconds.isFinite, seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        guard let date = HTTPDate.parse(v) else { return nil }
        let delta = date - now.timeIntervalSince1970
        return delta <= 0 ? .zero : .milliseconds(Int64((delta * 1000).rounded()))
    }
}

/// HTTP-date (RFC 9110 section 5.6.7) parsing, for `Retry-After` and similar headers.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Seconds since 1970, or nil when `s` is not an HTTP-date.
    static func parse(_ s: String) -> Double? {
        // Tokens without the weekday: IMF-fixdate "21 Oct 2015 07:28:00 GMT",
        // RFC 850 "21-Oct-15 07:28:00 GMT", asctime "Oct 21 07:28:00 2015".
        var tokens = s.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        guard tokens.count >= 4 else { return nil }
        if Int(tokens[0]) == nil, months.firstIndex(of: tokens[0].lowercased()) == nil { tokens.removeFirst() }
        var day: Int?, month: Int?, year: Int?, time: String?
        if tokens.count >= 4, let d = Int(tokens[0]), let m = monthIndex(tokens[1]) {
            (day, month, year, time) = (d, m, Int(tokens[2]), tokens[3])
        } else if tokens.count >= 3, tokens[0].contains("-") {
            let parts = tokens[0].split(separator: "-").map(String.init)
            guard parts.count == 3 else { return nil }
            day = Int(parts[0]); month = monthIndex(parts[1]); year = Int(parts[2]).map { $0 < 70 ? 2000 + $0 : ($0 < 100 ? 1900 + $0 : $0) }
            time = tokens[1]
        } else if tokens.count >= 4, let m = monthIndex(tokens[0]) {
            (day, month, year, time) = (Int(tokens[1]), m, Int(tokens[3]), tokens[2])
        }
        guard let day, let month, let year, let time else { return nil }
        let hms = time.split(separator: ":").compactMap { Int($0) }
        guard hms.count == 3, (1...31).contains(day), hms[0] < 24, hms[1] < 60, hms[2] <= 60 else { return nil }
        let days = Timestamp.daysFromCivil(year, month, day)
        return Double(days * 86400 + hms[0] * 3600 + hms[1] * 60 + min(hms[2], 59))
    }

    private static func monthIndex(_ s: String) -> Int? { months.firstIndex(of: s.lowercased()).map { $0 + 1 } }
}
