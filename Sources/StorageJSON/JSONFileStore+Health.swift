import Foundation
import PlugboardKernel

/// `plugboard doctor`: the main file, its folder and the journal folder writable
/// (a compaction writes a temporary file next to the main one, then renames it).
extension JSONFileStore: HealthChecking {
    public func check() async -> HealthCheck {
        let files = FileManager.default
        let places = [(layout.main, "the store file"), (layout.directory, "the folder of the store file"),
                      (layout.sidecar, "the journal folder")]
        for (place, what) in places where files.fileExists(atPath: place) && !files.isWritableFile(atPath: place) {
            return .failed("\(what) \(place) is not writable", hint: "give this user write access to \(place), or change path")
        }
        guard files.isWritableFile(atPath: layout.directory) else {
            return .failed("the folder \(layout.directory) is not writable", hint: "give this user write access to it, or change path")
        }
        return .passed("file \(layout.main), its folder and journal writable")
    }
}
