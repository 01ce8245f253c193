import Foundation
import PlugboardKernel

struct InitCommand: Command {
    static let words = ["init"]
    static let summary = "Write adapters.json (embedded defaults) and adapters.schema.json into a folder."
    static let synopsis = "[DIR] [--force]"
    static let details = """
    DIR defaults to the current folder. Existing files are kept unless --force is given.
    The defaults need no account: SQLite storage, local CRM and tasks, files on disk, rule-based analysis, log notifications.
    """
    static let options = [OptionSpec(name: "force", value: nil, help: "Overwrite existing files.")]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 1)
        let dir = inv.args.positionals.first ?? "."
        let config = URL(fileURLWithPath: dir).appendingPathComponent("adapters.json").path
        let schema = URL(fileURLWithPath: dir).appendingPathComponent("adapters.schema.json").path
        if !inv.args.flag("force") {
            for p in [config, schema] where FileManager.default.fileExists(atPath: p) {
                throw PlugboardError.invalidConfiguration("\(p) already exists; use --force to overwrite it")
            }
        }
        try writeAtomically(DefaultConfig.text(inv.registry), to: config)
        try writeAtomically(DefaultConfig.schemaText(inv.registry), to: schema)
        inv.print("wrote \(config)")
        inv.print("wrote \(schema)")
        inv.print("next: plugboard config check --config \(config)")
        return 0
    }
}

struct VersionCommand: Command {
    static let words = ["version"]
    static let summary = "Print the version."
    static let synopsis = ""
    static func run(_ inv: Invocation) async throws -> Int32 {
        inv.print("plugboard \(PlugboardCLI.version)")
        return 0
    }
}
