import Foundation
import PlugboardKernel
import Testing

/// The vendors' published OpenAPI files in `shared/reference/openapi/`, found by
/// walking up from this file (the repository's parent for the main checkout, the
/// parent's parent for a worktree). Missing files fail the tests, never skip them.
enum OpenAPIReference {
    static let folder: URL? = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            dir = dir.deletingLastPathComponent()
            let candidate = dir.appendingPathComponent("shared/reference/openapi")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return nil
    }()

    struct Missing: Error, CustomStringConvertible {
        let what: String
        var description: String { "reference missing: \(what)" }
    }

    static func file(_ name: String) throws -> URL {
        guard let folder else { throw Missing(what: "shared/reference/openapi above \(#filePath)") }
        let url = folder.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(what: url.path) }
        return url
    }

    /// OpenAI's `openai-chat-completions.trimmed.json`.
    static func openAI() throws -> JSON {
        try JSONParser.parse([UInt8](Data(contentsOf: file("openai-chat-completions.trimmed.json"))))
    }

    /// Mistral's `mistral-chat-completions.trimmed.yaml`, converted with python3 and PyYAML
    /// (no YAML parser in the toolchain, and none is worth a dependency).
    static func mistral() throws -> JSON {
        let path = try file("mistral-chat-completions.trimmed.yaml").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout, default=str)", path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Missing(what: "python3 with PyYAML to read \(path)") }
        return try JSONParser.parse([UInt8](data))
    }

    /// A validator for one component schema of an OpenAPI document: the document's
    /// `components` travel with it, so its `#/components/schemas/...` references resolve.
    static func validator(_ document: JSON, schema name: String) throws -> JSONSchemaValidator {
        let root: JSON = ["$ref": .string("#/components/schemas/\(name)"), "components": document["components"] ?? [:]]
        return try JSONSchemaValidator(schema: root)
    }

    /// The property names a component schema declares, through `allOf` and `$ref`s.
    static func declaredProperties(_ document: JSON, schema name: String) -> Set<String> {
        func collect(_ s: JSON?) -> Set<String> {
            guard let s else { return [] }
            if let ref = s["$ref"]?.stringValue, ref.hasPrefix("#/components/schemas/") {
                return collect(document["components"]?["schemas"]?[String(ref.dropFirst("#/components/schemas/".count))])
            }
            var names = Set(s["properties"]?.objectValue?.keys.map { $0 } ?? [])
            for part in s["allOf"]?.arrayValue ?? [] { names.formUnion(collect(part)) }
            return names
        }
        return collect(document["components"]?["schemas"]?[name])
    }
}
