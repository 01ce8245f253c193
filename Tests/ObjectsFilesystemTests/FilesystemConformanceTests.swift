import Foundation
import ObjectsFilesystem
import PlugboardConformance
import PlugboardKernel
import Testing

/// A fresh folder per case under the temporary directory, built through the
/// registry entry. With `publicURLs`, `public_base_url` is the folder's own
/// `file://` URL, so the suite can fetch what `url(for:)` returns.
struct FilesystemHarness: ObjectStoreHarness {
    let publicURLs: Bool

    func open() async throws -> any ObjectStore {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("plugboard-objects-\(UUID().uuidString)").path
        var values: [String: JSON] = ["root": .string(root)]
        if publicURLs { values["public_base_url"] = .string(URL(fileURLWithPath: root).absoluteString) }
        let registry = Registry([FilesystemObjectStore.registryEntry])
        return try await registry.makeObjects(AdapterSettings(port: .objects, adapter: "filesystem", values: values),
                                              AdapterContext(registry: registry))
    }

    var urls: ObjectURLKind { publicURLs ? .publicURLs : .none }

    func fetch(_ url: String) async throws -> Data? {
        guard let u = URL(string: url), u.isFileURL else { return nil }
        return try Data(contentsOf: u)
    }
}

@Suite("filesystem objects conformance")
struct FilesystemConformanceTests {
    @Test("with a public base URL", arguments: ObjectStoreConformance.cases)
    func withURLs(_ c: ObjectStoreConformance.Case) async throws {
        try await c.run(FilesystemHarness(publicURLs: true))
    }

    @Test("without URLs", arguments: ObjectStoreConformance.cases)
    func withoutURLs(_ c: ObjectStoreConformance.Case) async throws {
        try await c.run(FilesystemHarness(publicURLs: false))
    }
}
