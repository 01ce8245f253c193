import Foundation
import PlugboardKernel
import Testing
@testable import ObjectsS3

/// Requests as they leave the adapter (URL, headers, signature), checked
/// offline with a fake transport against independently computed values.
struct S3RequestShapeTests {
    /// AWS's documentation credentials.
    static let docCredentials = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE",
                                               secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    /// 2024-03-01T09:15:00Z.
    static let march1 = Date(timeIntervalSince1970: 1_709_284_500)

    static func store(_ configuration: S3ObjectStore.Configuration, date: Date = march1,
                      _ handler: @escaping FakeHTTPTransport.Handler = { _ in HTTPResponse(status: 200, headers: ["ETag": "\"e\""]) })
        throws -> (S3ObjectStore, FakeHTTPTransport) {
        let fake = FakeHTTPTransport(handler)
        return (try S3ObjectStore(configuration, transport: fake, now: { date }), fake)
    }

    @Test("virtual-hosted PUT: bucket in the host, key encoded once, real payload hash, signature as botocore computes it")
    func virtualHostedPut() async throws {
        let (store, fake) = try Self.store(.init(region: "eu-west-3", bucket: "plugboard-attachments", credentials: Self.docCredentials))
        let info = try await store.put(key: "tickets/T1/facture été.pdf", data: Data("hello".utf8), contentType: "application/pdf")
        #expect(info == ObjectInfo(key: "tickets/T1/facture été.pdf", size: 5, contentType: "application/pdf", etag: "e"))
        let request = try #require(fake.requests.first)
        #expect(fake.requests.count == 1)
        #expect(request.method == .put)
        #expect(request.url == "https://plugboard-attachments.s3.eu-west-3.amazonaws.com/tickets/T1/facture%20%C3%A9t%C3%A9.pdf")
        #expect(request.headers["Host"] == "plugboard-attachments.s3.eu-west-3.amazonaws.com")
        #expect(request.headers["x-amz-content-sha256"] == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(request.headers["X-Amz-Date"] == "20240301T091500Z")
        #expect(request.body == Array("hello".utf8))
        // Computed with botocore's S3SigV4Auth for the same request (scratch script, not the adapter's signer).
        #expect(request.headers["Authorization"] == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240301/eu-west-3/s3/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, "
                + "Signature=fbd13dd4bc3ea02ab9bf9e36d3b88bd4d06fc3cf1b9f318e4358c9e592794f10")
    }

    @Test("virtual-hosted presigned GET matches the S3 documentation's example exactly")
    func presignedDocExample() async throws {
        let (store, fake) = try Self.store(.init(endpoint: "https://s3.amazonaws.com", bucket: "examplebucket", credentials: Self.docCredentials),
                                           date: Date(timeIntervalSince1970: 1_369_353_600))
        let url = try await store.url(for: "test.txt", expiresIn: .seconds(86_400))
        #expect(url == "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z"
                + "&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        #expect(fake.requests.isEmpty, "presigning sends nothing")
    }

    @Test("Cloudflare R2: region auto signs with scope auto/s3, path-style under the account endpoint")
    func r2RegionAuto() async throws {
        let endpoint = "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com"
        let (store, fake) = try Self.store(.init(endpoint: endpoint, region: "auto", bucket: "support-files",
                                                 credentials: Self.docCredentials, pathStyle: true)) { _ in
            HTTPResponse(status: 200, body: Data("r2 body".utf8))
        }
        #expect(try await store.get(key: "a b/c+d.txt") == Data("r2 body".utf8))
        let request = try #require(fake.requests.first)
        #expect(request.url == "\(endpoint)/support-files/a%20b/c%2Bd.txt")
        #expect(request.headers["Host"] == "0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com")
        #expect(request.headers["x-amz-content-sha256"] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // botocore's S3SigV4Auth with region_name "auto", same request and time.
        #expect(request.headers["Authorization"] == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240301/auto/s3/aws4_request, "
                + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
                + "Signature=a529c21d2f2164ff0c027d901c4ea3d2d75be915ea8630fbf8a0eb4e28c14dfd")

        let presigned = try #require(try await store.url(for: "a b/c+d.txt", expiresIn: .seconds(600)))
        #expect(presigned.hasPrefix("\(endpoint)/support-files/a%20b/c%2Bd.txt?"))
        #expect(presigned.contains("X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240301%2Fauto%2Fs3%2Faws4_request"))
    }

    @Test("R2 virtual-hosted: the bucket goes in front of the account host")
    func r2VirtualHosted() async throws {
        let (store, fake) = try Self.store(.init(endpoint: "https://acct.r2.cloudflarestorage.com", region: "auto", bucket: "files",
                                                 credentials: Self.docCredentials))
        try await store.delete(key: "x/y.txt")
        #expect(fake.requests.map(\.url) == ["https://files.acct.r2.cloudflarestorage.com/x/y.txt"])
        #expect(fake.requests.first?.method == .delete)
    }

    @Test("path-style keeps the endpoint's port and path prefix; every unreserved-set byte of the key is escaped once")
    func pathStyleShapes() async throws {
        let (store, fake) = try Self.store(.init(endpoint: "http://127.0.0.1:9000/gateway/", bucket: "b1",
                                                 credentials: Self.docCredentials, pathStyle: true))
        _ = try await store.put(key: "odd/%20 + = & ? # ; @ ! $ ' ( ) , ~.bin", data: Data(), contentType: nil)
        let request = try #require(fake.requests.first)
        #expect(request.url == "http://127.0.0.1:9000/gateway/b1/odd/%2520%20%2B%20%3D%20%26%20%3F%20%23%20%3B%20%40%20%21%20%24%20%27%20%28%20%29%20%2C%20~.bin")
        #expect(request.headers["Host"] == "127.0.0.1:9000")
        #expect(request.headers["Content-Type"] == "application/octet-stream", "never curl's form type")
        #expect(store.addressing.bucketURL == "http://127.0.0.1:9000/gateway/b1")
    }

    @Test("the default endpoint is the region's; a session token is sent and signed")
    func defaultEndpointAndSessionToken() async throws {
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "SECRET", sessionToken: "TOKEN+/=")
        let (store, fake) = try Self.store(.init(region: "ap-southeast-2", bucket: "b", credentials: credentials))
        _ = try await store.head(key: "k")
        let request = try #require(fake.requests.first)
        #expect(request.url == "https://b.s3.ap-southeast-2.amazonaws.com/k")
        #expect(request.method == .head)
        #expect(request.headers["X-Amz-Security-Token"] == "TOKEN+/=")
        #expect(request.headers["Authorization"]?.contains("x-amz-security-token") == true)
        let url = try #require(try await store.url(for: "k", expiresIn: .seconds(60)))
        #expect(url.contains("X-Amz-Security-Token=TOKEN%2B%2F%3D"))
    }

    @Test("url(for:): public base URL plus the encoded key; presigned expiry capped by presign_expiry; beyond 7 days refused")
    func urls() async throws {
        let (public_, _) = try Self.store(.init(endpoint: "https://acct.r2.cloudflarestorage.com", region: "auto", bucket: "files",
                                                credentials: Self.docCredentials, pathStyle: true,
                                                publicBaseURL: "https://pub-123.r2.dev"))
        #expect(try await public_.url(for: "été/a b.pdf", expiresIn: .seconds(60)) == "https://pub-123.r2.dev/%C3%A9t%C3%A9/a%20b.pdf")

        let (store, _) = try Self.store(.init(bucket: "b", credentials: Self.docCredentials, presignExpiry: 3600))
        let week = try #require(try await store.url(for: "k", expiresIn: .seconds(7 * 86_400)))
        #expect(week.contains("X-Amz-Expires=3600&"), "shortened to presign_expiry")
        let short = try #require(try await store.url(for: "k", expiresIn: .milliseconds(1500)))
        #expect(short.contains("X-Amz-Expires=2&"), "rounded up to whole seconds")

        let (defaults, _) = try Self.store(.init(bucket: "b", credentials: Self.docCredentials))
        #expect(try await defaults.url(for: "k", expiresIn: .seconds(7 * 86_400))?.contains("X-Amz-Expires=604800&") == true)
        for bad in [Duration.seconds(7 * 86_400 + 1), .seconds(30 * 86_400), .zero, .seconds(-5)] {
            let error = await #expect(throws: PlugboardError.self, "\(bad)") { _ = try await defaults.url(for: "k", expiresIn: bad) }
            #expect(error?.code == .invalidInput)
            #expect(error?.message.contains("7 days") == true)
        }
    }
}
