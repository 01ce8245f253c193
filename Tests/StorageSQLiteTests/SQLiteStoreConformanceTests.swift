import Foundation
import PlugboardConformance
import PlugboardKernel
import StorageSQLite
import Testing

/// Each data set is its own file in a temporary folder; opening a name again
/// opens the same file, also while other instances have it open.
struct SQLiteHarness: StorageHarness {
    let folder: String
    var isPersistent: Bool { true }
    var supportsConcurrentInstances: Bool { true }

    init() throws {
        folder = NSTemporaryDirectory() + "plugboard-sqlite-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func open(_ name: String) async throws -> any DocumentStore {
        try await SQLiteStore(path: folder + "/" + name + ".sqlite")
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}

@Suite("sqlite storage conformance")
struct SQLiteStoreConformanceTests {
    @Test(arguments: StorageConformance.cases)
    func conformance(_ c: StorageConformance.Case) async throws {
        let harness = try SQLiteHarness()
        defer { harness.remove() }
        try await c.run(harness)
    }
}
