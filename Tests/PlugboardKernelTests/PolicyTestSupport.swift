import Foundation
import PlugboardKernel
import Synchronization

/// A discrete-event clock for policy tests: virtual time stands still while any
/// participant task is running, and jumps to the earliest deadline once every
/// participant is asleep on the clock (or has left). Times read inside a call
/// are therefore exact, and a test of minutes of back-off runs in milliseconds.
///
/// The test says how many tasks take part (`participants`); each calls `leave()`
/// when done. A task sleeping elsewhere (not on this clock) must not be a participant.
final class VirtualClock: PolicyClock {
    private struct Sleeper {
        var id: Int
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var now: ContinuousClock.Instant
        var running: Int
        var sleepers: [Sleeper] = []
        var nextId = 0
        var cancelled: Set<Int> = []

        /// When nobody runs, moves time to the earliest deadline and wakes everyone due then.
        mutating func advanceIfIdle() -> [Sleeper] {
            guard running == 0, let earliest = sleepers.map(\.deadline).min() else { return [] }
            now = max(now, earliest)
            let due = sleepers.filter { $0.deadline <= now }
            sleepers.removeAll { $0.deadline <= now }
            running += due.count
            return due
        }
    }
    private let state: Mutex<State>
    let origin: ContinuousClock.Instant

    init(participants: Int = 1) {
        let origin = ContinuousClock.now
        self.origin = origin
        self.state = Mutex(State(now: origin, running: participants))
    }

    var now: ContinuousClock.Instant { state.withLock { $0.now } }

    /// Virtual time since the clock was made.
    var elapsed: Duration { now - origin }

    func at(_ offset: Duration) -> ContinuousClock.Instant { origin + offset }

    func sleep(until deadline: ContinuousClock.Instant) async throws {
        try Task.checkCancellation()
        let id = state.withLock { s -> Int in s.nextId += 1; return s.nextId }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                enum Outcome { case wake, cancelled, registered([Sleeper]) }
                let outcome = state.withLock { s -> Outcome in
                    // The cancellation handler ran before we got here: it could not resume us.
                    if s.cancelled.remove(id) != nil { return .cancelled }
                    if deadline <= s.now { return .wake }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: c))
                    s.running -= 1
                    return .registered(s.advanceIfIdle())
                }
                switch outcome {
                case .wake: c.resume()
                case .cancelled: c.resume(throwing: CancellationError())
                case .registered(let due): for d in due { d.continuation.resume() }
                }
            }
        } onCancel: {
            let sleeper = state.withLock { s -> Sleeper? in
                guard let i = s.sleepers.firstIndex(where: { $0.id == id }) else {
                    s.cancelled.insert(id)
                    return nil
                }
                s.running += 1
                return s.sleepers.remove(at: i)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// A participant is done: it no longer holds time still.
    func leave() {
        let due = state.withLock { s -> [Sleeper] in
            s.running -= 1
            return s.advanceIfIdle()
        }
        for d in due { d.continuation.resume() }
    }
}

/// What a fake adapter was asked, in order (method and arguments, as text).
final class CallLog: Sendable {
    private let entries = Mutex<[String]>([])
    func add(_ s: String) { entries.withLock { $0.append(s) } }
    var all: [String] { entries.withLock { $0 } }
}

/// A stand-in operation that fails its first `failures` calls with `error`, then returns `value`,
/// recording the (virtual) instant each call started.
final class ScriptedOperation<T: Sendable>: Sendable {
    let clock: any PolicyClock
    let error: PlugboardError
    let failures: Int
    let value: T
    private let starts = Mutex<[ContinuousClock.Instant]>([])

    init(clock: any PolicyClock, failing failures: Int, with error: PlugboardError, then value: T) {
        self.clock = clock
        self.error = error
        self.failures = failures
        self.value = value
    }

    var startTimes: [ContinuousClock.Instant] { starts.withLock { $0 } }
    var calls: Int { startTimes.count }

    func run() async throws -> T {
        let n = starts.withLock { s -> Int in s.append(clock.now); return s.count }
        if n <= failures { throw error }
        return value
    }
}

struct FakeCRM: CRM {
    let log: CallLog
    func findOrCreateContact(email: String, name: String?) async throws -> CRMContact {
        log.add("findOrCreateContact \(email) \(name ?? "-")")
        return CRMContact(id: "c1", email: email, name: name, created: true)
    }
    func createTicket(_ draft: CRMTicketDraft) async throws -> CRMTicket {
        log.add("createTicket \(draft.subject)")
        return CRMTicket(id: "t1", url: nil, status: "open", updatedAt: nil)
    }
    func findOpenTicket(contactId: String, updatedSince: String?) async throws -> CRMTicket? {
        log.add("findOpenTicket \(contactId) \(updatedSince ?? "-")")
        return nil
    }
    func ticket(id: String) async throws -> CRMTicket? {
        log.add("ticket \(id)")
        return nil
    }
    func addNote(ticketId: String, body: String, at: String, key: String) async throws -> String {
        log.add("addNote \(ticketId) \(body) \(at) \(key)")
        return "n1"
    }
    func updateTicket(id: String, properties: [String: JSON]) async throws {
        log.add("updateTicket \(id) \(JSON.object(properties).serialized())")
    }
    func linkTicket(_ ticketId: String, toContact contactId: String) async throws {
        log.add("linkTicket \(ticketId) \(contactId)")
    }
}

struct FakeTasks: TaskTracker {
    let log: CallLog
    func createTask(_ draft: TaskDraft) async throws -> TrackedTask {
        log.add("createTask \(draft.name)")
        return TrackedTask(id: "k1", url: "https://tasks.example/k1")
    }
    func updateDescription(taskId: String, markdown: String) async throws { log.add("updateDescription \(taskId) \(markdown)") }
    func comment(taskId: String, text: String) async throws { log.add("comment \(taskId) \(text)") }
}

struct FakeObjects: ObjectStore {
    let log: CallLog
    func put(key: String, data: Data, contentType: String?) async throws -> ObjectInfo {
        log.add("put \(key) \(data.count) \(contentType ?? "-")")
        return ObjectInfo(key: key, size: data.count, contentType: contentType, etag: "e1")
    }
    func get(key: String) async throws -> Data {
        log.add("get \(key)")
        return Data("hello".utf8)
    }
    func head(key: String) async throws -> ObjectInfo? {
        log.add("head \(key)")
        return nil
    }
    func delete(key: String) async throws { log.add("delete \(key)") }
    func url(for key: String, expiresIn: Duration) async throws -> String? {
        log.add("url \(key) \(expiresIn.components.seconds)")
        return "https://objects.example/\(key)"
    }
}

struct FakeLanguageModel: LanguageModel {
    let log: CallLog
    func generate(_ request: LLMRequest) async throws -> LLMResponse {
        log.add("generate \(request.task)")
        return LLMResponse(object: ["category": "billing"], inputTokens: 3, outputTokens: 2, latency: .milliseconds(1),
                           provider: "fake", model: "m")
    }
}

struct FakeNotifier: Notifier {
    let log: CallLog
    func send(_ notification: TeamNotification) async throws { log.add("send \(notification.subject)") }
}

/// A value shared with the closures a test hands to the policy layer (which may run them on other tasks).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
    var value: Value { mutex.withLock { $0 } }
}
