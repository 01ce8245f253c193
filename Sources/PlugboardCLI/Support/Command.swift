import Foundation
import PlugboardKernel

/// One subcommand: its words, help text, options, and what it does.
protocol Command: Sendable {
    static var words: [String] { get }
    static var summary: String { get }
    /// The usage line after `plugboard <words>`.
    static var synopsis: String { get }
    /// Longer explanation shown by --help.
    static var details: String { get }
    static var options: [OptionSpec] { get }
    static func run(_ inv: Invocation) async throws -> Int32
}

extension Command {
    static var details: String { "" }
    static var options: [OptionSpec] { [] }

    static var help: String {
        var s = "Usage: plugboard \(words.joined(separator: " ")) \(synopsis)\n\n\(summary)\n"
        if !details.isEmpty { s += "\n\(details)\n" }
        s += "\nOptions:\n"
        for o in options + Arguments.global {
            let left = "  --\(o.name)" + (o.value.map { " \($0)" } ?? "")
            s += left.padding(toLength: max(left.count + 2, 26), withPad: " ", startingAt: 0) + o.help + "\n"
        }
        return s
    }
}

/// What a running command has: its arguments, console, environment, and the configuration on demand.
struct Invocation: Sendable {
    let args: Arguments
    let console: Console
    let environment: [String: String]
    let registry: Registry

    var configPath: String { args.value("config") ?? ConfigLoader.defaultPath(environment: environment) }

    func loadConfig() throws -> PlugboardConfig {
        try ConfigLoader(registry: registry, environment: environment).load(path: configPath)
    }

    /// Builds adapters from the configuration, runs `body`, and always closes them.
    func withAdapters<T>(_ body: (Adapters) async throws -> T) async throws -> T {
        let adapters = Adapters(config: try loadConfig(), registry: registry)
        do {
            let r = try await body(adapters)
            try await adapters.close()
            return r
        } catch {
            try? await adapters.close()
            throw error
        }
    }

    func print(_ s: String = "") { console.out(s + "\n") }

    /// Writes `text` to `--out FILE` (atomically) or standard output.
    func emit(_ text: String, note: String? = nil) throws {
        if let out = args.value("out") {
            try writeAtomically(text, to: out)
            warn(note.map { "wrote \($0) to \(out)" } ?? "wrote \(out)")
        } else {
            console.out(text)
        }
    }
    func warn(_ s: String) { console.err(s + "\n") }
}
