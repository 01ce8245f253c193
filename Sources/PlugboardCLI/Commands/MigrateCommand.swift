import Foundation
import PlugboardKernel

struct MigrateCommand: Command {
    static let words = ["migrate"]
    static let summary = "Copy tickets from any store or ticket file into any other, losing nothing, with proof."
    static let synopsis = "--from SOURCE --to TARGET [--create-table] [--resume] [--verify] [--dry-run] [--concurrency N] [--batch-size N] [--errors FILE] [--checkpoint-every SECONDS]"
    static let details = """
    SOURCE and TARGET are each a path to an adapters.json (its storage section is used) or a short form:
      json:PATH        a ticket file: an object keyed by ticket_id (the Freeda shape), an array of tickets, or JSON Lines
                       (detected); as a target, the json adapter writes the Freeda shape
      jsonl:PATH       a JSON Lines file (also any path ending in .jsonl or .ndjson)
      sqlite:PATH      an SQLite store
      postgres://...   a PostgreSQL store
      dynamodb://TABLE?endpoint=URL&region=R
                       the conventional tickets table: hash key ticket_id, GSIs status-created_at-index and
                       channel-created_at-index; credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
                       (endpoint defaults to AWS_ENDPOINT_URL_DYNAMODB, then AWS itself)
      A bare path is an adapters.json when it has a storage section, otherwise a ticket file.

    Every field of every ticket arrives as it was; in DynamoDB each ticket is one item mirroring the JSON (string S,
    number N with its digits unchanged, bool BOOL, null NULL, object M, array L), so any AWS SDK reads back the same
    document. Writes are overwrites: running twice leaves the target identical, without duplicates.

    Records that cannot be migrated do not stop the others: a missing or empty ticket_id, a second record with the
    same id and different content (the first is kept; an identical repeat is just skipped), an item over DynamoDB's
    400 KB, a value the target refuses. Each goes to the errors file (JSON Lines: position, ticket_id, reason), the
    summary counts them, and the exit code is 1. The source is only read.

    A checkpoint beside the errors file (FILE.checkpoint) records the progress about once a second: after a crash or
    kill, run the same command with --resume to finish. --verify then reads the whole target back and compares the
    count and a SHA-256 of each ticket's canonical JSON with the source, listing missing, extra and changed ids;
    with --dry-run it compares without writing.

    Throttling and DynamoDB's unprocessed items are retried with backoff until written. Progress goes to standard
    error (redrawn on a terminal, a line every 10 s otherwise); the summary to standard output.

    Example (moto or DynamoDB Local on port 5000):
      AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \\
        plugboard migrate --from tickets.json --to 'dynamodb://tickets?endpoint=http://127.0.0.1:5000' --create-table --verify
    """
    static let options = [
        OptionSpec(name: "from", value: "SOURCE", help: "Where the tickets are (see above)."),
        OptionSpec(name: "to", value: "TARGET", help: "Where they go (see above)."),
        OptionSpec(name: "create-table", value: nil, help: "Create the DynamoDB table (on-demand billing) when it does not exist."),
        OptionSpec(name: "resume", value: nil, help: "Continue an interrupted run from its checkpoint."),
        OptionSpec(name: "verify", value: nil, help: "Afterwards, compare the target with the source ticket by ticket."),
        OptionSpec(name: "dry-run", value: nil, help: "Read and check everything, write nothing (with --verify: compare only)."),
        OptionSpec(name: "concurrency", value: "N", help: "Write calls in flight (default 8)."),
        OptionSpec(name: "batch-size", value: "N", help: "Tickets per write call (default 25 for DynamoDB, 500 otherwise)."),
        OptionSpec(name: "errors", value: "FILE", help: "The errors file (default migrate-errors.jsonl); the checkpoint is FILE.checkpoint."),
        OptionSpec(name: "checkpoint-every", value: "SECONDS", help: "How often progress is saved for --resume (default 1; 0.05 to 3600)."),
    ]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        guard let from = inv.args.value("from") else { throw UsageError("--from SOURCE is required") }
        guard let to = inv.args.value("to") else { throw UsageError("--to TARGET is required") }
        let loader = ConfigLoader(registry: inv.registry, environment: inv.environment)
        let sourceEndpoint = try MigrationEndpoint.parse(from, role: .source, createTable: false, loader: loader)
        let targetEndpoint = try MigrationEndpoint.parse(to, role: .target, createTable: inv.args.flag("create-table"), loader: loader)
        guard case .store(let target) = targetEndpoint else { throw UsageError("--to: a ticket file is written with json:PATH") }
        if sourceEndpoint.display == targetEndpoint.display { throw UsageError("--from and --to name the same place") }
        var options = Migration.Options()
        options.batchSize = try inv.args.int("batch-size", default: target.settings.adapter == "dynamodb" ? 25 : 500, range: 1...100_000)
        options.concurrency = try inv.args.int("concurrency", default: 8, range: 1...256)
        options.resume = inv.args.flag("resume")
        options.dryRun = inv.args.flag("dry-run")
        options.verify = inv.args.flag("verify")
        options.errorsPath = inv.args.value("errors") ?? "migrate-errors.jsonl"
        options.errorsNamed = inv.args.value("errors") != nil
        if let every = inv.args.value("checkpoint-every") {
            guard let seconds = Double(every), (0.05...3600).contains(seconds) else {
                throw UsageError("--checkpoint-every: expected seconds between 0.05 and 3600, got \"\(every)\"")
            }
            options.checkpointInterval = .milliseconds(Int(seconds * 1000))
        }
        if options.resume && options.dryRun { throw UsageError("--resume and --dry-run do not go together (a dry run writes nothing to resume)") }

        let logger = Logger(label: "plugboard.migrate")
        var opened: [any DocumentStore] = []
        func open(_ s: MigrationEndpoint.StoreEndpoint) async throws -> any DocumentStore {
            let raw = try await inv.registry.makeStorage(s.settings, AdapterContext(registry: inv.registry, logger: logger))
            let store = PolicyStore(raw, policy: CallPolicy(settings: s.settings, logger: logger))
            opened.append(store)
            return store
        }
        do {
            // A dry run opens the target only to compare, and never creates a missing json file.
            var targetStore: (any DocumentStore)?
            if !options.dryRun || (options.verify && !isMissingFile(target)) {
                targetStore = try await open(target)
            }
            if let targetStore, !options.dryRun { try await probe(targetStore, target) }
            let source: any MigrationSource
            switch sourceEndpoint {
            case .file(let path, let shape):
                source = try await FileSource.open(path: path, shape: shape, keyField: target.collection.keyField)
            case .store(let s):
                let store = try await open(s)
                source = StoreSource(store: store, collection: s.collection, identity: ["store": .string(s.display)],
                                     total: try? await store.count(s.collection))
            }
            inv.warn("migrate: \(sourceEndpoint.display) → \(targetEndpoint.display)\(options.dryRun ? " (dry run: nothing is written)" : "")")
            let migration = Migration(source: source, target: targetStore, collection: target.collection,
                                      targetDisplay: targetEndpoint.display, options: options, console: inv.console)
            let report: Migration.Report
            do {
                report = try await migration.run()
            } catch let e as PlugboardError where !options.dryRun && e.code != .invalidInput {
                // A broken source file fails the same way again; anything else may well pass on a resume.
                var hinted = e
                hinted.message += "; the checkpoint is saved: run the same command with --resume to continue"
                throw hinted
            }
            for store in opened { try await store.close() }
            opened = []
            printReport(report, inv)
            return report.counts.failed > 0 || report.verification.map({ !$0.identical }) == true ? 1 : 0
        } catch {
            for store in opened { try? await store.close() }
            throw error
        }
    }

    /// A json target whose file does not exist yet (a dry run compares against nothing).
    static func isMissingFile(_ s: MigrationEndpoint.StoreEndpoint) -> Bool {
        guard s.settings.adapter == "json", let path = s.settings.filePath("path") else { return false }
        return !FileManager.default.fileExists(atPath: path)
    }

    /// One cheap read before anything is written, so a wrong endpoint, bad credentials
    /// or a missing table fail at once (and `--create-table` creates it now).
    static func probe(_ store: any DocumentStore, _ target: MigrationEndpoint.StoreEndpoint) async throws {
        do {
            _ = try await store.get(target.collection, id: "plugboard-migrate-probe")
        } catch var e as PlugboardError where e.code == .notFound && target.settings.adapter == "dynamodb" {
            e.message += " (pass --create-table to create the conventional tickets table)"
            throw e
        }
    }

    static func printReport(_ r: Migration.Report, _ inv: Invocation) {
        let g = MigrationProgress.grouped
        let c = r.counts
        var line = r.dryRun ? "dry run: would migrate \(g(c.migrated))" : "migrated \(g(c.migrated))"
        line += " · skipped \(g(c.skipped)) · failed \(g(c.failed))"
        line += String(format: " · %.2f s · %@ items/s", r.seconds, g(Int(r.itemsPerSecond.rounded())))
        inv.print(line)
        inv.print("  source read as \(r.shape)")
        if let at = r.resumedAt {
            inv.print("  resumed at record \(g(at)): \(g(r.previous.migrated)) migrated before, \(g(r.written)) now")
        }
        if c.skipped > 0 { inv.print("  skipped: \(g(c.skipped)) identical repeat\(c.skipped == 1 ? "" : "s") of a ticket already read") }
        if c.failed > 0 {
            var kinds: [String] = []
            if c.invalid > 0 { kinds.append("\(g(c.invalid)) invalid") }
            if c.conflicts > 0 { kinds.append("\(g(c.conflicts)) conflicting duplicate\(c.conflicts == 1 ? "" : "s")") }
            if c.refused > 0 { kinds.append("\(g(c.refused)) refused by the target") }
            inv.print("  failed: \(kinds.joined(separator: ", "))" + (r.errorsFile.map { "; each with its position and reason in \($0)" } ?? ""))
        }
        guard let v = r.verification else { return }
        if v.identical {
            inv.print("verify: source \(g(v.sourceCount)) tickets, target \(g(v.targetCount)): identical "
                      + "(count and SHA-256 of every ticket's canonical JSON)")
            return
        }
        inv.print("verify: source \(g(v.sourceCount)) tickets, target \(g(v.targetCount)): \(g(v.missing.count)) missing, "
                  + "\(g(v.extra.count)) extra, \(g(v.changed.count)) changed")
        for (label, ids) in [("missing", v.missing), ("extra", v.extra), ("changed", v.changed)] {
            for id in ids.prefix(20) {
                let note = label == "missing" && r.failedIDs.contains(id) ? " (not migrated: see the errors file)" : ""
                inv.print("  \(label.padding(toLength: 8, withPad: " ", startingAt: 0)) \(id)\(note)")
            }
            if ids.count > 20 { inv.print("  ... and \(g(ids.count - 20)) more \(label)") }
        }
    }
}
