import Foundation
import PlugboardKernel
import Synchronization

/// Captures the kernel logger's lines during a test.
///
/// `Logger.sink` is one process-wide slot that other suites set too (some once,
/// some for a moment), so a capture: runs one at a time among ours; chains to
/// the sink it found; checks at the end, with a probe line, that its sink was
/// not replaced (nor the level raised above debug) meanwhile, and runs the body
/// again when it was (at most three times); and gives the slot back only if it
/// still holds ours, so a sink another suite installed meanwhile stays in place.
/// The level goes back to what it was, or lower if another suite asked for
/// lower meanwhile; the format is never touched.
enum LogCapture {
    /// Runs `body` at debug level; returns its result and the lines containing
    /// `label`. `body` may run more than once: it should return what it observed.
    static func run<T>(label: String, _ body: () async throws -> T) async throws -> (T, [String]) {
        await gate.enter()
        let previousLevel = Logger.settings.withLock { $0.level }
        // The lowest level another suite set while we captured: we never put back one above it.
        var othersLevel: Logger.Level?
        defer {
            Logger.configure(level: min(previousLevel, othersLevel ?? previousLevel))
        }
        var outcome: Result<(T, [String]), any Error>?
        for _ in 0..<3 {
            let captured = Mutex<[String]>([])
            Logger.configure(level: .debug)
            let previous = Logger.sink.withLock { $0 }
            let probe = "\(label) capture-probe-\(UInt64.random(in: 0..<UInt64.max))"
            Logger.sink.withLock { $0 = { line in
                if line.contains(label) { captured.withLock { $0.append(line) } } else { previous?(line) }
            } }
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            // At debug level: the probe also finds out whether another suite raised the level meanwhile.
            Logger(label: label).log(.debug, probe)
            let now = Logger.settings.withLock { $0.level }
            if now != .debug { othersLevel = min(othersLevel ?? now, now) }
            let lines = captured.withLock { $0 }
            guard lines.contains(where: { $0.contains(probe) }) else { continue }  // replaced meanwhile: again
            Logger.sink.withLock { $0 = previous }
            outcome = result.map { ($0, lines.filter { !$0.contains(probe) }) }
            break
        }
        await gate.leave()
        guard let outcome else { throw CaptureLost(label: label) }
        return try outcome.get()
    }

    struct CaptureLost: Error, CustomStringConvertible {
        let label: String
        var description: String { "the log sink was replaced by another test three times while capturing \(label)" }
    }

    private static let gate = Gate()

    /// One holder at a time, first come first served.
    private actor Gate {
        private var busy = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func enter() async {
            if !busy {
                busy = true
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func leave() {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
    }
}
