import Foundation
import PackagePlugin

/// `swift package --allow-writing-to-package-directory scaffold-adapter --port storage --name redis`
///
/// Creates `Sources/<Module>/` (descriptor, config fields, port methods that
/// throw `.unsupported` until written), `Tests/<Module>Tests/` running the
/// port's conformance suite (failing honestly until then), adds both targets to
/// Package.swift and registers the adapter in BuiltinAdapters.swift.
@main
struct ScaffoldAdapter: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        var args = ArgumentExtractor(arguments)
        guard let portName = args.extractOption(named: "port").last, let name = args.extractOption(named: "name").last else {
            throw ScaffoldError("usage: swift package --allow-writing-to-package-directory scaffold-adapter --port PORT --name NAME\n"
                + "  PORT: " + AdapterTemplate.ports.joined(separator: ", ") + "; NAME: lower case, like redis or acme-crm")
        }
        let root = context.package.directoryURL
        let t = try AdapterTemplate(port: portName, name: name)
        let fm = FileManager.default
        let sources = root.appending(path: "Sources/\(t.module)")
        let tests = root.appending(path: "Tests/\(t.module)Tests")
        if fm.fileExists(atPath: sources.path) || fm.fileExists(atPath: tests.path) {
            throw ScaffoldError("Sources/\(t.module) or Tests/\(t.module)Tests already exists; choose another name")
        }
        let declared = try AdapterTemplate.declaredAdapters(under: root.appending(path: "Sources"))
        if declared.contains("\(t.port).\(name)") {
            throw ScaffoldError("a \(t.port) adapter named \"\(name)\" already exists; choose another name")
        }

        // Package.swift and the registration first: if either cannot be edited, nothing was written.
        let packageURL = root.appending(path: "Package.swift")
        let package = try t.addingTargets(to: String(contentsOf: packageURL, encoding: .utf8))
        let builtinURL = root.appending(path: "Sources/PlugboardCLI/BuiltinAdapters.swift")
        let builtin = try t.registering(in: String(contentsOf: builtinURL, encoding: .utf8))

        try fm.createDirectory(at: sources, withIntermediateDirectories: true)
        try fm.createDirectory(at: tests, withIntermediateDirectories: true)
        try t.adapterSource.write(to: sources.appending(path: "\(t.typeName).swift"), atomically: true, encoding: .utf8)
        try t.testSource.write(to: tests.appending(path: "\(t.typeName)ConformanceTests.swift"), atomically: true, encoding: .utf8)
        try package.write(to: packageURL, atomically: true, encoding: .utf8)
        try builtin.write(to: builtinURL, atomically: true, encoding: .utf8)

        print("""
            Created the \(t.port) adapter "\(name)":
              Sources/\(t.module)/\(t.typeName).swift                  descriptor, config fields, port methods to implement
              Tests/\(t.module)Tests/\(t.typeName)ConformanceTests.swift   the \(t.port) conformance suite (fails until implemented)
              Package.swift                                         targets \(t.module) and \(t.module)Tests
              Sources/PlugboardCLI/BuiltinAdapters.swift            \(t.typeName).registryEntry registered
            Next:
              swift test --filter \(t.module)Tests     # red now; green when the adapter is done
              Scripts/generate.sh                     # regenerate adapters.schema.json and docs/CONFIG.md
            See docs/ADAPTERS.md.
            """)
    }
}

struct ScaffoldError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
