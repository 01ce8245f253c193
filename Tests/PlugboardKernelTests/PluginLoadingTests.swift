import Foundation
import PlugboardConformance
import PlugboardKernel
import Synchronization
import Testing

/// Builds the example plugin (Examples/plugin-memory-store) and small C
/// libraries outside the package, once per test process.
enum PluginBuilds {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let dir = NSTemporaryDirectory() + "plugboard-plugins-" + UUID().uuidString
    private static let built = Mutex<[String: String]>([:])

    /// Runs a command; throws with its output when it fails.
    static func run(_ argv: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw PlugboardError(.internal, "\(argv.joined(separator: " ")) failed: \(String(decoding: out, as: UTF8.self))")
        }
    }

    /// An example plugin (a folder of Examples/) built by its own build script, with extra swiftc flags.
    static func example(_ flags: [String] = [], folder: String = "plugin-memory-store") throws -> String {
        let key = folder + " " + flags.joined(separator: " ")
        if let p = built.withLock({ $0[key] }) { return p }
        let out = "\(dir)/libexample-\(UUID().uuidString).so"
        try run(["sh", "\(repo)/Examples/\(folder)/build.sh", out] + flags)
        built.withLock { $0[key] = out }
        return out
    }

    /// A C library from `source`.
    static func c(_ name: String, _ source: String) throws -> String {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data(source.utf8).write(to: URL(fileURLWithPath: "\(dir)/\(name).c"))
        let out = "\(dir)/lib\(name).so"
        try run(["cc", "-shared", "-fPIC", "-I", "\(repo)/Sources/CPlugboardPlugin", "\(dir)/\(name).c", "-o", out])
        return out
    }

    /// Loads `adapters.json` text written next to the plugins.
    static func config(_ text: String, registry: Registry = Registry([MemoryStore.registryEntry])) throws -> PlugboardConfig {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = "\(dir)/adapters-\(UUID().uuidString).json"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try ConfigLoader(registry: registry, environment: [:]).load(path: path)
    }
}

/// Opens the plugin's store the way the CLI does: from adapters.json, under the policy layer.
struct PluginHarness: StorageHarness {
    let config: PlugboardConfig
    var isPersistent: Bool { false }
    var supportsConcurrentInstances: Bool { false }

    func open(_ name: String) async throws -> any DocumentStore {
        try await Adapters(config: config, registry: Registry([MemoryStore.registryEntry])).storage()
    }
}

@Suite("plugins loaded at run time", .serialized)
struct PluginLoadingTests {
    static func exampleConfig() throws -> PlugboardConfig {
        let lib = try PluginBuilds.example()
        return try PluginBuilds.config(#"{"plugins": ["\#(lib)"], "storage": {"adapter": "example-memory", "label": "t"}}"#)
    }

    @Test(arguments: StorageConformance.cases)
    func conformance(_ c: StorageConformance.Case) async throws {
        try await c.run(PluginHarness(config: try Self.exampleConfig()))
    }

    @Test func descriptorComesFromThePlugin() throws {
        let config = try Self.exampleConfig()
        #expect(config.ports[.storage]?.adapter == "example-memory")
        let d = try #require(config.pluginAdapters.first?.descriptor)
        #expect(d.port == .storage && d.name == "example-memory")
        #expect(d.fields.map(\.name) == ["label"])
    }

    @Test func unknownFieldOfAPluginAdapterIsRejected() throws {
        let lib = try PluginBuilds.example()
        #expect {
            _ = try PluginBuilds.config(#"{"plugins": ["\#(lib)"], "storage": {"adapter": "example-memory", "colour": "red"}}"#)
        } throws: { e in
            "\(e)".contains("storage.colour: unknown field for the example-memory adapter")
        }
    }

    @Test func mismatchedABIIsAClearError() throws {
        let lib = try PluginBuilds.example(["-D", "PLUGBOARD_ABI_MISMATCH"])
        let error = #expect(throws: PlugboardError.self) {
            _ = try PluginBuilds.config(#"{"plugins": ["\#(lib)"], "storage": {"adapter": "example-memory"}}"#)
        }
        #expect(error?.code == .invalidConfiguration)
        let m = error?.message ?? ""
        #expect(m.contains(lib) && m.contains("ABI version 999") && m.contains("speaks version 1"), "\(m)")
    }

    @Test func mismatchedContractFromACPluginIsAClearError() throws {
        let lib = try PluginBuilds.c("contract2", """
            #include <plugboard_plugin.h>
            static const plugboard_plugin_v1 table = { PLUGBOARD_PLUGIN_ABI_VERSION, 2, "storage", "c-store", "{}", 0, 0, 0, 0 };
            const plugboard_plugin_v1 *plugboard_plugin_entry(void) { return &table; }
            """)
        let error = #expect(throws: PlugboardError.self) { _ = try PluginBuilds.config(#"{"plugins": ["\#(lib)"]}"#) }
        #expect(error?.message.contains("storage contract version 2, this plugboard speaks version 1") == true, "\(String(describing: error))")
    }

    @Test func libraryWithoutTheEntryIsAClearError() throws {
        let lib = try PluginBuilds.c("noentry", "int unrelated(void) { return 1; }\n")
        let error = #expect(throws: PlugboardError.self) { _ = try PluginBuilds.config(#"{"plugins": ["\#(lib)"]}"#) }
        #expect(error?.message.contains("does not export plugboard_plugin_entry") == true, "\(String(describing: error))")
    }

    @Test func missingOrBrokenFilesAreClearErrors() throws {
        let missing = #expect(throws: PlugboardError.self) { _ = try PluginBuilds.config(#"{"plugins": ["nowhere/libx.so"]}"#) }
        #expect(missing?.message.contains("libx.so: no such file") == true, "\(String(describing: missing))")
        try FileManager.default.createDirectory(atPath: PluginBuilds.dir, withIntermediateDirectories: true)
        try Data("not an ELF file".utf8).write(to: URL(fileURLWithPath: PluginBuilds.dir + "/libjunk.so"))
        let junk = #expect(throws: PlugboardError.self) { _ = try PluginBuilds.config(#"{"plugins": ["libjunk.so"]}"#) }
        #expect(junk?.message.contains("libjunk.so: cannot be loaded") == true, "\(String(describing: junk))")
    }

    @Test func aPluginCannotReplaceABuiltInAdapter() throws {
        let lib = try PluginBuilds.c("shadow", """
            #include <plugboard_plugin.h>
            #include <stdlib.h>
            static void *op(const char *s, char **e) { (void)s; (void)e; return 0; }
            static char *call(void *h, const char *o, const char *a) { (void)h; (void)o; (void)a; return 0; }
            static void cl(void *h) { (void)h; }
            static const plugboard_plugin_v1 table = { PLUGBOARD_PLUGIN_ABI_VERSION, PLUGBOARD_STORAGE_CONTRACT_VERSION,
                "storage", "memory", "{}", op, call, cl, free };
            const plugboard_plugin_v1 *plugboard_plugin_entry(void) { return &table; }
            """)
        let error = #expect(throws: PlugboardError.self) { _ = try PluginBuilds.config(#"{"plugins": ["\#(lib)"]}"#) }
        #expect(error?.message.contains("\"memory\", which is already registered") == true, "\(String(describing: error))")
    }

    @Test func incompleteTableIsAClearError() throws {
        let lib = try PluginBuilds.c("incomplete", """
            #include <plugboard_plugin.h>
            static const plugboard_plugin_v1 table = { PLUGBOARD_PLUGIN_ABI_VERSION, PLUGBOARD_STORAGE_CONTRACT_VERSION,
                "storage", "half", "{}", 0, 0, 0, 0 };
            const plugboard_plugin_v1 *plugboard_plugin_entry(void) { return &table; }
            """)
        let error = #expect(throws: PlugboardError.self) { _ = try PluginBuilds.config(#"{"plugins": ["\#(lib)"]}"#) }
        #expect(error?.message.contains("incomplete entry table") == true, "\(String(describing: error))")
    }
}
