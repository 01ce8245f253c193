import Foundation
import Synchronization

/// A levelled logger writing to stderr, as text or JSON lines.
/// Callers hold this value; the process picks level and format once.
public struct Logger: Sendable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        public var name: String { String(describing: self) }
        public init?(name: String) {
            guard let l = Level.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
            self = l
        }
    }
    public enum Format: String, Sendable { case text, json }

    /// Process-wide settings (set once from `--log-level` / `PLUGBOARD_LOG` / `--log-format`).
    public static let settings = Mutex<(level: Level, format: Format)>((.warning, .text))
    /// Where lines go; tests capture them here.
    public static let sink = Mutex<(@Sendable (String) -> Void)?>(nil)

    public var label: String
    public var metadata: [String: String]

    public init(label: String, metadata: [String: String] = [:]) {
        self.label = label
        self.metadata = metadata
    }

    public static func configure(level: Level? = nil, format: Format? = nil) {
        settings.withLock { s in
            if let level { s.level = level }
            if let format { s.format = format }
        }
    }

    public func isEnabled(_ level: Level) -> Bool { level >= Logger.settings.withLock { $0.level } }

    public func log(_ level: Level, _ message: @autoclosure () -> String, _ extra: [String: String] = [:]) {
        let (min, format) = Logger.settings.withLock { ($0.level, $0.format) }
        guard level >= min else { return }
        let fields = metadata.merging(extra) { _, b in b }
        let now = Timestamp.now()
        var line: String
        switch format {
        case .json:
            var o: [String: JSON] = ["ts": .string(now), "level": .string(level.name), "logger": .string(label),
                                     "msg": .string(message())]
            for (k, v) in fields { o[k] = .string(v) }
            line = JSON.object(o).serialized()
        case .text:
            line = "\(now) \(level.name) \(label): \(message())"
            for k in fields.keys.sorted() { line += " \(k)=\(fields[k]!)" }
        }
        if let sink = Logger.sink.withLock({ $0 }) {
            sink(line)
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    public func debug(_ m: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.debug, m(), extra) }
    public func info(_ m: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.info, m(), extra) }
    public func warning(_ m: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.warning, m(), extra) }
    public func error(_ m: @autoclosure () -> String, _ extra: [String: String] = [:]) { log(.error, m(), extra) }
}
