import Foundation
import PlugboardKernel
@testable import VendorFakes
@testable import TasksClickUp
import Testing

@Suite("clickup task tracker", .serialized)
struct ClickUpTaskTrackerTests {
    let fake = FakeClickUp()

    func tracker(token: String? = nil, timeout: Duration = .seconds(5), parent: String? = nil, assignees: [Int] = [],
                 logger: Logger = Logger(label: "plugboard.clickup")) throws -> ClickUpTaskTracker {
        var c = ClickUpHarness.configuration(fake, timeout: timeout)
        if let token { c.token = token }
        c.parentTaskId = parent
        c.assignees = assignees
        let fake = self.fake
        return try ClickUpTaskTracker(c, transport: FakeHTTPTransport { try await fake.handle($0) }, logger: logger)
    }

    func error(_ body: () async throws -> Void) async -> PlugboardError? {
        do { try await body() } catch let e as PlugboardError { return e } catch { Issue.record("not a PlugboardError: \(error)") }
        return nil
    }

    @Test("one key, one task: the retry finds the task by its key tag among other tasks")
    func idempotentCreate() async throws {
        let t = try tracker()
        for i in 0..<7 { _ = fake.seed(name: "Other \(i)", tags: ["other"]) }
        let draft = TaskDraft(name: "[TKT-1A2B] Modélisation", markdown: "**x**", key: "TKT-1A2B")
        let a = try await t.createTask(draft)
        for i in 0..<7 { _ = fake.seed(name: "Later \(i)", tags: ["plugboard-tkt-1a2b-not"]) }
        let b = try await t.createTask(draft)
        #expect(a.id == b.id)
        #expect(fake.task(a.id)?.tags == ["plugboard-tkt-1a2b"])
        #expect(fake.taskCount == 15)
        #expect(ClickUpTaskTracker.keyTag("<odd key@x>").hasPrefix("plugboard-") && !ClickUpTaskTracker.keyTag("<odd key@x>").contains(" "))
        #expect(fake.rejections == [])
    }

    @Test("a configured parent makes subtasks in the parent's list, with the configured and the draft's assignees")
    func parentAndAssignees() async throws {
        let parent = fake.seed(name: "Support tickets", list: "902")
        let t = try tracker(parent: parent, assignees: [183])
        let made = try await t.createTask(TaskDraft(name: "Child", markdown: "m", assignees: ["2772463", "183"]))
        let seen = try #require(fake.task(made.id))
        #expect(seen.parent == parent)
        #expect(seen.listId == "902")
        #expect(seen.assignees == [183, 2772463])
        #expect(made.url == "https://app.clickup.com/t/\(made.id)")
        let bad = await error { _ = try await t.createTask(TaskDraft(name: "x", markdown: "", assignees: ["alice"])) }
        #expect(bad?.code == .invalidInput)
    }

    @Test("comments are read back across pages, oldest first")
    func commentPaging() async throws {
        let t = try tracker()
        let task = try await t.createTask(TaskDraft(name: "Many comments", markdown: ""))
        for i in 0..<30 { try await t.comment(taskId: task.id, text: "c\(i)") }
        #expect(try await t.comments(taskId: task.id) == (0..<30).map { "c\($0)" })
    }

    @Test("errors: bad token, unknown task, 409, 429 with X-RateLimit-Reset or Retry-After, 5xx, malformed JSON, stall")
    func errors() async throws {
        let wrong = await error { _ = try await tracker(token: "pk_wrong").createTask(TaskDraft(name: "x", markdown: "")) }
        #expect(wrong?.code == .unauthenticated)
        #expect(wrong?.message.contains("CLICKUP_TOKEN") == true)
        #expect(wrong?.cause?.contains("OAUTH_025") == true)

        let t = try tracker()
        let missing = await error { try await t.comment(taskId: "nosuch", text: "x") }
        #expect(missing?.code == .notFound)

        let reset = Int(Date().timeIntervalSince1970) + 42
        fake.inject(.response(429, ["X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": String(reset),
                                    "Content-Type": "application/json"], #"{"err":"Rate limit reached","ECODE":"APP_002"}"#))
        let limited = await error { _ = try await t.createTask(TaskDraft(name: "x", markdown: "")) }
        #expect(limited?.code == .rateLimited)
        #expect(limited?.isRetryable == true)
        let wait = try #require(limited?.retryAfter)
        #expect(wait > .seconds(39) && wait <= .seconds(42))
        fake.inject(.response(429, ["Retry-After": "3", "Content-Type": "application/json"], #"{"err":"Rate limit reached","ECODE":"APP_002"}"#))
        #expect(await error { _ = try await t.createTask(TaskDraft(name: "x", markdown: "")) }?.retryAfter == .seconds(3))

        fake.inject(.response(409, ["Content-Type": "application/json"], #"{"err":"Task was modified by someone else","ECODE":"ITEM_227"}"#))
        #expect(await error { try await t.updateDescription(taskId: "x", markdown: "y") }?.code == .conflict)

        fake.inject(.response(503, [:], "upstream unavailable"))
        let down = await error { try await t.updateDescription(taskId: "x", markdown: "y") }
        #expect(down?.code == .unavailable)
        #expect(down?.isRetryable == true)

        fake.inject(.malformedJSON)
        #expect(await error { _ = try await t.createTask(TaskDraft(name: "x", markdown: "")) }?.code == .unavailable)

        let slow = try tracker(timeout: .milliseconds(200))
        fake.inject(.stall(.seconds(120)))
        let started = ContinuousClock.now
        let stalled = await error { _ = try await slow.createTask(TaskDraft(name: "x", markdown: "")) }
        #expect(stalled?.code == .unavailable)
        #expect(ContinuousClock.now - started < .seconds(60), "well before the 120-second stall ends")
    }

    @Test("no error message or log line holds the token")
    func tokenNeverShown() async throws {
        let label = "clickup-secret-test-\(UInt32.random(in: 0...UInt32.max))"
        let (errors, logged) = try await LogCapture.run(label: label) {
            var errors: [String] = []
            let t = try tracker(logger: Logger(label: label))
            let echo = #"{"err":"Token \#(fake.token) is not valid here","ECODE":"OAUTH_019"}"#
            for status in [400, 401, 403, 404, 429, 500] {
                fake.inject(.response(status, ["Content-Type": "application/json"], echo))
                do { _ = try await t.createTask(TaskDraft(name: "x", markdown: "")) } catch { errors.append("\(error)") }
            }
            return errors
        }
        #expect(errors.count == 6)
        #expect(!logged.isEmpty)
        for text in errors + logged { #expect(!text.contains(fake.token), "leaked: \(text)") }
    }

    @Test("configuration: CLICKUP_TOKEN fallback, redacted; numeric assignees; list_id required")
    func configuration() throws {
        let loader = ConfigLoader(registry: Registry([ClickUpTaskTracker.registryEntry]), environment: ["CLICKUP_TOKEN": "pk_env"])
        let s = try loader.settings(port: .tasks, section: ["adapter": "clickup", "list_id": "901", "assignees": ["183"]])
        let c = try ClickUpTaskTracker.configuration(from: s)
        #expect(c.token == "pk_env" && c.listId == "901" && c.assignees == [183])
        #expect(!s.redacted.serialized().contains("pk_env"))
        let bad = try loader.settings(port: .tasks, section: ["adapter": "clickup", "list_id": "901", "assignees": ["alice"]])
        #expect(throws: PlugboardError.self) { try ClickUpTaskTracker.configuration(from: bad) }
        #expect(throws: PlugboardError.self) { _ = try loader.settings(port: .tasks, section: ["adapter": "clickup"]) }
    }
}
