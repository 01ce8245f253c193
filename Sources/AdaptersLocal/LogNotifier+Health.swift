import Foundation
import PlugboardKernel

/// `plugboard doctor`: the log needs nothing; the JSON-lines file, when set, must be
/// writable (or, before the first notification creates it and its folders, the nearest existing folder).
extension LogNotifier: HealthChecking {
    public func check() async -> HealthCheck {
        guard let path else { return .passed("writes to the log only (no file configured)") }
        let files = FileManager.default
        if files.fileExists(atPath: path) {
            return files.isWritableFile(atPath: path)
                ? .passed("file \(path) writable")
                : .failed("file \(path) is not writable", hint: "give this user write access to \(path), or change notify.path")
        }
        var folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        while !files.fileExists(atPath: folder.path), folder.path != "/" { folder = folder.deletingLastPathComponent() }
        return files.isWritableFile(atPath: folder.path)
            ? .passed("file \(path) not created yet; \(folder.path) is writable, so the first notification creates it")
            : .failed("\(path) does not exist and \(folder.path) is not writable",
                      hint: "create the file's folder with write access for this user, or change notify.path")
    }
}
