import Foundation
import PlugboardKernel

/// The `plugboard` command line. `plugboard/main.swift` only calls `run`.
public enum PlugboardCLI {
    public static let version = "0.1.0"

    static let commands: [any Command.Type] = [
        InitCommand.self,
        ConfigCheckCommand.self, ConfigShowCommand.self, ConfigSchemaCommand.self, ConfigDocsCommand.self,
        AdaptersListCommand.self,
        TicketsListCommand.self, TicketsShowCommand.self, TicketsCloseCommand.self, TicketsReopenCommand.self,
        ExportCSVCommand.self, ServeCommand.self,
        IntakeCommand.self, ProcessPendingCommand.self, StatsCommand.self,
        DoctorCommand.self, MigrateCommand.self,
        ActivityLogCommand.self, ProactiveListCommand.self, ProactiveAcceptCommand.self, ProactiveDismissCommand.self,
        OrdersImportCommand.self, FollowUpsPlanCommand.self, FollowUpsSendCommand.self,
        BenchStorageCommand.self, BenchIntakeCommand.self, BenchChaosCommand.self, BenchRulesCommand.self, BenchScoresCommand.self, BenchMigrateCommand.self,
        VersionCommand.self,
    ]

    /// Runs one command line; returns the exit code (0 success, 1 failure, 2 usage or configuration error).
    public static func run(_ argv: [String], console: Console = .standard,
                           environment: [String: String] = ProcessInfo.processInfo.environment,
                           registry: Registry = BuiltinAdapters.registry) async -> Int32 {
        // The longest command whose words prefix the arguments.
        let match = commands
            .filter { argv.count >= $0.words.count && Array(argv.prefix($0.words.count)) == $0.words }
            .max { $0.words.count < $1.words.count }
        guard let command = match else {
            return topLevel(argv, console: console)
        }
        let rest = Array(argv.dropFirst(command.words.count))
        let args: Arguments
        do {
            args = try Arguments(rest, options: command.options)
        } catch {
            console.err("plugboard \(command.words.joined(separator: " ")): \(error)\n")
            console.err("Run 'plugboard \(command.words.joined(separator: " ")) --help' for usage.\n")
            return 2
        }
        if args.flag("help") {
            console.out(command.help)
            return 0
        }
        configureLogging(args, environment, console)
        let inv = Invocation(args: args, console: console, environment: environment, registry: registry)
        do {
            return try await command.run(inv)
        } catch let e as UsageError {
            console.err("plugboard \(command.words.joined(separator: " ")): \(e)\n")
            console.err("Run 'plugboard \(command.words.joined(separator: " ")) --help' for usage.\n")
            return 2
        } catch let e as PlugboardError {
            console.err("error: \(e)\n")
            return e.code == .invalidConfiguration ? 2 : 1
        } catch {
            console.err("error: \(error)\n")
            return 1
        }
    }

    static func configureLogging(_ args: Arguments, _ env: [String: String], _ console: Console) {
        if let l = args.value("log-level") ?? env["PLUGBOARD_LOG"] {
            if let level = Logger.Level(name: l) {
                Logger.configure(level: level)
            } else {
                console.err("warning: unknown log level \"\(l)\"; using warning\n")
            }
        }
        if let f = args.value("log-format") {
            if let format = Logger.Format(rawValue: f) { Logger.configure(format: format) } else {
                console.err("warning: unknown log format \"\(f)\"; using text\n")
            }
        }
    }

    static func topLevel(_ argv: [String], console: Console) -> Int32 {
        if argv.isEmpty || argv == ["--help"] || argv == ["-h"] || argv == ["help"] {
            console.out(usage())
            return 0
        }
        if argv == ["--version"] { console.out("plugboard \(version)\n"); return 0 }
        // `plugboard tickets` alone, or `plugboard tickets --help`: list that group.
        let group = commands.filter { $0.words.first == argv[0] }
        if !group.isEmpty, argv.count == 1 || argv.dropFirst().allSatisfy({ $0 == "--help" || $0 == "-h" }) {
            var s = "Usage: plugboard \(argv[0]) <command> [options]\n\nCommands:\n"
            for c in group { s += "  " + c.words.joined(separator: " ").padding(toLength: 24, withPad: " ", startingAt: 0) + c.summary + "\n" }
            console.out(s)
            return argv.count == 1 ? 2 : 0
        }
        let words = argv.prefix(while: { !$0.hasPrefix("-") }).joined(separator: " ")
        console.err("plugboard: unknown command '\(words.isEmpty ? argv[0] : words)'\n\n" + usage())
        return 2
    }

    static func usage() -> String {
        var s = """
        plugboard \(version) — a support-ticket kernel whose backends plug in by configuration.

        Usage: plugboard <command> [options]

        Commands:

        """
        for c in commands {
            s += "  " + c.words.joined(separator: " ").padding(toLength: 24, withPad: " ", startingAt: 0) + c.summary + "\n"
        }
        s += """

        Global options: --config PATH (default $PLUGBOARD_CONFIG or ./adapters.json), --log-level LEVEL, --log-format text|json
        Run 'plugboard <command> --help' for a command's options.
        Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.

        """
        return s
    }
}
