import Foundation
import PlugboardKernel
import Synchronization

/// Captures the kernel logger's lines during a test. The sink is process-wide,
/// so captures run one at a time (tests of several targets share the process)
/// and each gives the previous sink back when done.
enum LogCapture {
    /// Runs `body` at debug level and returns the lines containing `label`;
    /// other lines go on to the sink that was installed before.
    static func lines(containing label: String, _ body: () async throws -> Void) async throws -> [String] {
        await gate.enter()
        let captured = Mutex<[String]>([])
        let previousSettings = Logger.settings.withLock { $0 }
        let previousSink = Logger.sink.withLock { $0 }
        Logger.configure(level: .debug)
        Logger.sink.withLock { $0 = { line in
            if line.contains(label) { captured.withLock { $0.append(line) } } else { previousSink?(line) }
        } }
        func restore() async {
            Logger.sink.withLock { $0 = previousSink }
            Logger.configure(level: previousSettings.level, format: previousSettings.format)
            await gate.leave()
        }
        do {
            try await body()
        } catch {
            await restore()
            throw error
        }
        await restore()
        return captured.withLock { $0 }
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
