import AdaptersLocal
import PlugboardConformance
import PlugboardKernel
import Testing

@Suite("local crm conformance")
struct LocalCRMConformanceTests {
    @Test("over the memory store", arguments: CRMConformance.cases)
    func memory(_ c: CRMConformance.Case) async throws {
        try await c.run(LocalCRMHarness { MemoryStore() })
    }

    @Test("over a store that interleaves calls and pages by two", arguments: CRMConformance.cases)
    func interleaving(_ c: CRMConformance.Case) async throws {
        try await c.run(LocalCRMHarness { InterleavingStore() })
    }
}

@Suite("local and none task tracker conformance")
struct TaskTrackerConformanceTests {
    @Test("local over the memory store", arguments: TaskTrackerConformance.cases)
    func memory(_ c: TaskTrackerConformance.Case) async throws {
        try await c.run(LocalTasksHarness { MemoryStore() })
    }

    @Test("local over a store that interleaves calls", arguments: TaskTrackerConformance.cases)
    func interleaving(_ c: TaskTrackerConformance.Case) async throws {
        try await c.run(LocalTasksHarness { InterleavingStore() })
    }

    @Test("none", arguments: TaskTrackerConformance.cases)
    func none(_ c: TaskTrackerConformance.Case) async throws {
        try await c.run(DiscardingTasksHarness())
    }
}
