/// The outcome of one live check of an adapter (`plugboard doctor`).
public struct HealthCheck: Sendable, Hashable {
    public var ok: Bool
    /// What was checked and what was found (`connected; schema version 3`).
    public var detail: String
    /// How to fix a failure (`create the bucket`, `set AWS_SECRET_ACCESS_KEY`); nil when ok.
    public var hint: String?

    public init(ok: Bool, detail: String, hint: String? = nil) {
        self.ok = ok
        self.detail = detail
        self.hint = hint
    }

    public static func passed(_ detail: String) -> HealthCheck { HealthCheck(ok: true, detail: detail) }
    public static func failed(_ detail: String, hint: String?) -> HealthCheck { HealthCheck(ok: false, detail: detail, hint: hint) }
}

/// Optional for any adapter: a cheap live check of its backend (connect and
/// read a schema version, HeadBucket, an authenticated GET, EHLO).
///
/// ## Implementation requirements
/// - Read-only and cheap: `doctor` runs it on production configurations.
/// - Never throws: a failure is a `HealthCheck` with a hint saying what to fix.
/// - No secret in `detail` or `hint`.
///
/// Adapters without it get the port's generic check (a read of a missing id).
public protocol HealthChecking: Sendable {
    func check() async -> HealthCheck
}

extension HealthCheck {
    /// A failed check from the error a backend call ended with: the hint for its code
    /// from `hints`, else `otherwise` (usually "is it reachable at HOST? check base_url").
    public static func failed(_ e: PlugboardError, hints: [PlugboardError.Code: String], otherwise: String) -> HealthCheck {
        .failed(e.message, hint: hints[e.code] ?? otherwise)
    }
}
