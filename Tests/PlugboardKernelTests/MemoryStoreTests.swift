import PlugboardConformance
import PlugboardKernel
import Synchronization
import Testing

/// The memory adapter is one shared instance per data set name while the test runs.
final class MemoryHarness: StorageHarness {
    private let stores = Mutex<[String: MemoryStore]>([:])
    var isPersistent: Bool { false }
    var supportsConcurrentInstances: Bool { true }
    func open(_ name: String) async throws -> any DocumentStore {
        stores.withLock { s in
            if let x = s[name] { return x }
            let x = MemoryStore()
            s[name] = x
            return x
        }
    }
}

@Suite("memory storage conformance")
struct MemoryStoreConformanceTests {
    @Test(arguments: StorageConformance.cases)
    func conformance(_ c: StorageConformance.Case) async throws {
        try await c.run(MemoryHarness())
    }
}
