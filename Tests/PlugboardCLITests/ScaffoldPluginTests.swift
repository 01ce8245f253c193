import Foundation
import Testing

/// The `scaffold-adapter` command plugin, run as an integrator would, in a
/// throwaway copy of the package. Slow (a clean build of the copy), so it runs
/// when `PLUGBOARD_SLOW_TESTS=1` (Scripts/test.sh sets it) and then fails,
/// never skips, when it cannot run.
@Suite("scaffold-adapter plugin", .enabled(if: ProcessInfo.processInfo.environment["PLUGBOARD_SLOW_TESTS"] == "1",
                                           "slow: set PLUGBOARD_SLOW_TESTS=1 (Scripts/test.sh does)"))
struct ScaffoldPluginTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Runs a command in `dir`; returns its status and combined output.
    func run(_ argv: [String], in dir: String) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self))
    }

    @Test func scaffoldsACRMAdapterThatBuildsAndIsRegistered() throws {
        let copy = NSTemporaryDirectory() + "plugboard-scaffold-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let tar = try run(["sh", "-c", "tar --exclude=./.build -C '\(Self.repo)' -cf - . | tar -xf - -C '\(copy)'"], in: copy)
        try #require(tar.status == 0, "copying the package: \(tar.output)")

        let scaffold = ["swift", "package", "--allow-writing-to-package-directory", "scaffold-adapter"]
        let made = try run(scaffold + ["--port", "crm", "--name", "acme"], in: copy)
        try #require(made.status == 0, "\(made.output)")
        #expect(made.output.contains("Created the crm adapter \"acme\""), "\(made.output)")
        #expect(!made.output.contains("warning:"), "the plugin compiles without warnings: \(made.output)")
        let source = try String(contentsOfFile: "\(copy)/Sources/CRMAcme/AcmeCRM.swift", encoding: .utf8)
        #expect(source.contains("public final class AcmeCRM: CRM") && source.contains(#"port: .crm, name: "acme""#))
        let test = try String(contentsOfFile: "\(copy)/Tests/CRMAcmeTests/AcmeCRMConformanceTests.swift", encoding: .utf8)
        #expect(test.contains("@Test(arguments: CRMConformance.cases)"))
        let package = try String(contentsOfFile: "\(copy)/Package.swift", encoding: .utf8)
        #expect(package.contains(#".target(name: "CRMAcme", dependencies: ["PlugboardKernel"], swiftSettings: strict)"#))
        #expect(package.contains(#".testTarget(name: "CRMAcmeTests", dependencies: ["CRMAcme", "PlugboardConformance"]"#))
        let builtin = try String(contentsOfFile: "\(copy)/Sources/PlugboardCLI/BuiltinAdapters.swift", encoding: .utf8)
        #expect(builtin.contains("import CRMAcme") && builtin.contains("AcmeCRM.registryEntry,"))

        // Refusals, with nothing written.
        let again = try run(scaffold + ["--port", "crm", "--name", "acme"], in: copy)
        #expect(again.status != 0 && again.output.contains("already exists"), "\(again.output)")
        let builtinName = try run(scaffold + ["--port", "storage", "--name", "memory"], in: copy)
        #expect(builtinName.status != 0 && builtinName.output.contains("a storage adapter named \"memory\" already exists"), "\(builtinName.output)")
        let unknownPort = try run(scaffold + ["--port", "fax", "--name", "x"], in: copy)
        #expect(unknownPort.status != 0 && unknownPort.output.contains("unknown port \"fax\""), "\(unknownPort.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(copy)/Sources/StorageMemory"))

        // The new module, its conformance tests and the CLI that registers it compile, without warnings.
        let build = try run(["swift", "build", "--target", "CRMAcmeTests"], in: copy)
        #expect(build.status == 0, "\(build.output.suffix(3000))")
        let cli = try run(["swift", "build", "--target", "PlugboardCLI"], in: copy)
        #expect(cli.status == 0, "\(cli.output.suffix(3000))")
        for line in (build.output + cli.output).split(separator: "\n") where line.contains("warning:") && line.contains("Acme") {
            Issue.record("warning in the scaffolded code: \(line)")
        }
    }
}
