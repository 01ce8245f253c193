import Foundation
import PlugboardKernel

#if canImport(Glibc)
import Glibc
#endif

/// The one place errno values become `PlugboardError`s for this adapter.
extension FilesystemObjectStore {
    func failure(_ code: Int32, _ action: String, _ key: String?) -> PlugboardError {
        let cause = "errno \(code) (\(String(cString: strerror(code))))"
        let what = key.map { "cannot \(action) object \(ObjectKey.quoted($0)) under \(root)" } ?? "cannot \(action) \(root)"
        let kind: PlugboardError.Code
        switch code {
        case ENOENT: kind = .notFound
        case EACCES, EPERM, EROFS, ELOOP: kind = .permissionDenied
        case EEXIST, ENOTDIR, EISDIR, ENOTEMPTY: kind = .conflict
        case ENAMETOOLONG: kind = .invalidInput
        case ENOSPC, EDQUOT, EIO, EAGAIN, EBUSY, EMFILE, ENFILE, ENOMEM, EINTR: kind = .unavailable
        default: kind = .internal
        }
        return PlugboardError(kind, "\(what): \(String(cString: strerror(code)))", adapter: Self.adapter, cause: cause)
    }

    func notFound(_ key: String) -> PlugboardError {
        .notFound("no object \(ObjectKey.quoted(key)) under \(root)", adapter: Self.adapter)
    }

    func symlinkError(_ key: String) -> PlugboardError {
        PlugboardError(.permissionDenied, "object key \(ObjectKey.quoted(key)) crosses a symbolic link under \(root); links are never followed",
                       adapter: Self.adapter)
    }
}
