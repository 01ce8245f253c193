import CCrypto
import Foundation
import PlugboardKernel
import Synchronization

/// Checks `X-Plugboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
///
/// The timestamp must be within `window` seconds of now, and each signature is
/// accepted once (a replay inside the window is refused too). Several `v1=`
/// values may be sent (while rotating secrets); one matching is enough.
/// Digests are compared in constant time (`CRYPTO_memcmp`).
public final class WebhookSignature: Sendable {
    public static let header = "x-plugboard-signature"
    let secret: [UInt8]
    let window: Double
    private let seen = Mutex<[String: Double]>([:])
    /// Most signatures remembered; beyond it the oldest half is forgotten (they are near expiry).
    let memory = 100_000

    public init(secret: String, window: Double) {
        self.secret = Array(secret.utf8)
        self.window = window
    }

    /// The header value for `body` at `time` (for clients and tests).
    public static func sign(_ body: [UInt8], secret: String, time: Int) -> String {
        let mac = Digest.hmacSHA256(key: Array(secret.utf8), data: Array("\(time).".utf8) + body)
        return "t=\(time),v1=\(Digest.hex(mac))"
    }

    /// nil when valid; otherwise why not (never echoing the header's value).
    public func verify(_ headerValue: String?, body: [UInt8], now: Double = Date().timeIntervalSince1970) -> String? {
        guard let headerValue, !headerValue.isEmpty else { return "missing X-Plugboard-Signature header" }
        var time: Int?
        var candidates: [String] = []
        for part in headerValue.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { return "malformed X-Plugboard-Signature header" }
            let k = kv[0].trimmingCharacters(in: .whitespaces), v = kv[1].trimmingCharacters(in: .whitespaces)
            if k == "t" { time = Int(v) } else if k == "v1" { candidates.append(v.lowercased()) }
        }
        guard let time, !candidates.isEmpty else { return "malformed X-Plugboard-Signature header (expected t=...,v1=...)" }
        if abs(now - Double(time)) > window { return "signature timestamp outside the \(Int(window)) s replay window" }
        let expected = Array(Digest.hex(Digest.hmacSHA256(key: secret, data: Array("\(time).".utf8) + body)).utf8)
        var match: String?
        for c in candidates {
            let given = Array(c.utf8)
            if given.count == expected.count, CRYPTO_memcmp(given, expected, expected.count) == 0 { match = c }
        }
        guard let match else { return "signature does not match" }
        let fresh = seen.withLock { s -> Bool in
            if s.count >= memory {
                s = s.filter { now - $0.value <= window }
                if s.count >= memory { s.removeAll() }
            }
            if s[match] != nil { return false }
            s[match] = Double(time)
            return true
        }
        return fresh ? nil : "signature already used (replay)"
    }
}
