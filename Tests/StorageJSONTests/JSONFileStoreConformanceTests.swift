import Foundation
import PlugboardConformance
import PlugboardKernel
import StorageJSON
import Testing

/// One folder per harness; each data set is `<folder>/<name>/tickets.json`.
/// One open store per file at a time (the file is locked), persistent.
struct JSONFileHarness: StorageHarness {
    let root: String
    var isPersistent: Bool { true }
    var supportsConcurrentInstances: Bool { false }

    init() {
        root = NSTemporaryDirectory() + "plugboard-json-" + UUID().uuidString
    }

    func open(_ name: String) async throws -> any DocumentStore {
        try await JSONFileStore.open(path: "\(root)/\(name)/tickets.json")
    }
}

@Suite("json storage conformance")
struct JSONFileStoreConformanceTests {
    @Test(arguments: StorageConformance.cases)
    func conformance(_ c: StorageConformance.Case) async throws {
        let harness = JSONFileHarness()
        defer { try? FileManager.default.removeItem(atPath: harness.root) }
        try await c.run(harness)
    }
}
