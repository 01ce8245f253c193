import Foundation
import PlugboardKernel

/// `plugboard doctor`: the root folder writable, or, before the first put creates
/// it, its nearest existing parent. Nothing is written.
extension FilesystemObjectStore: HealthChecking {
    public func check() async -> HealthCheck {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: root, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                return .failed("root \(root) is a file, not a folder", hint: "set objects.root to a folder")
            }
            guard files.isWritableFile(atPath: root) else {
                return .failed("root \(root) is not writable", hint: "give this user write access to \(root), or change objects.root")
            }
            return .passed("folder \(root) writable")
        }
        var parent = URL(fileURLWithPath: root).deletingLastPathComponent()
        while !files.fileExists(atPath: parent.path, isDirectory: &isDirectory), parent.path != "/" {
            parent = parent.deletingLastPathComponent()
        }
        guard isDirectory.boolValue, files.isWritableFile(atPath: parent.path) else {
            return .failed("root \(root) does not exist and \(parent.path) is not a writable folder",
                           hint: "create \(root) with write access for this user, or change objects.root")
        }
        return .passed("folder \(root) not created yet; \(parent.path) is writable, so the first put creates it")
    }
}
