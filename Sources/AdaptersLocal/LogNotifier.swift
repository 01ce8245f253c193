import Foundation
import PlugboardKernel
import Synchronization

/// The `log` notifier: one info-level line per notification through the
/// kernel's `Logger`, and, when `path` is set, one JSON line appended to that
/// file (`{"ts", "subject", "text", "ticket_id"?, "url"?}`).
///
/// URLs in what it writes lose their user info and query string (presigned
/// URLs carry signatures there): `https://x/a?X-Amz-Signature=…` becomes
/// `https://x/a?***`. Line breaks in the log line are escaped, so one
/// notification stays one line.
public final class LogNotifier: Notifier {
    public let logger: Logger
    /// The JSON-lines file, absolute; nil to log only.
    public let path: String?
    /// Appends are serialized here, off Swift's cooperative threads.
    private let queue = DispatchQueue(label: "plugboard.notify.log")
    /// Keys already sent: loaded from the file on first use, so a retried or resumed send is written once.
    private let sent = Mutex<Set<String>?>(nil)

    static let adapter = "log"

    public init(logger: Logger = Logger(label: "notify"), path: String? = nil) {
        self.logger = logger
        self.path = path
    }

    public static let descriptor = AdapterDescriptor(
        port: .notify, name: "log",
        summary: "Writes each notification to the log (info level) and, optionally, to a JSON-lines file.",
        fields: [
            ConfigField("path", .string, "A file to append notifications to as JSON lines; relative to adapters.json."),
        ])

    public static let registryEntry = Registry.Entry(descriptor, .notify { settings, context in
        LogNotifier(logger: Logger(label: "notify", metadata: context.logger.metadata), path: settings.filePath("path"))
    })

    public func send(_ n: TeamNotification) async throws {
        if let key = n.key {
            let path = self.path
            let fresh = try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Bool, any Error>) in
                queue.async {
                    cont.resume(with: Result {
                        try self.sent.withLock { seen in
                            if seen == nil { seen = try path.map(LogNotifier.keys(in:)) ?? [] }
                            return seen!.insert(key).inserted
                        }
                    })
                }
            }
            if !fresh { return }
        }
        let subject = Redaction.urls(in: n.subject)
        let text = Redaction.urls(in: n.text)
        let url = n.url.map(Redaction.url)
        var extra = ["text": Redaction.oneLine(text, limit: 2000)]
        if let id = n.ticketId { extra["ticket_id"] = id }
        if let url { extra["url"] = url }
        logger.info("notification: " + Redaction.oneLine(subject, limit: 500), extra)
        guard let path else { return }
        var record: [String: JSON] = ["ts": .string(Timestamp.now()), "subject": .string(subject), "text": .string(text)]
        if let id = n.ticketId { record["ticket_id"] = .string(id) }
        if let url { record["url"] = .string(url) }
        if let key = n.key { record["key"] = .string(key) }
        let line = JSON.object(record).serializedBytes() + [0x0A]
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Void, any Error>) in
            queue.async { cont.resume(with: Result { try LogNotifier.append(line, to: path) }) }
        }
    }

    /// One `write` with `O_APPEND`, so lines from several processes do not interleave.
    /// The `key`s of the notifications already in the file (none when it does not exist yet).
    static func keys(in path: String) throws -> Set<String> {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var keys = Set<String>()
        try? JSONParser.parseLines([UInt8](data)) { line, _ in
            if let k = line["key"]?.stringValue { keys.insert(k) }
        }
        return keys
    }

    static func append(_ bytes: [UInt8], to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw PlugboardError(.unavailable, "cannot create the folder of \(path): \(error.localizedDescription)",
                                     adapter: adapter, retryable: false)
            }
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        if fd < 0 { throw fileError(errno, path) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fileError(errno, path)
            }
            offset += n
        }
    }

    /// The one place errno becomes a `PlugboardError` for this adapter.
    static func fileError(_ code: Int32, _ path: String) -> PlugboardError {
        let cause = "errno \(code) (\(String(cString: strerror(code))))"
        switch code {
        case EACCES, EPERM, EROFS:
            return PlugboardError(.permissionDenied, "cannot append notifications to \(path)", adapter: adapter, cause: cause)
        case EISDIR, ENOTDIR:
            return PlugboardError(.invalidConfiguration, "cannot append notifications to \(path): not a file path",
                                  adapter: adapter, cause: cause)
        case ENOSPC, EDQUOT, EIO, EAGAIN, EMFILE, ENFILE:
            return PlugboardError(.unavailable, "cannot append notifications to \(path)", adapter: adapter, cause: cause)
        default:
            return PlugboardError(.internal, "cannot append notifications to \(path)", adapter: adapter, cause: cause)
        }
    }
}
