#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `<path>.lock`, held from open to close, so a second
/// process (or a second store in this one) gets a clear error instead of two
/// writers interleaving journals and rewrites. The kernel drops the lock when
/// the descriptor closes, including when the process dies, so a crash never
/// leaves a stale lock behind. The lock file itself is never deleted: deleting
/// it would let two processes lock two different files of the same name.
struct FileLock: Sendable {
    let fd: Int32

    /// Takes the lock or throws `.unavailable` naming the holder's pid.
    static func acquire(_ lockPath: String, guarding path: String) throws -> FileLock {
        let fd = try FileSystem.openFile(lockPath, O_RDWR | O_CREAT)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            defer { close(fd) }
            if code == EWOULDBLOCK { throw JSONFileStore.inUse(path, pid: holderPID(fd)) }
            throw JSONFileStore.fileError("flock", lockPath, errno: code)
        }
        // The pid is only for the message another process shows; no fsync needed.
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 {
            _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        return FileLock(fd: fd)
    }

    private static func holderPID(_ fd: Int32) -> String? {
        var buf = [UInt8](repeating: 0, count: 32)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buf[0..<n], as: UTF8.self).filter(\.isNumber)
        return text.isEmpty ? nil : text
    }

    func release() { close(fd) }
}
