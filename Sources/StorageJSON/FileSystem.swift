#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PlugboardKernel

/// The POSIX calls the `json` adapter makes, each checked, retried on EINTR,
/// and failing with a `PlugboardError` that names the path (mapped in
/// `JSONFileStore+Errors.swift`). All of them block: callers run them on the
/// store's writer queue or while opening, never on Swift's cooperative threads.
enum FileSystem {
    static func openFile(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws -> Int32 {
        while true {
            let fd = open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno == EINTR { continue }
            throw JSONFileStore.fileError("open", path, errno: errno)
        }
    }

    /// The whole file, or nil when it does not exist.
    static func readIfExists(_ path: String) throws -> [UInt8]? {
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw JSONFileStore.fileError("open", path, errno: errno)
        }
        defer { _ = close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw JSONFileStore.fileError("stat", path, errno: errno) }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw JSONFileStore.fileError("read", path, errno: EISDIR) }
        var out: [UInt8] = []
        out.reserveCapacity(Int(st.st_size) + 1)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { out.append(contentsOf: chunk[0..<n]); continue }
            if n == 0 { return out }
            if errno == EINTR { continue }
            throw JSONFileStore.fileError("read", path, errno: errno)
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { buf in
            var done = 0
            while done < buf.count {
                let n = write(fd, buf.baseAddress! + done, buf.count - done)
                if n >= 0 { done += n; continue }
                if errno == EINTR { continue }
                throw JSONFileStore.fileError("write", path, errno: errno)
            }
        }
    }

    /// Data and metadata (size, mode) of a file.
    static func sync(_ fd: Int32, path: String) throws {
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            throw JSONFileStore.fileError("fsync", path, errno: errno)
        }
    }

    /// Data and the metadata needed to read it back (the size): enough for an
    /// append-only journal, and cheaper than `fsync`.
    static func syncData(_ fd: Int32, path: String) throws {
        #if canImport(Glibc)
        while fdatasync(fd) != 0 {
            if errno == EINTR { continue }
            throw JSONFileStore.fileError("fdatasync", path, errno: errno)
        }
        #else
        try sync(fd, path: path)
        #endif
    }

    /// Makes the directory's entries (a rename, a new file) durable.
    static func syncDirectory(_ path: String) throws {
        let fd = try openFile(path, O_RDONLY | O_DIRECTORY)
        defer { _ = close(fd) }
        try sync(fd, path: path)
    }

    static func truncate(_ fd: Int32, to length: Int, path: String) throws {
        while ftruncate(fd, off_t(length)) != 0 {
            if errno == EINTR { continue }
            throw JSONFileStore.fileError("truncate", path, errno: errno)
        }
    }

    static func move(_ from: String, _ to: String) throws {
        guard rename(from, to) == 0 else { throw JSONFileStore.fileError("rename to \(to)", from, errno: errno) }
    }

    static func removeIfExists(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw JSONFileStore.fileError("unlink", path, errno: errno) }
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// The permission bits of an existing file, so a rewrite keeps them.
    static func permissions(_ path: String) -> mode_t? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return st.st_mode & 0o7777
    }

    /// `mkdir -p`, making each new directory's entry durable in its parent.
    static func createDirectories(_ path: String) throws {
        var st = stat()
        if stat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw JSONFileStore.fileError("mkdir", path, errno: ENOTDIR) }
            return
        }
        let parent = directoryName(path)
        if parent != path { try createDirectories(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw JSONFileStore.fileError("mkdir", path, errno: errno) }
        try syncDirectory(parent)
    }

    /// Replaces `path` with `bytes` atomically and durably: a temp file in the
    /// same directory, fsync, rename over `path`, fsync of the directory.
    /// A crash at any point leaves either the old or the new file, whole.
    static func replaceAtomically(_ path: String, temp: String, with bytes: [UInt8]) throws {
        let mode = permissions(path) ?? 0o644
        let fd = try openFile(temp, O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
        do {
            try writeAll(fd, bytes, path: temp)
            // open's mode is filtered by the umask; an existing file's bits are kept exactly.
            _ = fchmod(fd, mode)
            try sync(fd, path: temp)
            _ = close(fd)
        } catch {
            _ = close(fd)
            try? removeIfExists(temp)
            throw error
        }
        do {
            try move(temp, path)
        } catch {
            try? removeIfExists(temp)
            throw error
        }
        try syncDirectory(directoryName(path))
    }

    static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// The path with symbolic links resolved when it names an existing link,
    /// so a rewrite replaces the target rather than the link.
    static func resolvingLink(_ path: String) -> String {
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK, let r = realpath(path, nil) else { return path }
        defer { free(r) }
        return String(cString: r)
    }
}
