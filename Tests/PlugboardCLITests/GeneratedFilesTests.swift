import Foundation
@testable import PlugboardCLI
import PlugboardKernel
import Testing

/// The committed adapters.json, adapters.schema.json and docs/CONFIG.md are
/// what the registry generates: regenerate with `Scripts/generate.sh` when an adapter changes.
@Suite("generated files match the registry")
struct GeneratedFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func committed(_ name: String) throws -> String {
        try String(contentsOf: GeneratedFilesTests.root.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func schema() throws {
        #expect(try committed("adapters.schema.json") == DefaultConfig.schemaText(BuiltinAdapters.registry),
                "adapters.schema.json is stale: run Scripts/generate.sh")
    }

    @Test func defaultConfig() throws {
        #expect(try committed("adapters.json") == DefaultConfig.text(BuiltinAdapters.registry),
                "adapters.json differs from the embedded defaults: run Scripts/generate.sh")
    }

    @Test func configDocs() throws {
        #expect(try committed("docs/CONFIG.md") == ConfigDocs.markdown(BuiltinAdapters.registry),
                "docs/CONFIG.md is stale: run Scripts/generate.sh")
    }

    @Test func defaultConfigLoads() throws {
        let path = GeneratedFilesTests.root.appendingPathComponent("adapters.json").path
        let c = try ConfigLoader(registry: BuiltinAdapters.registry, environment: [:]).load(path: path)
        #expect(c.settings(.storage) != nil)
    }
}
