#if canImport(Glibc)
import Glibc
#endif

/// Names the calling OS thread (15 bytes at most), so `top -H` and `/proc` tell a
/// store's or the server's threads apart. Foundation's `Thread.name` stays inside
/// Foundation on Linux, and `pthread_setname_np` is not exported to Swift.
public enum ThreadName {
    public static func set(_ name: String) {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #endif
    }
}
