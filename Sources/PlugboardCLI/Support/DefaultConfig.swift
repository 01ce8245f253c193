import Foundation
import PlugboardKernel

/// The embedded default `adapters.json`: everything local, no account needed.
enum DefaultConfig {
    static func json(_ registry: Registry) -> JSON {
        var o: [String: JSON] = ["$schema": "./adapters.schema.json"]
        let explicit: [Port: JSON] = [
            .storage: ["adapter": "sqlite", "path": "data/plugboard.sqlite"],
            .objects: ["adapter": "filesystem", "root": "data/objects"],
        ]
        for port in Port.allCases where registry.entry(port: port, name: port.embeddedDefault) != nil {
            o[port.rawValue] = explicit[port] ?? ["adapter": .string(port.embeddedDefault)]
        }
        if o["storage"] == nil { o["storage"] = ["adapter": "memory"] }
        o["workflow"] = ["threading_window_days": 14]
        return .object(o)
    }

    static func text(_ registry: Registry) -> String { json(registry).serialized(pretty: true) + "\n" }
    static func schemaText(_ registry: Registry) -> String { ConfigSchema.generate(registry).serialized(pretty: true) + "\n" }
}

/// Writes a file atomically: a temporary file beside it, then rename.
func writeAtomically(_ text: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent()
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
    do {
        try Data(text.utf8).write(to: tmp)
        // rename(2) replaces the target atomically: readers see the old file or the new one, never half.
        guard rename(tmp.path, url.path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    } catch {
        try? FileManager.default.removeItem(at: tmp)
        throw PlugboardError(.unavailable, "cannot write \(path): \(error.localizedDescription)", retryable: false)
    }
}
