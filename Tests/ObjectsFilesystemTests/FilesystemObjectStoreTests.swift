import Foundation
import ObjectsFilesystem
import PlugboardKernel
import Testing

@Suite("filesystem objects")
struct FilesystemObjectStoreTests {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("plugboard-fs-\(UUID().uuidString)").path
    var root: String { base + "/root" }
    var outside: String { base + "/outside" }
    let fm = FileManager.default

    func store(_ publicBase: String? = nil) throws -> FilesystemObjectStore {
        try FilesystemObjectStore(root: root, publicBaseURL: publicBase)
    }

    func code(_ body: () async throws -> Void) async -> PlugboardError.Code? {
        do { try await body(); return nil } catch let e as PlugboardError { return e.code } catch { return .internal }
    }

    func files(_ dir: String) -> [String] {
        (fm.enumerator(atPath: dir)?.allObjects as? [String] ?? []).sorted()
    }

    @Test func objectsArePlainFilesAtTheirKeysAndNoTemporaryFilesRemain() async throws {
        defer { try? fm.removeItem(atPath: base) }
        let s = try store()
        for i in 0..<5 { _ = try await s.put(key: "dir/sub/file.txt", data: Data("v\(i)".utf8), contentType: "text/plain") }
        #expect(try String(contentsOfFile: root + "/dir/sub/file.txt", encoding: .utf8) == "v4")
        #expect(files(root) == ["dir", "dir/sub", "dir/sub/.plugboard-meta", "dir/sub/.plugboard-meta/file.txt", "dir/sub/file.txt"])
        try await s.delete(key: "dir/sub/file.txt")
        #expect(files(root) == ["dir", "dir/sub", "dir/sub/.plugboard-meta"])
    }

    @Test func aMissingRootIsAnEmptyStoreUntilTheFirstPut() async throws {
        defer { try? fm.removeItem(atPath: base) }
        let s = try store()
        #expect(try await s.head(key: "a") == nil)
        #expect(await code { _ = try await s.get(key: "a") } == .notFound)
        try await s.delete(key: "a")
        #expect(!fm.fileExists(atPath: root))
        _ = try await s.put(key: "a", data: Data([1, 2, 3]), contentType: nil)
        #expect(fm.fileExists(atPath: root + "/a"))
    }

    @Test func symbolicLinksInsideTheRootAreNeverFollowed() async throws {
        defer { try? fm.removeItem(atPath: base) }
        let s = try store()
        _ = try await s.put(key: "seed", data: Data(), contentType: nil)
        try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: URL(fileURLWithPath: outside + "/secret.txt"))
        try fm.createSymbolicLink(atPath: root + "/escape", withDestinationPath: outside)
        try fm.createSymbolicLink(atPath: root + "/leak.txt", withDestinationPath: outside + "/secret.txt")

        // A link as a folder on the way.
        #expect(await code { _ = try await s.get(key: "escape/secret.txt") } == .permissionDenied)
        #expect(await code { _ = try await s.head(key: "escape/secret.txt") } == .permissionDenied)
        #expect(await code { _ = try await s.put(key: "escape/new.txt", data: Data("x".utf8), contentType: nil) } == .permissionDenied)
        #expect(await code { try await s.delete(key: "escape/secret.txt") } == .permissionDenied)
        // A link as the object itself.
        #expect(await code { _ = try await s.get(key: "leak.txt") } == .permissionDenied)
        #expect(await code { _ = try await s.head(key: "leak.txt") } == .permissionDenied)
        #expect(await code { _ = try await s.put(key: "leak.txt", data: Data("overwrite".utf8), contentType: nil) } == .permissionDenied)
        #expect(await code { try await s.delete(key: "leak.txt") } == .permissionDenied)

        #expect(files(outside) == ["secret.txt"], "nothing was written outside the root")
        #expect(try String(contentsOfFile: outside + "/secret.txt", encoding: .utf8) == "secret")
        #expect((try? fm.destinationOfSymbolicLink(atPath: root + "/leak.txt")) == outside + "/secret.txt", "the link is still there")
    }

    @Test func theRootItselfMayBeALink() async throws {
        defer { try? fm.removeItem(atPath: base) }
        try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: root, withDestinationPath: outside)
        let s = try store()
        _ = try await s.put(key: "k/v.txt", data: Data("through the configured link".utf8), contentType: nil)
        #expect(fm.fileExists(atPath: outside + "/k/v.txt"))
    }

    @Test func reservedSegmentsAreRefused() async throws {
        defer { try? fm.removeItem(atPath: base) }
        let s = try store()
        for key in [".plugboard-meta/x", "a/.plugboard-meta/b", "a/.plugboard-tmp-1"] {
            let e = await #expect(throws: PlugboardError.self) { _ = try await s.put(key: key, data: Data(), contentType: nil) }
            #expect(e?.code == .invalidInput)
            #expect(e?.message.contains(key) == true)
        }
        _ = try await s.put(key: "a/plugboard-meta/.plugboardx", data: Data(), contentType: nil)
    }

    @Test func aKeyCannotBeBothAnObjectAndAFolder() async throws {
        defer { try? fm.removeItem(atPath: base) }
        let s = try store()
        _ = try await s.put(key: "a", data: Data("file".utf8), contentType: nil)
        #expect(await code { _ = try await s.put(key: "a/b", data: Data(), contentType: nil) } == .conflict)
        #expect(try await s.head(key: "a/b") == nil)
        #expect(await code { _ = try await s.get(key: "a/b") } == .notFound)
        _ = try await s.put(key: "x/y", data: Data(), contentType: nil)
        #expect(await code { _ = try await s.put(key: "x", data: Data(), contentType: nil) } == .conflict)
        try await s.delete(key: "x")
        #expect(try await s.head(key: "x/y") != nil, "deleting a folder's name deletes nothing")
    }

    @Test func filesPutByHandHaveNoStaleMetadata() async throws {
        defer { try? fm.removeItem(atPath: base) }
        let s = try store()
        _ = try await s.put(key: "doc.txt", data: Data("abc".utf8), contentType: "text/plain")
        let before = try #require(try await s.head(key: "doc.txt"))
        #expect(before.etag == Digest.sha256Hex(Data("abc".utf8)))
        #expect(before.contentType == "text/plain")
        // Replaced outside the store, same size, likely the same inode number: the old
        // metadata must not be reported. (Within one tick of the kernel's file clock
        // such a replacement is indistinguishable, hence the pause.)
        try await Task.sleep(for: .milliseconds(30))
        try fm.removeItem(atPath: root + "/doc.txt")
        try Data("xyz".utf8).write(to: URL(fileURLWithPath: root + "/doc.txt"))
        let after = try #require(try await s.head(key: "doc.txt"))
        #expect(after.size == 3)
        #expect(after.contentType == nil)
        #expect(after.etag == nil)
        try Data("by hand".utf8).write(to: URL(fileURLWithPath: root + "/hand.txt"))
        #expect(try await s.head(key: "hand.txt") == ObjectInfo(key: "hand.txt", size: 7, contentType: nil, etag: nil))
        #expect(try await s.get(key: "hand.txt") == Data("by hand".utf8))
    }

    @Test func specialFilesAreNotObjects() async throws {
        defer { try? fm.removeItem(atPath: base) }
        let s = try store()
        _ = try await s.put(key: "seed", data: Data(), contentType: nil)
        #expect(mkfifo(root + "/pipe", 0o644) == 0)
        #expect(await code { _ = try await s.get(key: "pipe") } == .notFound, "a FIFO is not read (and does not hang)")
        #expect(try await s.head(key: "pipe") == nil)
    }

    @Test func publicURLsEscapeTheKey() async throws {
        defer { try? fm.removeItem(atPath: base) }
        let s = try store("https://cdn.example.com/files/")
        #expect(try await s.url(for: "a b/été+?#%.txt", expiresIn: .seconds(1))
                == "https://cdn.example.com/files/a%20b/%C3%A9t%C3%A9%2B%3F%23%25.txt")
        #expect(try await store().url(for: "a", expiresIn: .seconds(1)) == nil)
    }

    @Test func theFactoryResolvesTheRootAndChecksTheBaseURL() async throws {
        let registry = Registry([FilesystemObjectStore.registryEntry])
        let context = AdapterContext(registry: registry)
        let plain = try await registry.makeObjects(AdapterSettings(port: .objects, adapter: "filesystem", directory: "/srv/pb"), context)
        #expect((plain as? FilesystemObjectStore)?.root == "/srv/pb/data/objects")
        let custom = try await registry.makeObjects(AdapterSettings(port: .objects, adapter: "filesystem",
                                                                    values: ["root": "files", "public_base_url": "http://localhost:8080/f/"],
                                                                    directory: "/srv/pb"), context)
        #expect((custom as? FilesystemObjectStore)?.root == "/srv/pb/files")
        #expect((custom as? FilesystemObjectStore)?.publicBaseURL == "http://localhost:8080/f")
        for bad in ["not a url", "ftp://x/y", "/just/a/path", "https://"] {
            let e = await #expect(throws: PlugboardError.self) {
                _ = try await registry.makeObjects(AdapterSettings(port: .objects, adapter: "filesystem",
                                                                   values: ["public_base_url": .string(bad)]), context)
            }
            #expect(e?.code == .invalidConfiguration)
            #expect(e?.message.contains("objects.public_base_url") == true, "\(e?.message ?? "")")
        }
        #expect(FilesystemObjectStore.descriptor.capabilities == ["public_urls"])
    }
}
