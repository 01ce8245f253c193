import Foundation
import PlugboardKernel

#if canImport(Glibc)
import Glibc
#endif

/// An open file descriptor, closed when the value goes away. Used on one
/// thread at a time inside one blocking operation, never shared.
final class Descriptor {
    let fd: Int32
    init(_ fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}

/// Which file this is: metadata written for one file must not describe another
/// that later took its place (inode numbers are reused at once on delete).
struct FileIdentity: Equatable {
    var size: Int
    var inode: UInt64
    var modified: String

    init(_ st: stat) {
        size = Int(st.st_size)
        inode = UInt64(st.st_ino)
        modified = "\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
    }

    init?(_ meta: JSON) {
        guard let size = meta["size"]?.intValue, let inode = meta["inode"]?.stringValue.flatMap({ UInt64($0) }),
              let modified = meta["modified"]?.stringValue else { return nil }
        self.size = size; self.inode = inode; self.modified = modified
    }

    var json: [String: JSON] { ["size": JSON(size), "inode": .string(String(inode)), "modified": .string(modified)] }
}

/// What a folder entry is, looked at without following a symbolic link.
enum Entry {
    case missing
    case file(FileIdentity)
    case folder
    case symlink
    /// A FIFO, socket or device: never an object.
    case other
}

// MARK: - The blocking operations (run on the store's queue)

extension FilesystemObjectStore {
    func putSync(_ key: String, _ segments: [String], _ data: Data, _ contentType: String?) throws -> ObjectInfo {
        guard let dir = try openParent(key, segments, create: true) else {
            throw PlugboardError.internal("folder of \(ObjectKey.quoted(key)) vanished while it was created", adapter: Self.adapter)
        }
        let name = segments[segments.count - 1]
        switch try entry(dir, name, key) {
        case .symlink: throw symlinkError(key)
        case .folder: throw PlugboardError.conflict("\(ObjectKey.quoted(key)) is a folder of other objects, so it cannot be an object", adapter: Self.adapter)
        case .other: throw PlugboardError.conflict("\(ObjectKey.quoted(key)) is a special file, not an object", adapter: Self.adapter)
        case .missing, .file: break
        }
        let etag = Digest.sha256Hex(data)
        let tmp = Self.temporaryName()
        let identity = try writeNew(dir, tmp, data, key)
        var meta = identity.json
        meta["sha256"] = .string(etag)
        if let contentType { meta["content_type"] = .string(contentType) }
        let metaDir: Descriptor
        let metaTmp = Self.temporaryName()
        do {
            metaDir = try openFolder(dir, Self.metaFolder, key, create: true)
            try writeNew(metaDir, metaTmp, Data(JSON.object(meta).serializedBytes()), key)
        } catch {
            unlinkat(dir.fd, tmp, 0)
            throw error
        }
        let lock = stripe(key)
        lock.lock()
        defer { lock.unlock() }
        if renameat(dir.fd, tmp, dir.fd, name) != 0 {
            let e = errno
            unlinkat(dir.fd, tmp, 0)
            unlinkat(metaDir.fd, metaTmp, 0)
            throw failure(e, "write", key)
        }
        if renameat(metaDir.fd, metaTmp, metaDir.fd, name) != 0 {
            // The object is written; only its content type and etag are lost (head reports none).
            unlinkat(metaDir.fd, metaTmp, 0)
        }
        // Make the renames durable.
        fsync(dir.fd)
        fsync(metaDir.fd)
        return ObjectInfo(key: key, size: data.count, contentType: contentType, etag: etag)
    }

    func getSync(_ key: String, _ segments: [String]) throws -> Data {
        guard let dir = try openParent(key, segments, create: false) else { throw notFound(key) }
        // O_NONBLOCK: opening a FIFO someone left in the folder must not hang.
        let fd = openat(dir.fd, segments[segments.count - 1], O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ELOOP { throw symlinkError(key) }
            if e == ENOENT || e == ENXIO { throw notFound(key) }
            throw failure(e, "read", key)
        }
        let file = Descriptor(fd)
        var st = stat()
        if fstat(file.fd, &st) != 0 { throw failure(errno, "read", key) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw notFound(key) }
        return try readAll(file, expected: Int(st.st_size), key)
    }

    func headSync(_ key: String, _ segments: [String]) throws -> ObjectInfo? {
        guard let dir = try openParent(key, segments, create: false) else { return nil }
        let name = segments[segments.count - 1]
        let lock = stripe(key)
        lock.lock()
        defer { lock.unlock() }
        switch try entry(dir, name, key) {
        case .missing, .folder, .other:
            return nil
        case .symlink:
            throw symlinkError(key)
        case .file(let identity):
            var contentType: String?
            var etag: String?
            // Metadata counts only when it was written for this very file.
            if let meta = readMeta(dir, name), FileIdentity(meta) == identity {
                contentType = meta["content_type"]?.stringValue
                etag = meta["sha256"]?.stringValue
            }
            let size = identity.size
            return ObjectInfo(key: key, size: size, contentType: contentType, etag: etag)
        }
    }

    func deleteSync(_ key: String, _ segments: [String]) throws {
        guard let dir = try openParent(key, segments, create: false) else { return }
        let name = segments[segments.count - 1]
        let lock = stripe(key)
        lock.lock()
        defer { lock.unlock() }
        switch try entry(dir, name, key) {
        case .folder, .other:
            return
        case .symlink:
            throw symlinkError(key)
        case .missing, .file:
            if unlinkat(dir.fd, name, 0) != 0, errno != ENOENT { throw failure(errno, "delete", key) }
            if let meta = try? openFolder(dir, Self.metaFolder, key, create: false) {
                unlinkat(meta.fd, name, 0)
            }
        }
    }

    // MARK: - Walking folders without following links

    /// The root folder; nil when it does not exist and `create` is false.
    /// The root itself may be a symbolic link: the configuration chose it.
    func openRoot(create: Bool) throws -> Descriptor? {
        var fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0, errno == ENOENT {
            guard create else { return nil }
            do {
                try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            } catch {
                throw PlugboardError(.unavailable, "cannot create the objects folder \(root): \(error.localizedDescription)",
                                     adapter: Self.adapter, retryable: false)
            }
            fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        if fd < 0 { throw failure(errno, "open the objects folder", nil) }
        return Descriptor(fd)
    }

    /// The folder holding the key's last segment, reached one segment at a time
    /// with `O_NOFOLLOW`; nil when part of the way is missing and `create` is false.
    func openParent(_ key: String, _ segments: [String], create: Bool) throws -> Descriptor? {
        guard var dir = try openRoot(create: create) else { return nil }
        for seg in segments.dropLast() {
            do {
                dir = try openFolder(dir, seg, key, create: create)
            } catch let e as PlugboardError where e.code == .notFound && !create {
                return nil
            }
        }
        return dir
    }

    /// The sub-folder `name` of `dir`, made when missing and `create` is set.
    func openFolder(_ dir: Descriptor, _ name: String, _ key: String, create: Bool) throws -> Descriptor {
        let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        var fd = openat(dir.fd, name, flags)
        if fd < 0, errno == ENOENT, create {
            if mkdirat(dir.fd, name, 0o755) != 0, errno != EEXIST { throw failure(errno, "create a folder", key) }
            fd = openat(dir.fd, name, flags)
        }
        if fd >= 0 { return Descriptor(fd) }
        let e = errno
        if e == ELOOP || e == ENOTDIR {
            switch try entry(dir, name, key) {
            case .symlink:
                throw symlinkError(key)
            case .missing:
                throw notFound(key)
            default:
                if create {
                    throw PlugboardError.conflict("\(ObjectKey.quoted(key)): \(name) on its path is an object, not a folder",
                                                  adapter: Self.adapter)
                }
                throw notFound(key)
            }
        }
        if e == ENOENT { throw notFound(key) }
        throw failure(e, "open a folder", key)
    }

    func entry(_ dir: Descriptor, _ name: String, _ key: String) throws -> Entry {
        var st = stat()
        if fstatat(dir.fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 {
            if errno == ENOENT { return .missing }
            throw failure(errno, "look at", key)
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file(FileIdentity(st))
        case S_IFDIR: return .folder
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    // MARK: - Reading and writing whole files

    /// Creates `name` (which must not exist), writes `data`, fsyncs; returns the new file's identity.
    @discardableResult
    func writeNew(_ dir: Descriptor, _ name: String, _ data: Data, _ key: String) throws -> FileIdentity {
        let fd = openat(dir.fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        if fd < 0 { throw failure(errno, "write", key) }
        let file = Descriptor(fd)
        do {
            try data.withUnsafeBytes { (buf: UnsafeRawBufferPointer) in
                var offset = 0
                while offset < buf.count {
                    let n = write(file.fd, buf.baseAddress! + offset, buf.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw failure(errno, "write", key)
                    }
                    offset += n
                }
            }
            if fsync(file.fd) != 0 { throw failure(errno, "write", key) }
            var st = stat()
            if fstat(file.fd, &st) != 0 { throw failure(errno, "write", key) }
            return FileIdentity(st)
        } catch {
            unlinkat(dir.fd, name, 0)
            throw error
        }
    }

    func readAll(_ file: Descriptor, expected: Int, _ key: String) throws -> Data {
        var data = Data(count: max(expected, 0))
        var filled = 0
        while true {
            // The file may have grown since fstat (someone writing in place): keep reading to the end.
            if filled == data.count { data.count += 65_536 }
            let n = data.withUnsafeMutableBytes { buf in read(file.fd, buf.baseAddress! + filled, buf.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(errno, "read", key)
            }
            if n == 0 { break }
            filled += n
        }
        data.count = filled
        return data
    }

    /// The metadata beside an object, nil when missing or unreadable (it is advisory).
    func readMeta(_ dir: Descriptor, _ name: String) -> JSON? {
        let metaFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        let mfd = openat(dir.fd, Self.metaFolder, metaFlags)
        guard mfd >= 0 else { return nil }
        let metaDir = Descriptor(mfd)
        let fd = openat(metaDir.fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        let file = Descriptor(fd)
        guard let bytes = try? readAll(file, expected: 256, name), bytes.count < 65_536 else { return nil }
        return try? JSONParser.parse([UInt8](bytes))
    }

    static func temporaryName() -> String {
        reservedPrefix + "tmp-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }
}
