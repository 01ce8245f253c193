import Foundation
import PlugboardKernel

/// Which URLs an object store gives (its declared capabilities).
public enum ObjectURLKind: Sendable, Hashable {
    /// `url(for:)` is always nil.
    case none
    /// `url(for:)` is a public URL (capability `public_urls`).
    case publicURLs
    /// `url(for:)` is a presigned URL (capability `presigned_urls`).
    case presigned
}

/// Opens object stores for the objects conformance suite.
public protocol ObjectStoreHarness: Sendable {
    /// A store over a fresh, empty bucket (a new folder, a new bucket or prefix).
    func open() async throws -> any ObjectStore
    /// What `url(for:)` returns for the stores `open` makes.
    var urls: ObjectURLKind { get }
    /// The bytes behind a URL from `url(for:)`; nil when the harness cannot fetch it.
    func fetch(_ url: String) async throws -> Data?
}

/// The `objects` port's conformance suite: every object-store adapter runs
/// these cases unchanged (`@Test(arguments: ObjectStoreConformance.cases)`).
public enum ObjectStoreConformance {
    public struct Case: Sendable, CustomStringConvertible {
        public let name: String
        let body: @Sendable (any ObjectStoreHarness, any ObjectStore, Checker) async throws -> Void
        public var description: String { name }

        public func run(_ harness: any ObjectStoreHarness) async throws {
            let store = try await harness.open()
            try await body(harness, store, Checker(check: name, suite: "ObjectStoreConformance"))
        }
    }

    /// `count` bytes covering every byte value, deterministic per seed.
    static func bytes(_ count: Int, seed: UInt64) -> Data {
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        var out = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            // xorshift64*: cheap, and every byte value shows up in a few hundred bytes.
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            out[i] = UInt8(truncatingIfNeeded: (state &* 0x2545_F491_4F6C_DD1D) >> 56)
        }
        return Data(out)
    }

    /// put, then get, head and size agree with what was put.
    static func roundTrip(_ s: any ObjectStore, _ c: Checker, _ key: String, _ data: Data, _ type: String?,
                          line: Int = #line) async throws {
        let info = try await s.put(key: key, data: data, contentType: type)
        try c.equal(info.key, key, "key returned by put of \(key)", line: line)
        try c.equal(info.size, data.count, "size returned by put of \(key)", line: line)
        let got = try await s.get(key: key)
        try c.expect(got == data, "get \(key) returns the \(data.count) bytes put (got \(got.count))", line: line)
        let head = try c.some(try await s.head(key: key), "head of \(key)", line: line)
        try c.equal(head.size, data.count, "size from head of \(key)", line: line)
        if let type { try c.equal(head.contentType, type, "content type from head of \(key)", line: line) }
    }

    static let invalidKeys = ["", "/x", "/", "../x", "a/../b", "a/..", "..", "./a", "a/./b", "a//b", "a/",
                              "nul\u{0}inside", "tab\tkey", "line\nbreak", "del\u{7F}", "c1\u{85}x", "back\\slash",
                              String(repeating: "k", count: 1025), "seg/" + String(repeating: "s", count: 256)]

    public static let cases: [Case] = [
        Case(name: "put, get, head and delete") { _, s, c in
            let key = "attachments/T1/facture.pdf"
            try await c.expect(s.head(key: key) == nil, "head of a missing key is nil")
            try await c.throwsCode(.notFound, "get of a missing key") { _ = try await s.get(key: key) }
            try await roundTrip(s, c, key, Data("%PDF-1.7 facture é\n".utf8), "application/pdf")
            try await s.delete(key: key)
            try await c.expect(s.head(key: key) == nil, "head after delete is nil")
            try await c.throwsCode(.notFound, "get after delete") { _ = try await s.get(key: key) }
            try await s.delete(key: key)
            try await s.delete(key: "never/existed.txt")
        },
        Case(name: "an empty body") { _, s, c in
            try await roundTrip(s, c, "empty.bin", Data(), "application/octet-stream")
            try await roundTrip(s, c, "empty-untyped", Data(), nil)
        },
        Case(name: "a 5 MB binary body") { _, s, c in
            let big = bytes(5 * 1024 * 1024 + 7, seed: 42)
            try c.equal(Set(big.prefix(4096)).count, 256, "the test body holds every byte value")
            try await roundTrip(s, c, "large/blob.bin", big, "application/octet-stream")
        },
        Case(name: "overwrite replaces the whole object") { _, s, c in
            let key = "over/write.txt"
            try await roundTrip(s, c, key, Data(String(repeating: "long first version ", count: 500).utf8), "text/plain")
            let first = try await s.head(key: key)
            try await roundTrip(s, c, key, Data("short".utf8), "text/markdown")
            let second = try await s.head(key: key)
            if let e1 = first?.etag, let e2 = second?.etag {
                try c.expect(e1 != e2, "the etag changes with the content (\(e1))")
            }
        },
        Case(name: "nested and unicode keys") { _, s, c in
            let keys = ["dir/sub/file.txt", "dir/sub/other.txt", "dir/file.txt", "dossier/été/ファイル 🎫.txt",
                        "spaces in name.txt", "odd/chars %20 + = & ? # ; @ ! $ ' ( ) , ~.bin", "رسالة/ملف.txt",
                        ".hidden/.file", "trailing.dot."]
            for (i, key) in keys.enumerated() {
                try await roundTrip(s, c, key, Data("content \(i) of \(key)".utf8), "text/plain; charset=utf-8")
            }
            for (i, key) in keys.enumerated() {
                try await c.equal(s.get(key: key), Data("content \(i) of \(key)".utf8), "\(key) kept its own content")
            }
            try await s.delete(key: "dir/sub/file.txt")
            try await c.equal(s.get(key: "dir/sub/other.txt"), Data("content 1 of dir/sub/other.txt".utf8),
                              "deleting one key leaves its sibling")
            try await c.expect(s.head(key: "dir/sub") == nil, "a prefix is not an object")
            try await c.expect(s.head(key: "dir") == nil, "a top-level prefix is not an object")
        },
        Case(name: "invalid keys are refused with .invalidInput") { _, s, c in
            for key in invalidKeys {
                let shown = ObjectKey.quoted(key)
                try await c.throwsCode(.invalidInput, "put \(shown)") { _ = try await s.put(key: key, data: Data("x".utf8), contentType: nil) }
                try await c.throwsCode(.invalidInput, "get \(shown)") { _ = try await s.get(key: key) }
                try await c.throwsCode(.invalidInput, "head \(shown)") { _ = try await s.head(key: key) }
                try await c.throwsCode(.invalidInput, "delete \(shown)") { try await s.delete(key: key) }
                try await c.throwsCode(.invalidInput, "url \(shown)") { _ = try await s.url(for: key, expiresIn: .seconds(60)) }
            }
        },
        Case(name: "url(for:) follows the declared capabilities") { h, s, c in
            let key = "links/été 🎫/a+b%c?.txt"
            let data = Data("linked content".utf8)
            _ = try await s.put(key: key, data: data, contentType: "text/plain")
            let url = try await s.url(for: key, expiresIn: .seconds(600))
            guard h.urls != .none else {
                try c.equal(url, nil, "a store without URLs returns nil")
                return
            }
            let text = try c.some(url, "url(for:) of a store with \(h.urls)")
            let parsed = try c.some(URL(string: text), "a parseable URL: \(text)")
            try c.expect(["http", "https", "file"].contains(parsed.scheme ?? ""), "an http(s) URL: \(text)")
            try c.expect(text.contains(ObjectKey.percentEncoded(key)), "the URL holds the percent-encoded key: \(text)")
            try c.expect(parsed.path.hasSuffix("/" + key) || parsed.path == "/" + key, "the URL's decoded path ends with the key: \(parsed.path)")
            if let fetched = try await h.fetch(text) {
                try c.expect(fetched == data, "the URL serves the object's bytes")
            }
        },
        Case(name: "concurrent overwrites and reads never see a torn object") { _, s, c in
            let key = "race/object.bin"
            let versions = (0..<6).map { bytes(1_000_000 + $0 * 10_000, seed: UInt64($0)) }
            _ = try await s.put(key: key, data: versions[0], contentType: nil)
            // Several rounds of one writer and three readers per version: a torn
            // write is a race, so give it many chances to show.
            for _ in 0..<4 {
                try await withThrowingTaskGroup(of: Void.self) { g in
                    for v in versions {
                        g.addTask { _ = try await s.put(key: key, data: v, contentType: "application/octet-stream") }
                        for _ in 0..<3 {
                            g.addTask {
                                let got = try await s.get(key: key)
                                try c.expect(versions.contains(got), "a read during writes returns one whole version (\(got.count) bytes)")
                            }
                        }
                    }
                    try await g.waitForAll()
                }
            }
            let final = try await s.get(key: key)
            try c.expect(versions.contains(final), "the final object is one whole version")
            try await c.equal(s.head(key: key)?.size, final.count, "head agrees with the final object")
        },
    ]
}
