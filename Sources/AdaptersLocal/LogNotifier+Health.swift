import Foundation
import PlugboardKernel

/// `plugboard doctor`: the log needs nothing; the JSON-lines file, when set, must be
/// writable (or its folder, before the first notification creates it).
extension LogNotifier: HealthChecking {
    public func check() async -> HealthCheck {
        guard let path else { return .passed("writes to the log only (no file configured)") }
        let files = FileManager.default
        if files.fileExists(atPath: path) {
            return files.isWritableFile(atPath: path)
                ? .passed("file \(path) writable")
                : .failed("file \(path) is not writable", hint: "give this user write access to \(path), or change notify.path")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return files.isWritableFile(atPath: folder)
            ? .passed("file \(path) not created yet; its folder is writable")
            : .failed("neither \(path) nor its folder \(folder) is writable",
                      hint: "create \(folder) with write access for this user, or change notify.path")
    }
}
