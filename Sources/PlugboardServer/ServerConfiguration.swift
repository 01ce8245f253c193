import Foundation
import PlugboardKernel

/// How `plugboard serve` listens and what it accepts: the `server` section of
/// `adapters.json` (see `ConfigSections.server`) with command-line overrides.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (tests); `HTTPServer.port` tells which.
    public var port = 8080
    /// Bearer token for the admin routes; nil disables them (every admin request gets 401).
    public var adminToken: String?
    /// HMAC-SHA256 key for `X-Plugboard-Signature`; nil accepts unsigned intake requests.
    public var webhookSecret: String?
    public var replayWindow: Double = 300
    public var maxBodyBytes = 10_485_760
    /// Request line plus headers; more is answered 431.
    public var maxHeaderBytes = 16_384
    public var maxConnections = 512
    /// Seconds a client may take to send one whole request (head and body).
    public var readTimeout: Double = 10
    /// Seconds an idle keep-alive connection is kept.
    public var idleTimeout: Double = 60
    /// Origins allowed to call the intake routes from a browser; "*" allows any.
    public var corsOrigins: [String] = []
    /// Event-loop threads; 0 means one per processor.
    public var eventLoops = 0
    /// Seconds in-flight requests get to finish after a shutdown starts.
    public var shutdownGrace: Double = 30

    public init() {}

    /// Reads the validated `server` section (defaults and environment already applied by `ConfigLoader`).
    public init(section s: [String: JSON]) {
        if let v = s["host"]?.stringValue { host = v }
        if let v = s["port"]?.intValue { port = v }
        adminToken = s["admin_token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        webhookSecret = s["webhook_secret"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        if let v = s["webhook_replay_window"]?.doubleValue { replayWindow = v }
        if let v = s["max_body_bytes"]?.intValue { maxBodyBytes = v }
        if let v = s["max_connections"]?.intValue { maxConnections = v }
        if let v = s["read_timeout"]?.doubleValue { readTimeout = v }
        if let v = s["idle_timeout"]?.doubleValue { idleTimeout = v }
        if let v = s["cors_origins"]?.arrayValue { corsOrigins = v.compactMap(\.stringValue) }
        if let v = s["event_loops"]?.intValue { eventLoops = v }
    }

    var loopCount: Int { eventLoops > 0 ? eventLoops : max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
