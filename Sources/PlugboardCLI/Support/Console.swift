import Foundation
import Synchronization

/// Where a command writes. Injected so tests read exactly what a user sees.
public struct Console: Sendable {
    public var out: @Sendable (String) -> Void
    public var err: @Sendable (String) -> Void
    /// Standard error is a terminal (progress may redraw a line).
    public var isTerminal: Bool

    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void, isTerminal: Bool = false) {
        self.out = out
        self.err = err
        self.isTerminal = isTerminal
    }

    public static let standard = Console(
        out: { s in FileHandle.standardOutput.write(Data(s.utf8)) },
        err: { s in FileHandle.standardError.write(Data(s.utf8)) },
        isTerminal: isatty(2) == 1)

    /// A console that records everything, for tests.
    public static func capturing() -> (Console, CapturedOutput) {
        let c = CapturedOutput()
        return (Console(out: { c.append(out: $0) }, err: { c.append(err: $0) }), c)
    }
}

public final class CapturedOutput: Sendable {
    private let state = Mutex<(out: String, err: String)>(("", ""))
    public var out: String { state.withLock { $0.out } }
    public var err: String { state.withLock { $0.err } }
    func append(out s: String) { state.withLock { $0.out += s } }
    func append(err s: String) { state.withLock { $0.err += s } }
}
