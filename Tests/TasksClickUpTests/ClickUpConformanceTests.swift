import PlugboardConformance
import PlugboardKernel
@testable import VendorFakes
import Synchronization
import TasksClickUp
import Testing

/// The ClickUp tracker over a fresh fake workspace per case.
final class ClickUpHarness: TaskTrackerHarness {
    private let fakes = Mutex<[FakeClickUp]>([])

    func open() async throws -> any TaskTracker {
        let fake = FakeClickUp()
        fakes.withLock { $0.append(fake) }
        return try ClickUpTaskTracker(ClickUpHarness.configuration(fake), transport: FakeHTTPTransport { try await fake.handle($0) })
    }

    static func configuration(_ fake: FakeClickUp, timeout: Duration = .seconds(5)) -> ClickUpTaskTracker.Configuration {
        ClickUpTaskTracker.Configuration(baseURL: "https://api.clickup.test/api", token: fake.token, listId: "901", timeout: timeout)
    }

    var rejections: [String] { fakes.withLock { $0.flatMap(\.rejections) } }

    var discardsTasks: Bool { false }
    var tasksHaveURLs: Bool { true }
    var canInspect: Bool { true }

    func inspect(_ tracker: any TaskTracker, taskId: String) async throws -> InspectedTask? {
        let clickup = tracker as! ClickUpTaskTracker
        guard let t = try await clickup.task(id: taskId) else { return nil }
        return InspectedTask(name: t.name, markdown: t.markdown, parentId: t.parentId, comments: try await clickup.comments(taskId: taskId))
    }
}

@Suite("clickup conformance", .serialized)
struct ClickUpConformanceTests {
    @Test("against the fake ClickUp", arguments: TaskTrackerConformance.cases)
    func conformance(_ c: TaskTrackerConformance.Case) async throws {
        let harness = ClickUpHarness()
        try await c.run(harness)
        #expect(harness.rejections == [], "requests the fake refused as ClickUp would")
    }
}
