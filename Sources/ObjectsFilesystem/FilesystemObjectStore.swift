import Foundation
import PlugboardKernel

#if canImport(Glibc)
import Glibc
#endif

/// The `filesystem` object store: each object is a file under `root`, at its key.
///
/// - Keys follow `ObjectKey`; besides, segments starting with `.plugboard-` are
///   reserved (temporary files and metadata) and refused with `.invalidInput`.
/// - Paths are walked one folder at a time with `openat(O_NOFOLLOW)`, so a key
///   never leaves `root`: a symbolic link inside `root` is never followed, for
///   reads or writes (`.permissionDenied` naming the key).
/// - Writes are atomic: a temporary file in the object's folder, `fsync`,
///   `rename`, `fsync` of the folder. Readers see the old or the new file.
/// - The content type and SHA-256 (the etag) of an object are kept beside it in
///   `<folder>/.plugboard-meta/<name>`, tied to the file's inode, size and
///   modification time: a file put there by hand has no content type or etag,
///   never a stale one.
/// - A key cannot be both an object and a folder of objects (`a` and `a/b`):
///   the second put is a `.conflict`. Empty folders stay after deletes.
/// - `url(for:)` is `public_base_url` + `/` + the percent-encoded key when
///   `public_base_url` is set, else nil. The capability `public_urls` is
///   declared statically and holds only when `public_base_url` is configured.
/// - All file I/O runs on a dedicated dispatch queue, off Swift's cooperative threads.
public final class FilesystemObjectStore: ObjectStore {
    /// The folder holding the objects, absolute.
    public let root: String
    /// Without a trailing `/`.
    public let publicBaseURL: String?

    static let adapter = "filesystem"
    static let reservedPrefix = ".plugboard-"
    static let metaFolder = ".plugboard-meta"

    private let queue = DispatchQueue(label: "plugboard.objects.filesystem", attributes: .concurrent)
    /// Serializes the two renames of a put with deletes and heads of the same
    /// key in this process, so data and metadata change together.
    private let stripes: [NSLock] = (0..<64).map { _ in NSLock() }

    public init(root: String, publicBaseURL: String? = nil) throws {
        self.root = root
        if let publicBaseURL {
            guard let base = FilesystemObjectStore.checkedBaseURL(publicBaseURL) else {
                throw PlugboardError.invalidConfiguration(
                    "public_base_url: expected an absolute http(s) or file URL, got \"\(publicBaseURL)\"", adapter: Self.adapter)
            }
            self.publicBaseURL = base
        } else {
            self.publicBaseURL = nil
        }
    }

    public static let descriptor = AdapterDescriptor(
        port: .objects, name: "filesystem", summary: "Files in a folder on this machine.",
        fields: [
            ConfigField("root", .string, default: "data/objects", "The folder holding the objects; relative to adapters.json."),
            ConfigField("public_base_url", .string,
                        "A URL the folder is served at (by nginx, a CDN); url(for:) is this plus the key. Unset: no URLs."),
        ],
        capabilities: ["public_urls"])

    public static let registryEntry = Registry.Entry(descriptor, .objects { settings, _ in
        let root = settings.filePath("root") ?? AdapterSettings.resolve("data/objects", against: settings.directory)
        var base: String?
        if let given = settings.string("public_base_url"), !given.isEmpty {
            guard checkedBaseURL(given) != nil else {
                throw settings.error("public_base_url", "expected an absolute http(s) or file URL, got \"\(given)\"")
            }
            base = given
        }
        return try FilesystemObjectStore(root: root, publicBaseURL: base)
    })

    /// The base without a trailing `/`, or nil when it is not an absolute http(s) or file URL.
    static func checkedBaseURL(_ s: String) -> String? {
        var base = s
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased() else { return nil }
        switch scheme {
        case "http", "https": return url.host?.isEmpty == false ? base : nil
        case "file": return base
        default: return nil
        }
    }

    // MARK: - ObjectStore

    public func put(key: String, data: Data, contentType: String?) async throws -> ObjectInfo {
        let segments = try validate(key)
        return try await io { try self.putSync(key, segments, data, contentType) }
    }

    public func get(key: String) async throws -> Data {
        let segments = try validate(key)
        return try await io { try self.getSync(key, segments) }
    }

    public func head(key: String) async throws -> ObjectInfo? {
        let segments = try validate(key)
        return try await io { try self.headSync(key, segments) }
    }

    public func delete(key: String) async throws {
        let segments = try validate(key)
        try await io { try self.deleteSync(key, segments) }
    }

    public func url(for key: String, expiresIn: Duration) async throws -> String? {
        try validate(key)
        return publicBaseURL.map { $0 + "/" + ObjectKey.percentEncoded(key) }
    }

    // MARK: - Plumbing

    @discardableResult
    func validate(_ key: String) throws -> [String] {
        let segments = try ObjectKey.validate(key, adapter: Self.adapter)
        if segments.contains(where: { $0.hasPrefix(Self.reservedPrefix) }) {
            throw PlugboardError.invalidInput(
                "invalid object key \(ObjectKey.quoted(key)): segments starting with \(Self.reservedPrefix) are reserved",
                adapter: Self.adapter)
        }
        return segments.map(String.init)
    }

    /// Runs blocking file work on the store's queue.
    private func io<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            queue.async { cont.resume(with: Result { try work() }) }
        }
    }

    func stripe(_ key: String) -> NSLock {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }  // FNV-1a: stable, cheap
        return stripes[Int(h % UInt64(stripes.count))]
    }
}
