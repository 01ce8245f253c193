import Foundation
import PlugboardKernel

/// Durable jobs in the `jobs` collection, claimed through the store itself:
/// a compare-and-set on the job's revision moves it from `pending` (or an
/// expired `running` lease) to `running`, so several workers on one database
/// never run one job at once. Each step's output is saved on the job as it
/// completes, so a resumed job skips what is done.
///
/// Job document: `job_id, kind, key, state (pending|running|done|failed),
/// due_at (for pending: when to run; for running: when the lease expires),
/// attempts, payload, steps {name: output}, result, last_error, created_at, updated_at`.
public struct JobQueue: Sendable {
    public let store: any DocumentStore
    public var maxAttempts: Int
    public var lease: Double
    /// Backoff before a failed job is due again (doubling, jittered, capped at 5 minutes).
    public var retryBase: Duration
    public let worker: String
    let spec = CollectionSpec.jobs

    public init(store: any DocumentStore, maxAttempts: Int = 8, leaseSeconds: Double = 60, retryBase: Duration = .seconds(1),
                worker: String = "\(ProcessInfo.processInfo.hostName):\(getpid())") {
        self.store = store
        self.maxAttempts = maxAttempts
        self.lease = leaseSeconds
        self.retryBase = retryBase
        self.worker = worker
    }

    /// A job's id from its kind and idempotency key.
    public static func id(kind: String, key: String) -> String {
        "\(kind)-" + Digest.sha256Hex(Array("\(kind)\u{0}\(key)".utf8)).prefix(32)
    }

    /// Creates the job unless one with the same key exists; returns the stored job and whether it is new.
    /// `claimed`: a new job is created already running under this worker's lease (one write
    /// instead of create-then-claim, for a caller that runs it at once); an existing job is returned as stored.
    public func enqueue(kind: String, key: String, payload: JSON, claimed: Bool = false,
                        now: Double = Date().timeIntervalSince1970) async throws -> (StoredDocument, created: Bool) {
        let id = JobQueue.id(kind: kind, key: key)
        let stamp = Timestamp.format(now)
        var body: JSON = [
            "job_id": .string(id), "kind": .string(kind), "key": .string(key), "state": "pending",
            "due_at": .string(stamp), "attempts": 0, "payload": payload, "steps": [:],
            "created_at": .string(stamp), "updated_at": .string(stamp),
        ]
        if claimed {
            body["state"] = "running"
            body["due_at"] = .string(Timestamp.format(now + lease))
            body["worker"] = .string(worker)
            body["attempts"] = 1
        }
        do {
            let rev = try await store.put(spec, id: id, body: body, condition: .absent)
            return (StoredDocument(id: id, revision: rev, body: body), true)
        } catch let e as PlugboardError where e.code == .conflict {
            guard let existing = try await store.get(spec, id: id) else { throw e }
            return (existing, false)
        }
    }

    /// Takes the job if it is pending and due, or running with an expired lease; nil if another worker has it or it is finished.
    public func claim(_ job: StoredDocument, now: Double = Date().timeIntervalSince1970, force: Bool = false) async throws -> StoredDocument? {
        let state = job.body["state"]?.stringValue
        let due = job.body["due_at"]?.stringValue.flatMap(Timestamp.parse) ?? 0
        switch state {
        case "pending": if !force && due > now { return nil }
        case "failed": if !force { return nil }  // only an explicit resubmission tries a failed job again
        case "running": if due > now && !JobQueue.holderIsDead(job.body["worker"]?.stringValue) { return nil }
        default: return nil
        }
        var body = job.body
        body["state"] = "running"
        body["due_at"] = .string(Timestamp.format(now + lease))
        body["worker"] = .string(worker)
        body["attempts"] = JSON((job.body["attempts"]?.intValue ?? 0) + 1)
        body["updated_at"] = .string(Timestamp.format(now))
        do {
            let rev = try await store.put(spec, id: job.id, body: body, condition: .revision(job.revision))
            return StoredDocument(id: job.id, revision: rev, body: body)
        } catch let e as PlugboardError where e.code == .conflict {
            return nil
        }
    }

    /// A lease held by a process of this host that no longer exists (killed) can be taken at once.
    static func holderIsDead(_ worker: String?) -> Bool {
        guard let worker, let colon = worker.lastIndex(of: ":"),
              worker[..<colon] == ProcessInfo.processInfo.hostName, let pid = Int32(worker[worker.index(after: colon)...]),
              pid != getpid()
        else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Jobs ready to run: pending and due, then running with an expired lease or a dead holder.
    public func due(limit: Int, now: Double = Date().timeIntervalSince1970) async throws -> [StoredDocument] {
        let stamp = Timestamp.format(now)
        var out: [StoredDocument] = []
        for state in ["pending", "running"] where out.count < limit {
            let page = try await store.query(spec, IndexQuery(index: "state-due_at", partition: state, to: stamp, limit: limit - out.count))
            out += page.documents
        }
        if out.count < limit {
            // Jobs still leased by a process of this host that was killed.
            let leased = try await store.query(spec, IndexQuery(index: "state-due_at", partition: "running", from: stamp, limit: 1000))
            out += leased.documents.filter { JobQueue.holderIsDead($0.body["worker"]?.stringValue) }.prefix(limit - out.count)
        }
        return out
    }

    /// Saves one step's output on a job this worker holds; a conflict means the lease was lost.
    public func record(_ job: inout StoredDocument, step: String, output: JSON) async throws {
        var body = job.body
        var steps = body["steps"]?.objectValue ?? [:]
        steps[step] = output
        body["steps"] = .object(steps)
        body["updated_at"] = .string(Timestamp.now())
        job.revision = try await store.put(spec, id: job.id, body: body, condition: .revision(job.revision))
        job.body = body
    }

    public func complete(_ job: inout StoredDocument, result: JSON) async throws {
        var body = job.body
        body["state"] = "done"
        body["result"] = result
        body["due_at"] = .string(Timestamp.now())
        body["updated_at"] = .string(Timestamp.now())
        body["last_error"] = nil
        job.revision = try await store.put(spec, id: job.id, body: body, condition: .revision(job.revision))
        job.body = body
    }

    /// Records a failure: back to pending after a backoff when retryable and attempts remain, else failed.
    public func fail(_ job: inout StoredDocument, error: PlugboardError, now: Double = Date().timeIntervalSince1970) async throws {
        var body = job.body
        let attempts = body["attempts"]?.intValue ?? 1
        let retry = error.isRetryable && attempts < maxAttempts
        let backoff = RetryPolicy(maxAttempts: maxAttempts, baseDelay: retryBase, maxDelay: .seconds(300))
            .delay(afterAttempt: attempts, error: error).seconds
        body["state"] = .string(retry ? "pending" : "failed")
        body["due_at"] = .string(Timestamp.format(retry ? now + backoff : now))
        body["last_error"] = ["code": .string(error.code.description), "message": .string(error.description),
                              "retryable": .bool(error.isRetryable), "at": .string(Timestamp.format(now))]
        body["updated_at"] = .string(Timestamp.format(now))
        job.revision = try await store.put(spec, id: job.id, body: body, condition: .revision(job.revision))
        job.body = body
    }

    /// Counts by state, for stats.
    public func counts() async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for state in ["pending", "running", "done", "failed"] {
            out[state] = try await store.queryAll(spec, IndexQuery(index: "state-due_at", partition: state, limit: 1000)).count
        }
        return out
    }
}
