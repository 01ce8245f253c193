/// The one error type every adapter and kernel component throws.
///
/// Adapters map their native errors (SQLite codes, SQLSTATE, HTTP status, AWS
/// error types) to a `Code` in one place each; policies decide on retries from
/// `isRetryable` and `retryAfter` alone.
public struct PlugboardError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. A struct over a private enum, so adding a
    /// code later breaks no `switch` outside the kernel.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case notFound, conflict, invalidConfiguration, unauthenticated, permissionDenied
            case rateLimited, unavailable, unsupported, invalidInput, internalError = "internal"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        public static var notFound: Self { .init(.notFound) }
        public static var conflict: Self { .init(.conflict) }
        public static var invalidConfiguration: Self { .init(.invalidConfiguration) }
        public static var unauthenticated: Self { .init(.unauthenticated) }
        public static var permissionDenied: Self { .init(.permissionDenied) }
        public static var rateLimited: Self { .init(.rateLimited) }
        public static var unavailable: Self { .init(.unavailable) }
        public static var unsupported: Self { .init(.unsupported) }
        public static var invalidInput: Self { .init(.invalidInput) }
        public static var `internal`: Self { .init(.internalError) }

        public var description: String { base.rawValue }
        /// Whether failures of this code are worth another attempt by default.
        public var retryableByDefault: Bool { base == .rateLimited || base == .unavailable }
    }

    public var code: Code
    /// What went wrong and where, for a person. Never contains a secret.
    public var message: String
    /// The adapter that failed (`"sqlite"`, `"hubspot"`), when one did.
    public var adapter: String?
    /// The underlying native error, rendered (`SQLITE_BUSY`, `HTTP 503`, ...).
    public var cause: String?
    public var isRetryable: Bool
    /// A server-requested delay before the next attempt (Retry-After).
    public var retryAfter: Duration?

    public init(_ code: Code, _ message: String, adapter: String? = nil, cause: String? = nil,
                retryable: Bool? = nil, retryAfter: Duration? = nil) {
        self.code = code
        self.message = message
        self.adapter = adapter
        self.cause = cause
        self.isRetryable = retryable ?? code.retryableByDefault
        self.retryAfter = retryAfter
    }

    public var description: String {
        var s = adapter.map { "\($0): " } ?? ""
        s += message
        if let cause, !message.contains(cause) { s += " (\(cause))" }
        return s
    }

    public static func notFound(_ m: String, adapter: String? = nil) -> Self { .init(.notFound, m, adapter: adapter) }
    public static func conflict(_ m: String, adapter: String? = nil) -> Self { .init(.conflict, m, adapter: adapter) }
    public static func invalidInput(_ m: String, adapter: String? = nil) -> Self { .init(.invalidInput, m, adapter: adapter) }
    public static func invalidConfiguration(_ m: String, adapter: String? = nil) -> Self {
        .init(.invalidConfiguration, m, adapter: adapter)
    }
    public static func unsupported(_ m: String, adapter: String? = nil) -> Self { .init(.unsupported, m, adapter: adapter) }
    public static func unavailable(_ m: String, adapter: String? = nil, cause: String? = nil) -> Self {
        .init(.unavailable, m, adapter: adapter, cause: cause)
    }
    public static func `internal`(_ m: String, adapter: String? = nil, cause: String? = nil) -> Self {
        .init(.internal, m, adapter: adapter, cause: cause)
    }
}

extension PlugboardError {
    /// Wraps any error as a `PlugboardError`, keeping one that already is.
    public static func wrap(_ error: any Error, adapter: String? = nil) -> PlugboardError {
        if var e = error as? PlugboardError {
            if e.adapter == nil { e.adapter = adapter }
            return e
        }
        if error is CancellationError { return .init(.unavailable, "cancelled", adapter: adapter, retryable: false) }
        return .init(.internal, String(describing: error), adapter: adapter)
    }
}
