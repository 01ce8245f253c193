import Foundation
import PlugboardConformance
@testable import PlugboardKernel
import Testing

/// Opens the objects example's store the way the CLI does (adapters.json, policy layer).
struct PluginObjectsHarness: ObjectStoreHarness {
    let config: PlugboardConfig
    /// The config sets `public_base_url`; nothing is served there, so `fetch` cannot look.
    var urls: ObjectURLKind { .publicURLs }

    func open() async throws -> any ObjectStore {
        try await Adapters(config: config, registry: Registry([MemoryStore.registryEntry])).objects()
    }

    func fetch(_ url: String) async throws -> Data? { nil }
}

@Suite("the objects example plugin", .serialized)
struct PluginObjectsExampleTests {
    static func config() throws -> PlugboardConfig {
        let lib = try PluginBuilds.example(folder: "plugin-memory-objects")
        return try PluginBuilds.config(#"""
            {"plugins": ["\#(lib)"], "storage": {"adapter": "memory"},
             "objects": {"adapter": "example-objects", "public_base_url": "https://files.example.com/bucket/"}}
            """#)
    }

    /// The objects conformance suite, unchanged, through the loaded example: bodies cross the ABI as base64.
    @Test(arguments: ObjectStoreConformance.cases)
    func objectsConformance(_ c: ObjectStoreConformance.Case) async throws {
        try await c.run(PluginObjectsHarness(config: try Self.config()))
    }

    @Test func theObjectsExampleIsHandedOutUnderThePolicyLayer() async throws {
        let objects = try await Adapters(config: try Self.config(), registry: Registry([MemoryStore.registryEntry])).objects()
        let policed = try #require(objects as? PolicyObjects, "handed out under the policy layer")
        #expect(policed.base is PluginObjectStore)
        _ = try await objects.put(key: "a/b.txt", data: Data("héllo".utf8), contentType: "text/plain")
        let check = await (try #require(policed.base as? any HealthChecking)).check()
        #expect(check.ok && check.detail.contains("objects in process memory (1 held, 6 bytes)"), "\(check)")
    }
}
