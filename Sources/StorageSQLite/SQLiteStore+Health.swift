import Foundation
import PlugboardKernel

/// `plugboard doctor`: the database file and its folder writable (WAL needs both),
/// and the layout version read back, without writing.
extension SQLiteStore: HealthChecking {
    public func check() async -> HealthCheck {
        let path = configuration.path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let files = FileManager.default
        guard files.isWritableFile(atPath: path) else {
            return .failed("the SQLite file \(path) is not writable", hint: "give this user write access to \(path), or change path")
        }
        guard files.isWritableFile(atPath: folder) else {
            return .failed("the folder \(folder) of the SQLite file is not writable (WAL keeps its -wal and -shm files there)",
                           hint: "give this user write access to \(folder), or change path")
        }
        do {
            let version = try await reader.run { try $0.integer("PRAGMA user_version") ?? 0 }
            let layout = version == 0 ? "no collection created yet" : "layout version \(version)"
            return .passed("file \(path) writable; \(layout) (this build reads up to \(Self.schemaVersion))")
        } catch {
            let e = SQLiteStore.plugboardError(error)
            return .failed("reading the layout version of \(path): \(e.message)", hint: "is \(path) an SQLite database?")
        }
    }
}
