import Foundation
import PlugboardKernel

/// Progress of a running migration on standard error: on a terminal, one line
/// redrawn a few times a second (items, rate, ETA); otherwise a plain line
/// every `interval`, so logs stay readable.
final class MigrationProgress {
    private let console: Console
    private let interval: Duration
    private let started = ContinuousClock.now
    private var lastShown: ContinuousClock.Instant?
    private var drawn = false
    /// Items already migrated when this run started (a resume), left out of the rate.
    private let baseline: Int

    init(console: Console, baseline: Int, interval: Duration? = nil) {
        self.console = console
        self.baseline = baseline
        self.interval = interval ?? (console.isTerminal ? .milliseconds(200) : .seconds(10))
        // A log gets its first line after one interval, not a line of zeros at the start.
        if !console.isTerminal { lastShown = started }
    }

    var elapsed: Double { (ContinuousClock.now - started).seconds }

    /// Shows the figures if the last line is old enough.
    func update(migrated: Int, failed: Int, fraction: Double?) {
        let now = ContinuousClock.now
        if let lastShown, now - lastShown < interval { return }
        lastShown = now
        let seconds = (now - started).seconds
        let rate = seconds > 0 ? Double(migrated - baseline) / seconds : 0
        var parts: [String] = []
        if let fraction { parts.append(String(format: "%3.0f%%", min(100, fraction * 100))) }
        parts.append("\(MigrationProgress.grouped(migrated)) migrated")
        if failed > 0 { parts.append("\(MigrationProgress.grouped(failed)) failed") }
        parts.append("\(MigrationProgress.grouped(Int(rate.rounded()))) items/s")
        // An estimate only once there is something to go on.
        if let fraction, fraction > 0.001, fraction < 1, seconds >= 2 {
            parts.append("ETA \(MigrationProgress.duration(seconds * (1 - fraction) / fraction))")
        }
        let line = parts.joined(separator: " · ")
        if console.isTerminal {
            console.err("\r\u{1B}[2K" + line)
            drawn = true
        } else {
            console.err("migrate: " + line + "\n")
        }
    }

    /// Clears the redrawn line before the summary.
    func finish() {
        if drawn { console.err("\r\u{1B}[2K") }
        drawn = false
    }

    static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \(s / 60 % 60) min"
    }
}
