import Dispatch
import Foundation
import PlugboardKernel

/// A child process run to completion with what the kernel measured of it:
/// wall time, CPU seconds (user + system) and peak resident memory.
/// Benchmarks compare programs by these, not by guesses.
///
/// The child runs under GNU `/usr/bin/time`, which reads its `wait4` rusage.
/// Reading it here instead would be wrong for memory: Linux folds the peak RSS
/// of the address space a process leaves at `execve` into its own, and a child
/// spawned from this (large) process starts in ours — every child would report
/// at least our peak. `time` is small, so its child starts from almost nothing.
struct ChildProcess {
    struct Outcome: Sendable {
        var status: Int32
        var wallSeconds: Double
        var cpuSeconds: Double
        /// Peak resident set, bytes.
        var maxRSS: Int
        /// Standard output and error, interleaved.
        var output: String
    }

    static let time = "/usr/bin/time"

    /// Runs `argv` (`argv[0]` looked up in PATH) with `environment`; waits on a
    /// thread of its own, since waiting blocks.
    static func run(_ argv: [String], environment: [String: String]) async throws -> Outcome {
        guard FileManager.default.isExecutableFile(atPath: time) else {
            throw PlugboardError(.unavailable, "\(time) is needed to measure a child's CPU and memory (apt-get install time)")
        }
        let stem = NSTemporaryDirectory() + "plugboard-child-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let log = stem + ".log", stats = stem + ".rusage"
        defer { unlink(log); unlink(stats) }
        let measured = [time, "-f", "%e %U %S %M", "-o", stats] + argv
        var outcome: Outcome = try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try spawnAndWait(measured, environment: environment, log: log) })
            }.start()
        }
        outcome.output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        // `time` writes "Command exited with non-zero status N" first when it did; the figures are the last line.
        let last = ((try? String(contentsOfFile: stats, encoding: .utf8)) ?? "").split(separator: "\n").last ?? ""
        let fields = last.split(separator: " ").compactMap { Double($0) }
        guard fields.count == 4 else { throw PlugboardError(.internal, "\(time) gave no figures for \(argv[0]): \"\(last)\"") }
        outcome.cpuSeconds = fields[1] + fields[2]
        outcome.maxRSS = Int(fields[3]) * 1024
        return outcome
    }

    private static func spawnAndWait(_ argv: [String], environment: [String: String], log: String) throws -> Outcome {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        var pid: pid_t = 0
        let started = ContinuousClock.now
        let rc = posix_spawnp(&pid, argv[0], &actions, nil, cArgs, cEnv)
        guard rc == 0 else {
            throw PlugboardError(.unavailable, "cannot start \(argv[0]): \(String(cString: strerror(rc)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let wall = (ContinuousClock.now - started).seconds
        // WIFEXITED / WEXITSTATUS are macros: exited normally when the low 7 bits are zero.
        let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Outcome(status: code, wallSeconds: wall, cpuSeconds: 0, maxRSS: 0, output: "")
    }
}
