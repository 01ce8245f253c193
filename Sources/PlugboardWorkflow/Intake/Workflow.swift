import Foundation
import PlugboardKernel

/// The ports the workflow runs on. It never sees an adapter, only these.
public struct WorkflowPorts: Sendable {
    public var storage: any DocumentStore
    public var crm: any CRM
    public var tasks: any TaskTracker
    public var objects: any ObjectStore
    public var llm: any LanguageModel
    public var notifier: any Notifier
    /// Fetches attachment URLs; nil refuses URL attachments.
    public var fetcher: (any AttachmentFetching)?

    public init(storage: any DocumentStore, crm: any CRM, tasks: any TaskTracker, objects: any ObjectStore,
                llm: any LanguageModel, notifier: any Notifier, fetcher: (any AttachmentFetching)? = nil) {
        self.storage = storage; self.crm = crm; self.tasks = tasks; self.objects = objects
        self.llm = llm; self.notifier = notifier; self.fetcher = fetcher
    }
}

/// Downloads an attachment under the workflow's attachment policy.
public protocol AttachmentFetching: Sendable {
    func fetch(_ url: String, policy: AttachmentPolicy) async throws -> Data
}

/// The shared ticket workflow: validate → classify → analyse → attachments →
/// contact → thread → CRM → task → reply draft → notify. Every step is saved
/// on a durable job as it completes and is idempotent, so a job interrupted
/// anywhere resumes with `processPending` and nothing is done twice.
public struct Workflow: Sendable {
    public let ports: WorkflowPorts
    public let settings: WorkflowSettings
    public let queue: JobQueue
    public let logger: Logger
    /// Retries of a whole step before the job is rescheduled. None by default: each
    /// port call is already retried by the kernel's policy layer, and retries must not stack.
    public var stepRetry = RetryPolicy.none

    public init(ports: WorkflowPorts, settings: WorkflowSettings, queue: JobQueue? = nil, logger: Logger = Logger(label: "workflow")) {
        self.ports = ports
        self.settings = settings
        self.queue = queue ?? JobQueue(store: ports.storage)
        self.logger = logger
    }

    /// The reply is drafted before threading so the ticket gets its message and its draft in one write.
    public static let steps = ["classify", "analyse", "attachments", "contact", "reply", "thread", "crm", "task", "notify"]

    /// Whether a finished step is saved on the job at once: only when it is costly to redo
    /// (a paid model call, downloaded files). Every step is idempotent by key (message ids,
    /// ticket keys, content hashes, notification keys), so the others are saved with the
    /// job's completion or failure; a process killed in between redoes them without
    /// repeating an effect (the crash-at-every-write test proves it).
    static func worthCheckpointing(_ step: String, _ output: JSON) -> Bool {
        if let provider = output["usage"]?["provider"]?.stringValue { return provider != "rules" }
        if let files = output["files"]?.arrayValue { return !files.isEmpty }
        return false
    }

    // MARK: - Entry points

    /// Records the request as a job and runs it now. A request seen before (same
    /// request id, message id or content) returns the first run's result.
    public func submit(_ request: IntakeRequest) async throws -> IntakeResult {
        var (job, created) = try await queue.enqueue(kind: "intake", key: request.key, payload: request.json, claimed: true)
        if created { return try await run(&job, fresh: true) }
        if job.body["state"] == "failed" {
            // A resubmitted failed request starts over with what was sent now (a file fixed, say).
            var body = job.body
            body["payload"] = request.json
            body["steps"] = [:]
            body["attempts"] = 0
            if let rev = try? await queue.store.put(.jobs, id: job.id, body: body, condition: .revision(job.revision)) {
                job = StoredDocument(id: job.id, revision: rev, body: body)
            }
        }
        // Submitting again runs a job waiting for its retry at once; a job another worker holds is left to it.
        return try await runIfPossible(job, force: true)
    }

    /// Runs every due job (pending, or running with an expired lease), oldest first.
    public func processPending(limit: Int = 10_000, concurrency: Int = 4) async throws -> (done: Int, failed: Int, deferred: Int) {
        var done = 0, failed = 0, deferred = 0
        var seen = Set<String>()
        while true {
            let jobs = try await queue.due(limit: min(limit, 500)).filter { !seen.contains($0.id) }
            if jobs.isEmpty { break }
            for j in jobs { seen.insert(j.id) }
            let results = try await withThrowingTaskGroup(of: IntakeResult.Status?.self) { g in
                var iterator = jobs.makeIterator()
                var out: [IntakeResult.Status?] = []
                // One job's failure (a store error while recording it) leaves that job for a later pass.
                let one: @Sendable (StoredDocument) async -> IntakeResult.Status? = { j in
                    do { return try await self.runIfPossible(j, force: true).status } catch {
                        self.logger.warning("job \(j.id) interrupted", ["error": PlugboardError.wrap(error).description])
                        return .queued
                    }
                }
                for _ in 0..<max(1, concurrency) {
                    guard let j = iterator.next() else { break }
                    g.addTask { await one(j) }
                }
                while let r = try await g.next() {
                    out.append(r)
                    if let j = iterator.next() { g.addTask { await one(j) } }
                }
                return out
            }
            for r in results {
                switch r {
                case .created?, .appended?: done += 1
                case .failed?: failed += 1
                default: deferred += 1
                }
            }
            if seen.count >= limit { break }
        }
        return (done, failed, deferred)
    }

    func runIfPossible(_ job: StoredDocument, force: Bool = false) async throws -> IntakeResult {
        switch job.body["state"]?.stringValue {
        case "done":
            return IntakeResult(json: job.body["result"] ?? [:], jobId: job.id)
        case "failed" where !force:
            return IntakeResult(status: .failed, jobId: job.id, message: job.body["last_error"]?["message"]?.stringValue ?? "failed")
        default:
            guard var claimed = try await queue.claim(job, force: force) else {
                return IntakeResult(status: .queued, jobId: job.id, message: "another worker is processing this request")
            }
            return try await run(&claimed)
        }
    }

    // MARK: - Running a claimed job

    /// `fresh`: the job was created by this call, so no earlier run can have left effects behind.
    func run(_ job: inout StoredDocument, fresh: Bool = false) async throws -> IntakeResult {
        do {
            return try await runSteps(&job, fresh: fresh)
        } catch let e as PlugboardError where e.code == .conflict && e.message.contains("jobs/") {
            // Our lease expired and another worker took the job over: it finishes it.
            return IntakeResult(status: .queued, jobId: job.id, message: "another worker took this request over")
        }
    }

    func runSteps(_ job: inout StoredDocument, fresh: Bool = false) async throws -> IntakeResult {
        guard case .success(let request) = IntakeRequest.parse(job.body["payload"] ?? .null) else {
            try await queue.fail(&job, error: .invalidInput("stored request no longer validates"))
            return IntakeResult(status: .failed, jobId: job.id, message: "invalid stored request")
        }
        var state = StepState(request: request, jobId: job.id, steps: job.body["steps"]?.objectValue ?? [:], fresh: fresh)
        for step in Workflow.steps where state.steps[step] == nil {
            do {
                let output = try await stepRetry.run({ try await self.perform(step, &state) }) { attempt, e, d in
                    logger.debug("step \(step) attempt \(attempt) failed; retrying", ["job": state.jobId, "error": e.description, "delay_ms": "\(d.milliseconds)"])
                }
                state.steps[step] = output
                if Workflow.worthCheckpointing(step, output) {
                    try await queue.record(&job, step: step, output: output)
                }
            } catch {
                var e = PlugboardError.wrap(error)
                if e.code == .conflict && e.message.contains("jobs/") { throw e }
                // Contention on a shared document clears with time: reschedule rather than fail.
                if e.code == .conflict { e.isRetryable = true }
                logger.warning("intake step \(step) failed", ["job": job.id, "error": e.description])
                job.body["steps"] = .object(state.steps)  // what was done is kept for the retry
                try await queue.fail(&job, error: e)
                let final = job.body["state"]?.stringValue == "failed"
                return IntakeResult(status: final ? .failed : .queued, jobId: job.id,
                                    message: final ? "failed at \(step): \(e.description)"
                                        : "step \(step) failed (\(e.description)); queued for retry with `plugboard process-pending`")
            }
        }
        let result = state.result()
        job.body["steps"] = .object(state.steps)
        try await queue.complete(&job, result: result.json)
        return result
    }

    func perform(_ step: String, _ s: inout StepState) async throws -> JSON {
        switch step {
        case "classify": return try await classify(s)
        case "analyse": return try await analyse(s)
        case "attachments": return try await storeAttachments(s)
        case "contact": return try await findOrCreateContact(s)
        case "thread": return try await thread(s)
        case "crm": return try await mirrorToCRM(s)
        case "task": return try await createTask(s)
        case "reply": return try await draftReply(s)
        case "notify": return try await notify(s)
        default: throw PlugboardError.internal("unknown step \(step)")
        }
    }
}

/// What a job's steps have produced so far.
struct StepState: Sendable {
    var request: IntakeRequest
    var jobId: String
    var steps: [String: JSON]
    /// First run of a job just created: nothing this request could have done exists yet.
    var fresh = false

    subscript(step: String) -> JSON { steps[step] ?? [:] }

    /// When the customer wrote: given, or when the job first ran.
    var receivedAt: String { request.receivedAt ?? steps["classify"]?["at"]?.stringValue ?? Timestamp.now() }

    /// This request's message id within its ticket.
    var messageId: String { request.messageId ?? "msg-" + String(jobId.split(separator: "-").last ?? "") }

    func result() -> IntakeResult {
        let thread = self["thread"]
        let isNew = thread["is_new"]?.boolValue ?? false
        let ticket = thread["ticket_id"]?.stringValue
        var r = IntakeResult(status: isNew ? .created : .appended, jobId: jobId,
                             message: isNew ? "ticket \(ticket ?? "?") created" : "added to ticket \(ticket ?? "?")")
        r.ticketId = ticket
        r.ticketURL = self["crm"]["ticket_url"]?.stringValue
        r.isNewTicket = isNew
        r.classification = self["classify"]["category"]?.stringValue
        r.category = self["analyse"]["category"]?.stringValue ?? r.classification
        r.urgency = self["analyse"]["urgency"]?.stringValue
        r.sentiment = self["analyse"]["sentiment"]?.stringValue
        r.filesUploaded = self["attachments"]["files"]?.arrayValue?.count ?? 0
        r.taskId = self["task"]["task_id"]?.stringValue
        r.reply = self["reply"]["draft"]?.stringValue
        return r
    }
}
