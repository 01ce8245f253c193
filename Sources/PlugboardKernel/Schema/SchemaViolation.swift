/// One way an instance fails a JSON Schema: where (a JSON Pointer into the
/// instance) and what, in words a user can act on and an LLM can repair from.
///
/// `path` is `""` for the instance itself, `/analytics/urgency` for a member.
/// A missing required property is reported at the property's own path
/// (`/summary`), so every message points at the field to fix.
public struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String
    /// The schema keyword that failed (`type`, `enum`, `required`, ...).
    public var keyword: String

    public init(path: String, message: String, keyword: String) {
        self.path = path
        self.message = message
        self.keyword = keyword
    }

    /// `/analytics/urgency: expected one of low, medium, high, got "x"`.
    public var description: String { "\(path.isEmpty ? "(root)" : path): \(message)" }

    /// The violations as a bulleted list, one per line (for error messages and repair prompts).
    public static func render(_ violations: [SchemaViolation]) -> String {
        violations.map { "- \($0)" }.joined(separator: "\n")
    }
}
