import Foundation
import PlugboardKernel
import Synchronization
import Testing
@testable import ObjectsS3
import VendorFakes

/// Sends through another transport, remembers what went out, and fails the
/// requests `failing` picks (as a dropped connection would).
final class TappedTransport: HTTPTransport {
    struct Sent: Sendable {
        var method: String
        var url: String
        var bodyBytes: Int
        var failed: Bool
    }

    let base: any HTTPTransport
    let failing: @Sendable (HTTPRequest) -> Bool
    private let log = Mutex<[Sent]>([])

    init(_ base: any HTTPTransport = CurlTransport.shared, failing: @escaping @Sendable (HTTPRequest) -> Bool = { _ in false }) {
        self.base = base
        self.failing = failing
    }

    var sent: [Sent] { log.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let fail = failing(request)
        log.withLock { $0.append(Sent(method: request.method.rawValue, url: request.url, bodyBytes: request.body.count, failed: fail)) }
        if fail { throw PlugboardError.unavailable("injected: connection reset while sending \(request.logDescription)") }
        return try await base.send(request)
    }
}

/// True the first `count` times `take` is called.
final class Countdown: Sendable {
    private let left: Mutex<Int>
    init(_ count: Int) { left = Mutex(count) }
    func take() -> Bool {
        left.withLock { n in
            defer { n -= 1 }
            return n > 0
        }
    }
}

/// What another S3 client (boto3) sees of the adapter's objects, presigned URLs
/// fetched without credentials, and failures, against moto with SigV4 on.
@Suite("s3 interop (moto, boto3)", .enabled(if: Moto.reachable || Moto.required, "needs moto (Scripts/test.sh)"))
struct S3InteropTests {
    /// Writes the object's bytes to stdout, and its content type and length to the file argv[3].
    static let readObject = #"""
bucket, key, meta = sys.argv[1:4]
o = s3.get_object(Bucket=bucket, Key=key)
open(meta, "w").write(o["ContentType"] + "\n" + str(o["ContentLength"]))
sys.stdout.buffer.write(o["Body"].read())
"""#

    func boto3Read(bucket: String, key: String) throws -> (data: Data, contentType: String, length: Int) {
        let meta = FileManager.default.temporaryDirectory.appendingPathComponent("s3-meta-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: meta) }
        let data = try Moto.python(Self.readObject, arguments: [bucket, key, meta])
        let lines = try String(contentsOfFile: meta, encoding: .utf8).split(separator: "\n").map(String.init)
        return (data, lines.first ?? "", lines.count > 1 ? Int(lines[1]) ?? -1 : -1)
    }

    @Test("boto3 reads an object the adapter wrote, byte for byte, with its content type")
    func boto3ReadsSinglePut() async throws {
        let store = try await Moto.freshStore()
        let key = "attachments/T-42/reçu +été (1).pdf"
        let body = Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        let info = try await store.put(key: key, data: body, contentType: "application/pdf")
        #expect(info.size == body.count)
        let read = try boto3Read(bucket: store.configuration.bucket, key: key)
        #expect(read.data == body)
        #expect(read.contentType == "application/pdf")
        #expect(read.length == body.count)
    }

    @Test("a 12 MiB body goes up in three equal-sized 5 MiB parts (the last smaller) and boto3 reads it back whole")
    func boto3ReadsMultipart() async throws {
        let tap = TappedTransport()
        let fiveMiB = 5 << 20
        let store = try await Moto.freshStore(multipartThreshold: fiveMiB, partSize: fiveMiB, transport: tap)
        let body = Data((0..<(12 << 20) + 12_345).map { UInt8(truncatingIfNeeded: ($0 >> 3) ^ ($0 &* 131)) })
        let key = "large/scan été.tiff"
        let info = try await store.put(key: key, data: body, contentType: "image/tiff")
        #expect(info.size == body.count)

        let parts = tap.sent.filter { $0.method == "PUT" && $0.url.contains("partNumber=") }
        #expect(parts.map(\.bodyBytes).sorted(by: >) == [fiveMiB, fiveMiB, body.count - 2 * fiveMiB])
        #expect(tap.sent.filter { $0.method == "POST" }.count == 2, "CreateMultipartUpload and CompleteMultipartUpload")
        #expect(!tap.sent.contains { $0.method == "DELETE" }, "nothing aborted")

        let read = try boto3Read(bucket: store.configuration.bucket, key: key)
        #expect(read.data.count == body.count)
        #expect(read.data == body)
        #expect(read.contentType == "image/tiff")
        let head = try #require(try await store.head(key: key))
        #expect(head.size == body.count)
        #expect(head.contentType == "image/tiff")
        #expect(try await store.get(key: key) == body)
    }

    @Test("the adapter reads an object boto3 wrote")
    func adapterReadsBoto3Writes() async throws {
        let store = try await Moto.freshStore()
        _ = try Moto.python(#"""
s3.put_object(Bucket=sys.argv[1], Key=sys.argv[2], Body="écrit par boto3 ✓".encode(), ContentType="text/plain; charset=utf-8")
"""#, arguments: [store.configuration.bucket, "from/boto3 + friends.txt"])
        #expect(try await store.get(key: "from/boto3 + friends.txt") == Data("écrit par boto3 ✓".utf8))
        #expect(try await store.head(key: "from/boto3 + friends.txt")?.contentType == "text/plain; charset=utf-8")
    }

    @Test("a presigned URL serves the bytes to plain curl without credentials; a tampered one is refused")
    func presignedURL() async throws {
        let store = try await Moto.freshStore()
        let key = "links/facture n°1.pdf"
        let body = Data("presigned %PDF body".utf8)
        _ = try await store.put(key: key, data: body, contentType: "application/pdf")
        let url = try #require(try await store.url(for: key, expiresIn: .seconds(300)))
        #expect(url.hasPrefix("\(Moto.endpoint ?? "")/\(store.configuration.bucket)/links/facture%20n%C2%B01.pdf?"))
        #expect(url.contains("X-Amz-Expires=300"))
        #expect(!url.contains(Moto.secretAccessKey))

        let plain = CurlTransport()
        let fetched = try await plain.send(HTTPRequest(method: .get, url: url))
        #expect(fetched.status == 200)
        #expect(fetched.body == body)

        let flipped = String(url.dropLast()) + (url.hasSuffix("0") ? "1" : "0")
        let refused = try await plain.send(HTTPRequest(method: .get, url: flipped))
        #expect(refused.status == 403)
        #expect(refused.text.contains("SignatureDoesNotMatch"))
        let longer = url.replacingOccurrences(of: "X-Amz-Expires=300", with: "X-Amz-Expires=3000")
        #expect(try await plain.send(HTTPRequest(method: .get, url: longer)).status == 403)
    }

    @Test("a wrong secret is unauthenticated, with a clear message and no secret in it, for put, get and head")
    func wrongSecret() async throws {
        let good = try await Moto.freshStore()
        _ = try await good.put(key: "x.txt", data: Data("x".utf8), contentType: nil)
        let secret = "WRONG" + String(UInt64.random(in: 0..<UInt64.max), radix: 36)
        let store = try Moto.store(bucket: good.configuration.bucket, secret: secret)
        let operations: [(String, @Sendable () async throws -> Void)] = [
            ("put", { _ = try await store.put(key: "x.txt", data: Data("y".utf8), contentType: nil) }),
            ("get", { _ = try await store.get(key: "x.txt") }),
            ("head", { _ = try await store.head(key: "x.txt") }),
        ]
        for (name, operation) in operations {
            let error = await #expect(throws: PlugboardError.self, "\(name)") { try await operation() }
            #expect(error?.code == .unauthenticated, "\(name): \(String(describing: error))")
            #expect(error?.isRetryable == false)
            #expect(error?.adapter == "s3")
            #expect(error?.message.contains("signature was rejected (access key \(Moto.accessKeyID))") == true, "\(String(describing: error))")
            #expect(error?.message.contains("secret_access_key") == true)
            #expect(error?.message.contains(good.configuration.bucket) == true)
            #expect(error?.description.contains(secret) == false)
            #expect(error?.description.contains(Moto.secretAccessKey) == false)
        }
        #expect(try await good.get(key: "x.txt") == Data("x".utf8), "the failed put changed nothing")
    }

    @Test("an unknown access key is unauthenticated and names the key")
    func unknownAccessKey() async throws {
        guard let endpoint = Moto.endpoint else { throw Moto.NotConfigured() }
        let store = try S3ObjectStore(S3ObjectStore.Configuration(
            endpoint: endpoint, region: Moto.region, bucket: Moto.uniqueBucket(),
            credentials: AWSCredentials(accessKeyID: "AKIAUNKNOWNKEY000000", secretAccessKey: "nope"), pathStyle: true))
        let error = await #expect(throws: PlugboardError.self) { _ = try await store.get(key: "x") }
        #expect(error?.code == .unauthenticated)
        #expect(error?.message.contains("AKIAUNKNOWNKEY000000") == true, "\(String(describing: error))")
        #expect(error?.message.contains("access_key_id") == true)
    }

    @Test("a missing bucket is notFound naming the bucket, for get, put and head")
    func missingBucket() async throws {
        let bucket = Moto.uniqueBucket()
        let store = try Moto.store(bucket: bucket)
        let operations: [(String, @Sendable () async throws -> Void)] = [
            ("get", { _ = try await store.get(key: "a.txt") }),
            ("put", { _ = try await store.put(key: "a.txt", data: Data("a".utf8), contentType: nil) }),
            ("head", { _ = try await store.head(key: "a.txt") }),
        ]
        for (name, operation) in operations {
            let error = await #expect(throws: PlugboardError.self, "\(name)") { try await operation() }
            #expect(error?.code == .notFound, "\(name): \(String(describing: error))")
            #expect(error?.message.contains("bucket \(bucket) does not exist") == true, "\(name): \(String(describing: error))")
        }
    }

    @Test("a multipart upload whose second part fails is aborted, leaves no upload behind, and rethrows the part's error")
    func failedMultipartIsAborted() async throws {
        let tap = TappedTransport(failing: { $0.method == .put && $0.url.contains("partNumber=2&") })
        let fiveMiB = 5 << 20
        let store = try await Moto.freshStore(multipartThreshold: fiveMiB, partSize: fiveMiB, transport: tap)
        let body = Data(repeating: 0xA5, count: 3 * fiveMiB + 1)
        let error = await #expect(throws: PlugboardError.self) {
            _ = try await store.put(key: "big/fails.bin", data: body, contentType: nil)
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("injected: connection reset") == true, "\(String(describing: error))")
        #expect(error?.message.contains("UploadPart of \"big/fails.bin\"") == true, "\(String(describing: error))")

        let aborts = tap.sent.filter { $0.method == "DELETE" && $0.url.contains("uploadId=") }
        #expect(aborts.count == 1, "AbortMultipartUpload sent once: \(tap.sent.map { "\($0.method) \($0.url)" })")
        let uploads = try Moto.python(#"""
r = s3.list_multipart_uploads(Bucket=sys.argv[1])
print(len(r.get("Uploads", [])))
"""#, arguments: [store.configuration.bucket])
        #expect(String(decoding: uploads, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        #expect(try await store.head(key: "big/fails.bin") == nil)
    }

    @Test("putting again after an aborted multipart upload (as the policy layer's retry does) succeeds")
    func putAfterFailedMultipart() async throws {
        let failures = Countdown(1)
        let tap = TappedTransport(failing: { request in
            request.method == .put && request.url.contains("partNumber=1&") && failures.take()
        })
        let fiveMiB = 5 << 20
        let store = try await Moto.freshStore(multipartThreshold: fiveMiB, partSize: fiveMiB, transport: tap)
        let body = Data((0..<(fiveMiB + 99)).map { UInt8(truncatingIfNeeded: $0 % 251) })
        await #expect(throws: PlugboardError.self) { _ = try await store.put(key: "retry.bin", data: body, contentType: nil) }
        _ = try await store.put(key: "retry.bin", data: body, contentType: nil)
        #expect(try await store.get(key: "retry.bin") == body)
    }
}
