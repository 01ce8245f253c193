#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PlugboardKernel

/// The one place where the `json` adapter's native failures (errno values,
/// JSON syntax errors, a held lock) become `PlugboardError`s.
extension JSONFileStore {
    static let adapterName = "json"

    /// A failed system call on `path`, mapped by errno.
    static func fileError(_ operation: String, _ path: String, errno code: Int32) -> PlugboardError {
        let reason = String(cString: strerror(code))
        let message = "\(path): \(operation) failed: \(reason)"
        let cause = "errno \(code)"
        switch code {
        case EACCES, EPERM, EROFS:
            return PlugboardError(.permissionDenied, message, adapter: adapterName, cause: cause)
        case ENOENT, ENOTDIR, EISDIR, ENAMETOOLONG, ELOOP, EXDEV:
            return PlugboardError(.invalidConfiguration, message, adapter: adapterName, cause: cause)
        case ENOSPC, EDQUOT, EIO, EMFILE, ENFILE, ENOMEM, EAGAIN, EINTR:
            // Full disk or an I/O error: the store stops accepting writes (see
            // `JSONFileStore.failure`); reopening after the cause is fixed recovers.
            return PlugboardError(.unavailable, message, adapter: adapterName, cause: cause, retryable: false)
        default:
            return PlugboardError(.internal, message, adapter: adapterName, cause: cause)
        }
    }

    /// A syntax error in one of the store's files, with its line and column.
    static func syntaxError(_ e: JSONSyntaxError, file: String) -> PlugboardError {
        PlugboardError(.invalidInput, "\(file):\(e.line):\(e.column): invalid JSON: \(e.message)",
                       adapter: adapterName, cause: "JSONSyntaxError")
    }

    /// A file that parses but does not have the expected shape.
    static func shapeError(_ file: String, _ what: String) -> PlugboardError {
        PlugboardError(.invalidInput, "\(file): \(what)", adapter: adapterName)
    }

    /// Another process (or another instance in this one) holds the lock.
    static func inUse(_ path: String, pid: String?) -> PlugboardError {
        // The same process opening the file twice is a bug worth naming as such.
        let own = pid == String(getpid()) ? ", this process" : ""
        return PlugboardError(.unavailable, "\(path) is in use by another plugboard process (pid \(pid ?? "unknown")\(own))",
                              adapter: adapterName, cause: "flock EWOULDBLOCK", retryable: false)
    }

    static func closedError(_ path: String) -> PlugboardError {
        PlugboardError(.unavailable, "\(path): the store is closed", adapter: adapterName, retryable: false)
    }

    /// Writes after an I/O failure are refused: what reached the disk is unknown
    /// (a failed fsync may have dropped pages), so only a reopen, which replays
    /// the journal, gives a state that matches the files again.
    static func failedError(_ path: String, _ first: PlugboardError) -> PlugboardError {
        PlugboardError(.unavailable, "\(path): writes are disabled after an earlier I/O failure (\(first.message)); close and reopen the store",
                       adapter: adapterName, cause: first.cause, retryable: false)
    }
}
