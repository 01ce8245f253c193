import Foundation
import PlugboardKernel
import PlugboardWorkflow

extension Invocation {
    /// The workflow over the configured adapters.
    func workflow(_ a: Adapters) async throws -> Workflow {
        // Settings first: a bad prompt file or category fails before any adapter is built.
        var settings = try WorkflowSettings(a.config.workflow, directory: a.config.directory, file: a.config.file)
        let ports = WorkflowPorts(storage: try await a.storage(), crm: try await a.crm(), tasks: try await a.tasks(),
                                  objects: try await a.objects(), llm: try await a.llm(), notifier: try await a.notifier(),
                                  fetcher: BuiltinAdapters.attachmentFetcher)
        do {
            settings.templates.merge(try await BuiltinAdapters.responseTemplates(a.config, registry: a.registry)) { _, fromCRM in fromCRM }
        } catch {
            // The workflow's own templates still serve; a request is not refused for this.
            a.logger.warning("response templates from the CRM not read, using workflow.templates: \(error)")
        }
        return Workflow(ports: ports, settings: settings)
    }
}

struct IntakeCommand: Command {
    static let words = ["intake"]
    static let summary = "Run the ticket workflow on one request, a JSON Lines batch, or interactively."
    static let synopsis = "--email E --subject S --description D [--name N] [--file PATH]... | --batch FILE.jsonl | --interactive"
    static let details = """
    Each request is validated, classified, analysed, its files stored, its contact found or created, threaded onto the
    contact's open ticket (or a new one), mirrored to the CRM, given a task when its category asks, a reply drafted,
    and the team notified. Every step is recorded in a durable job: an interrupted run resumes with
    `plugboard process-pending`, and a request seen before (same --message-id, or same content) is not processed twice.
    Batch lines use the webhook payload: {"source", "subject" | "objet", "description", "user_email", "user_name",
    "channel", "attachments" | "fichiers": [{"name", "url" | "path"}], "message_id", "in_reply_to"}.
    """
    static let options = [
        OptionSpec(name: "email", value: "E", help: "The customer's e-mail address."),
        OptionSpec(name: "name", value: "N", help: "The customer's name."),
        OptionSpec(name: "subject", value: "S", help: "Subject of the request."),
        OptionSpec(name: "description", value: "D", help: "The message itself."),
        OptionSpec(name: "file", value: "PATH", help: "Attach a local file (repeatable).", repeatable: true),
        OptionSpec(name: "source", value: "S", help: "Where it came from (default: cli)."),
        OptionSpec(name: "channel", value: "C", help: "email (default), chat, formulaire, telephone, ..."),
        OptionSpec(name: "message-id", value: "ID", help: "The message's id, for replies and de-duplication."),
        OptionSpec(name: "in-reply-to", value: "ID", help: "The message this one answers."),
        OptionSpec(name: "batch", value: "FILE", help: "Process a JSON Lines file, one request per line."),
        OptionSpec(name: "interactive", value: nil, help: "Type messages and see classification, analysis and the reply draft."),
        OptionSpec(name: "concurrency", value: "N", help: "Requests processed at once in --batch mode (default 4)."),
        OptionSpec(name: "json", value: nil, help: "Print results as JSON (one object per line in --batch mode)."),
    ]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        if let batch = inv.args.value("batch") { return try await runBatch(inv, path: batch) }
        if inv.args.flag("interactive") { return try await runInteractive(inv) }
        var payload: [String: JSON] = ["source": .string(inv.args.value("source") ?? "cli")]
        let map = ["email": "user_email", "name": "user_name", "subject": "subject", "description": "description",
                   "channel": "channel", "message-id": "message_id", "in-reply-to": "in_reply_to"]
        for (opt, field) in map { if let v = inv.args.value(opt) { payload[field] = .string(v) } }
        let files = inv.args.all("file").map { p -> JSON in
            ["name": .string(URL(fileURLWithPath: p).lastPathComponent), "path": .string(URL(fileURLWithPath: p).standardizedFileURL.path)]
        }
        if !files.isEmpty { payload["attachments"] = .array(files) }
        let request: IntakeRequest
        switch IntakeRequest.parse(.object(payload)) {
        case .success(let r): request = r
        case .failure(let f):
            let named = f.errors.map { e -> String in
                let opt = map.first { $0.value == e.field }.map { "--\($0.key)" } ?? e.field
                return "  \(opt): \(e.message)"
            }
            throw UsageError("invalid request:\n" + named.joined(separator: "\n"))
        }
        let result = try await inv.withAdapters { a in try await inv.workflow(a).submit(request) }
        print(result, inv)
        return result.status == .failed ? 1 : 0
    }

    static func print(_ r: IntakeResult, _ inv: Invocation) {
        if inv.args.flag("json") {
            inv.print(r.json.serialized())
            return
        }
        inv.print("\(r.status.rawValue): \(r.message)")
        if let t = r.ticketId {
            inv.print("  ticket    \(t)\(r.ticketURL.map { " (\($0))" } ?? "")\(r.isNewTicket ? " [new]" : "")")
        }
        if let c = r.category { inv.print("  category  \(c) · urgency \(r.urgency ?? "?") · sentiment \(r.sentiment ?? "?")") }
        if r.filesUploaded > 0 { inv.print("  files     \(r.filesUploaded) stored") }
        if let task = r.taskId { inv.print("  task      \(task)") }
    }

    static func runBatch(_ inv: Invocation, path: String) async throws -> Int32 {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlugboardError.invalidInput("\(path): cannot read the batch file")
        }
        // Validate every line first: a bad line is reported with its number, the rest still run.
        var requests: [(line: Int, request: IntakeRequest)] = []
        var rejected = 0
        do {
            let base = URL(fileURLWithPath: path).deletingLastPathComponent()
            try JSONParser.parseLines([UInt8](data)) { json, line in
                switch IntakeRequest.parse(resolvingPaths(json, against: base)) {
                case .success(let r): requests.append((line, r))
                case .failure(let f):
                    rejected += 1
                    inv.warn("\(path):\(line): \(f)")
                }
            }
        } catch let e as JSONSyntaxError {
            throw PlugboardError.invalidInput("\(path):\(e.line):\(e.column): invalid JSON: \(e.message)")
        }
        let concurrency = try inv.args.int("concurrency", default: 4, range: 1...64)
        let started = Date()
        let results = try await inv.withAdapters { a -> [(Int, IntakeResult)] in
            let wf = try await inv.workflow(a)
            var out: [(Int, IntakeResult)] = []
            // Requests of one contact run in order (a follow-up after its first message); contacts run in parallel.
            var byContact: [String: [(Int, IntakeRequest)]] = [:]
            var order: [String] = []
            for (line, r) in requests {
                if byContact[r.userEmail] == nil { order.append(r.userEmail) }
                byContact[r.userEmail, default: []].append((line, r))
            }
            try await withThrowingTaskGroup(of: [(Int, IntakeResult)].self) { g in
                var it = order.makeIterator()
                func next() -> Bool {
                    guard let email = it.next(), let list = byContact[email] else { return false }
                    g.addTask {
                        var rs: [(Int, IntakeResult)] = []
                        for (line, r) in list { rs.append((line, try await wf.submit(r))) }
                        return rs
                    }
                    return true
                }
                for _ in 0..<concurrency where next() {}
                while let rs = try await g.next() {
                    out += rs
                    if !inv.args.flag("json") && inv.console.isTerminal {
                        inv.console.err("\r\(out.count)/\(requests.count) requests")
                    }
                    _ = next()
                }
            }
            return out.sorted { $0.0 < $1.0 }
        }
        if inv.console.isTerminal && !inv.args.flag("json") { inv.console.err("\r") }
        var counts: [IntakeResult.Status: Int] = [:]
        for (line, r) in results {
            counts[r.status, default: 0] += 1
            if inv.args.flag("json") {
                var j = r.json
                j["line"] = JSON(line)
                inv.print(j.serialized())
            } else {
                inv.print("line \(line): \(r.status.rawValue) \(r.ticketId ?? "-") [\(r.category ?? "?")] \(r.message)")
            }
        }
        let secs = Date().timeIntervalSince(started)
        inv.warn("\(results.count) processed in \(String(format: "%.2f", secs)) s: \(counts[.created] ?? 0) new tickets, "
                 + "\(counts[.appended] ?? 0) threaded, \(counts[.queued] ?? 0) queued for retry, \(counts[.failed] ?? 0) failed, \(rejected) rejected")
        return (rejected > 0 || (counts[.failed] ?? 0) > 0) ? 1 : 0
    }

    /// Attachment paths in a batch file are relative to the batch file's folder.
    static func resolvingPaths(_ json: JSON, against base: URL) -> JSON {
        var j = json
        for field in ["attachments", "fichiers"] {
            guard let items = j[field]?.arrayValue else { continue }
            j[field] = .array(items.map { item in
                guard let p = item["path"]?.stringValue, !p.hasPrefix("/") else { return item }
                var x = item
                x["path"] = .string(base.appendingPathComponent(p).standardizedFileURL.path)
                return x
            })
        }
        return j
    }

    static func runInteractive(_ inv: Invocation) async throws -> Int32 {
        inv.print("Type a customer message (empty line to quit). Prefix with 'email@x.com:' to set the sender.")
        var email = "interactive@example.com"
        return try await inv.withAdapters { a in
            let wf = try await inv.workflow(a)
            var n = 0
            while true {
                inv.console.out("> ")
                guard let line = readLine(), !line.trimmingCharacters(in: .whitespaces).isEmpty else { break }
                var text = line
                if let colon = line.firstIndex(of: ":"), line[..<colon].contains("@"), !line[..<colon].contains(" ") {
                    email = String(line[..<colon])
                    text = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                }
                n += 1
                let subject = String(text.prefix(60))
                let request = IntakeRequest(source: "interactive", subject: subject, description: text, userEmail: email.lowercased(),
                                            requestId: "interactive-\(Date().timeIntervalSince1970)-\(n)")
                let r = try await wf.submit(request)
                print(r, inv)
                if let reply = r.reply { inv.print("  reply draft:\n" + reply.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")) }
            }
            return 0
        }
    }
}

struct ProcessPendingCommand: Command {
    static let words = ["process-pending"]
    static let summary = "Resume interrupted or failed-but-retryable requests (each exactly once)."
    static let synopsis = "[--limit N] [--concurrency N]"
    static let options = [
        OptionSpec(name: "limit", value: "N", help: "At most N jobs (default: all that are due)."),
        OptionSpec(name: "concurrency", value: "N", help: "Jobs run at once (default 4)."),
    ]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        let limit = try inv.args.int("limit", default: 1_000_000)
        let concurrency = try inv.args.int("concurrency", default: 4, range: 1...64)
        let r = try await inv.withAdapters { a in try await inv.workflow(a).processPending(limit: limit, concurrency: concurrency) }
        inv.print("\(r.done) completed, \(r.deferred) still pending (will retry later), \(r.failed) failed")
        return r.failed > 0 ? 1 : 0
    }
}

struct StatsCommand: Command {
    static let words = ["stats"]
    static let summary = "Tickets by status, category and channel; resolution and response times; LLM usage; jobs."
    static let synopsis = "[--json]"
    static let options = [OptionSpec(name: "json", value: nil, help: "Print as JSON.")]

    static func run(_ inv: Invocation) async throws -> Int32 {
        try inv.args.noMorePositionals(than: 0)
        let stats = try await inv.withAdapters { a -> TicketStats in
            let store = try await a.storage()
            let tickets = try await TicketBook(store: store, workflow: a.config.workflow).list(TicketFilter())
            let jobs = try await JobQueue(store: store).counts()
            return TicketStats(tickets: tickets, jobs: jobs)
        }
        if inv.args.flag("json") {
            inv.print(stats.json.serialized(pretty: true))
            return 0
        }
        func line(_ title: String, _ d: [String: Int]) {
            inv.print(title.padding(toLength: 12, withPad: " ", startingAt: 0)
                      + d.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }.joined(separator: " · "))
        }
        inv.print("tickets     \(stats.total)")
        line("status", stats.byStatus)
        line("category", stats.byCategory)
        line("channel", stats.byChannel)
        func dur(_ s: Double?) -> String { s.map { String(format: "%.0f s (%.1f h)", $0, $0 / 3600) } ?? "-" }
        inv.print("resolution  mean \(dur(stats.meanResolutionSeconds))")
        inv.print("1st reply   mean \(dur(stats.meanFirstResponseSeconds))")
        inv.print("llm         \(stats.llmCalls) calls · \(stats.llmInputTokens) in / \(stats.llmOutputTokens) out tokens · cost \(String(format: "%.4f", stats.llmCost))")
        line("jobs", stats.jobs)
        return 0
    }
}
