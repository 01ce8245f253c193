import Foundation
import PlugboardKernel
import Testing
@testable import ObjectsS3

/// The multipart protocol against a fake server: parts, the Complete body,
/// a 200 that carries an error, and the abort that follows every failure.
struct S3MultipartTests {
    static let fiveMiB = 5 << 20
    static let uploadID = "VXBsb2FkIElE+/=.x"

    /// A fake S3 for one multipart upload; `complete` answers CompleteMultipartUpload.
    static func store(complete: @escaping @Sendable (HTTPRequest) -> HTTPResponse = { _ in
        HTTPResponse(status: 200, body: Data("""
            <?xml version="1.0" encoding="UTF-8"?>
            <CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket><Key>k</Key>\
            <ETag>&quot;3858f62230ac3c915f300c664312c11f-3&quot;</ETag></CompleteMultipartUploadResult>
            """.utf8))
    }) throws -> (S3ObjectStore, FakeHTTPTransport) {
        let fake = FakeHTTPTransport { request in
            let query = URLParts(request.url)?.query ?? ""
            switch (request.method, query) {
            case (.post, "uploads"):
                return HTTPResponse(status: 200, body: Data("""
                    <?xml version="1.0" encoding="UTF-8"?>
                    <InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket>\
                    <Key>k</Key><UploadId>\(S3XML.escaped(uploadID))</UploadId></InitiateMultipartUploadResult>
                    """.utf8))
            case (.put, _) where query.hasPrefix("partNumber="):
                let number = query.split(separator: "&")[0].dropFirst("partNumber=".count)
                return HTTPResponse(status: 200, headers: ["ETag": "\"etag-\(number)\""])
            case (.put, ""):
                return HTTPResponse(status: 200, headers: ["ETag": "\"single\""])
            case (.post, _):
                return complete(request)
            case (.delete, _):
                return HTTPResponse(status: 204)
            default:
                return HTTPResponse(status: 400, body: Data("<Error><Code>Unexpected</Code></Error>".utf8))
            }
        }
        let store = try S3ObjectStore(.init(endpoint: "https://s3.us-east-1.amazonaws.com", bucket: "b",
                                            credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "SECRET"),
                                            multipartThreshold: fiveMiB, partSize: fiveMiB, partConcurrency: 2), transport: fake)
        return (store, fake)
    }

    static let encodedID = "VXBsb2FkIElE%2B%2F%3D.x"

    @Test("create, equal parts (the last smaller), then Complete with every part's ETag in order")
    func happyPath() async throws {
        let (store, fake) = try Self.store()
        let body = Data((0..<(2 * Self.fiveMiB + 1000)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let info = try await store.put(key: "dir/big file.bin", data: body, contentType: "video/mp4")
        #expect(info == ObjectInfo(key: "dir/big file.bin", size: body.count, contentType: "video/mp4", etag: "3858f62230ac3c915f300c664312c11f-3"))

        let requests = fake.requests
        let create = try #require(requests.first)
        #expect(create.method == .post)
        #expect(create.url == "https://b.s3.us-east-1.amazonaws.com/dir/big%20file.bin?uploads")
        #expect(create.headers["Content-Type"] == "video/mp4", "the object's type is given when the upload starts")

        let parts = requests.filter { $0.method == .put }.sorted { $0.url < $1.url }
        #expect(parts.map(\.url) == (1...3).map { "https://b.s3.us-east-1.amazonaws.com/dir/big%20file.bin?partNumber=\($0)&uploadId=\(Self.encodedID)" })
        #expect(parts.map(\.body.count) == [Self.fiveMiB, Self.fiveMiB, 1000])
        #expect(Data(parts.flatMap(\.body)) == body, "the parts are the body, in order")
        for part in parts {
            #expect(part.headers["x-amz-content-sha256"] == Digest.sha256Hex(part.body), "each part's own payload hash")
        }

        let complete = try #require(requests.last)
        #expect(complete.method == .post)
        #expect(complete.url == "https://b.s3.us-east-1.amazonaws.com/dir/big%20file.bin?uploadId=\(Self.encodedID)")
        #expect(String(decoding: complete.body, as: UTF8.self) == """
            <?xml version="1.0" encoding="UTF-8"?>
            <CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
            <Part><PartNumber>1</PartNumber><ETag>&quot;etag-1&quot;</ETag></Part>\
            <Part><PartNumber>2</PartNumber><ETag>&quot;etag-2&quot;</ETag></Part>\
            <Part><PartNumber>3</PartNumber><ETag>&quot;etag-3&quot;</ETag></Part>\
            </CompleteMultipartUpload>
            """)
        #expect(!requests.contains { $0.method == .delete })
    }

    @Test("a 200 to CompleteMultipartUpload that carries an error fails the put (retryable) and aborts the upload")
    func completeErrorIn200() async throws {
        let (store, fake) = try Self.store(complete: { _ in
            HTTPResponse(status: 200, body: Data("""
                <?xml version="1.0" encoding="UTF-8"?>

                <Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>
                """.utf8))
        })
        let error = await #expect(throws: PlugboardError.self) {
            _ = try await store.put(key: "k", data: Data(count: Self.fiveMiB + 1), contentType: nil)
        }
        #expect(error?.code == .unavailable)
        #expect(error?.isRetryable == true)
        #expect(error?.message.contains("CompleteMultipartUpload") == true, "\(String(describing: error))")
        let abort = try #require(fake.requests.last)
        #expect(abort.method == .delete)
        #expect(abort.url == "https://b.s3.us-east-1.amazonaws.com/k?uploadId=\(Self.encodedID)")
    }

    @Test("a rejected part (EntityTooSmall) fails the put with that error and aborts")
    func rejectedPart() async throws {
        let fake = FakeHTTPTransport { request in
            if request.url.hasSuffix("?uploads") {
                return HTTPResponse(status: 200, body: Data("<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>".utf8))
            }
            if request.method == .put {
                return HTTPResponse(status: 400, body: Data("<Error><Code>EntityTooSmall</Code><Message>Your proposed upload is smaller than the minimum allowed object size.</Message></Error>".utf8))
            }
            return HTTPResponse(status: 204)
        }
        let store = try S3ObjectStore(.init(bucket: "b", credentials: AWSCredentials(accessKeyID: "A", secretAccessKey: "S"),
                                            multipartThreshold: Self.fiveMiB, partSize: Self.fiveMiB), transport: fake)
        let error = await #expect(throws: PlugboardError.self) {
            _ = try await store.put(key: "k", data: Data(count: 3 * Self.fiveMiB), contentType: nil)
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.cause == "EntityTooSmall (HTTP 400)")
        #expect(fake.requests.filter { $0.method == .delete }.map(\.url) == ["https://b.s3.us-east-1.amazonaws.com/k?uploadId=u1"])
    }

    @Test("a cancelled put still aborts its upload")
    func cancelled() async throws {
        let gate = AsyncStream<Void>.makeStream()
        let fake = FakeHTTPTransport { request in
            if request.url.hasSuffix("?uploads") {
                return HTTPResponse(status: 200, body: Data("<InitiateMultipartUploadResult><UploadId>u9</UploadId></InitiateMultipartUploadResult>".utf8))
            }
            if request.method == .put {
                gate.continuation.yield()
                try await Task.sleep(for: .seconds(30))  // until cancelled
            }
            return HTTPResponse(status: 204)
        }
        let store = try S3ObjectStore(.init(bucket: "b", credentials: AWSCredentials(accessKeyID: "A", secretAccessKey: "S"),
                                            multipartThreshold: Self.fiveMiB, partSize: Self.fiveMiB), transport: fake)
        let put = Task { try await store.put(key: "k", data: Data(count: 2 * Self.fiveMiB), contentType: nil) }
        var started = gate.stream.makeAsyncIterator()
        _ = await started.next()
        put.cancel()
        _ = await put.result
        #expect(fake.requests.last?.method == .delete)
        #expect(fake.requests.last?.url == "https://b.s3.us-east-1.amazonaws.com/k?uploadId=u9")
    }

    @Test("bodies under the threshold go in one PUT; part size grows past 10,000 parts")
    func thresholdsAndPartSize() async throws {
        let (store, fake) = try Self.store()
        _ = try await store.put(key: "small", data: Data(count: Self.fiveMiB - 1), contentType: nil)
        #expect(fake.requests.map(\.method) == [.put])
        #expect(fake.requests.first?.url == "https://b.s3.us-east-1.amazonaws.com/small")

        #expect(store.partSize(for: Self.fiveMiB * 10_000) == Self.fiveMiB)
        #expect(store.partSize(for: Self.fiveMiB * 10_000 + 1) == 6 << 20, "whole MiB, equal parts")
        let huge = 50 << 30
        let grown = store.partSize(for: huge)
        #expect((huge + grown - 1) / grown <= 10_000)
    }
}
