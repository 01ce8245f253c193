/// One option a command accepts.
struct OptionSpec: Sendable {
    let name: String
    /// Placeholder for the value (`PATH`), nil for a flag.
    let value: String?
    let help: String
    var repeatable = false
}

/// A command line split into options and positionals, checked against the command's options.
struct Arguments: Sendable {
    private(set) var positionals: [String] = []
    private(set) var values: [String: [String]] = [:]
    private(set) var flags: Set<String> = []

    static let global: [OptionSpec] = [
        OptionSpec(name: "config", value: "PATH", help: "Configuration file (default: $PLUGBOARD_CONFIG or ./adapters.json)."),
        OptionSpec(name: "log-level", value: "LEVEL", help: "trace, debug, info, notice, warning (default), error; or $PLUGBOARD_LOG."),
        OptionSpec(name: "log-format", value: "FORMAT", help: "text (default) or json."),
        OptionSpec(name: "help", value: nil, help: "Show this help."),
    ]

    init(_ args: [String], options: [OptionSpec]) throws(UsageError) {
        let all = options + Arguments.global
        var i = 0
        var onlyPositionals = false
        while i < args.count {
            let a = args[i]
            i += 1
            if onlyPositionals || !a.hasPrefix("-") || a == "-" {
                positionals.append(a)
                continue
            }
            if a == "--" { onlyPositionals = true; continue }
            if a == "-h" { flags.insert("help"); continue }
            guard a.hasPrefix("--") else { throw UsageError("unknown option \(a)") }
            var name = String(a.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let spec = all.first(where: { $0.name == name }) else {
                let near = all.map(\.name).filter { $0.hasPrefix(String(name.prefix(3))) }
                throw UsageError("unknown option --\(name)" + (near.isEmpty ? "" : "; did you mean \(near.map { "--\($0)" }.joined(separator: " or "))?"))
            }
            if spec.value == nil {
                if inline != nil { throw UsageError("--\(name) takes no value") }
                flags.insert(name)
                continue
            }
            let v: String
            if let inline {
                v = inline
            } else {
                guard i < args.count else { throw UsageError("--\(name) needs a value (\(spec.value!))") }
                v = args[i]
                i += 1
            }
            if values[name] != nil && !spec.repeatable { throw UsageError("--\(name) given twice") }
            values[name, default: []].append(v)
        }
    }

    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
    func flag(_ name: String) -> Bool { flags.contains(name) }

    func int(_ name: String, default d: Int, range: ClosedRange<Int> = 1...Int.max) throws(UsageError) -> Int {
        guard let s = value(name) else { return d }
        guard let n = Int(s), range.contains(n) else { throw UsageError("--\(name): expected an integer in \(range.lowerBound)...\(range.upperBound), got \"\(s)\"") }
        return n
    }

    /// Requires exactly `names.count` positionals (or fewer when `optional`).
    func positional(_ index: Int, _ name: String) throws(UsageError) -> String {
        guard index < positionals.count else { throw UsageError("missing \(name)") }
        return positionals[index]
    }

    func noMorePositionals(than n: Int) throws(UsageError) {
        if positionals.count > n { throw UsageError("unexpected argument \"\(positionals[n])\"") }
    }
}

/// A command line that cannot be understood: exit code 2 with the usage.
struct UsageError: Error, Sendable, CustomStringConvertible {
    let message: String
    init(_ m: String) { message = m }
    var description: String { message }
}
