import Foundation
import PlugboardKernel
import Testing
@testable import ObjectsS3

/// S3's error documents and statuses, answered by a fake server, and what the adapter makes of them.
struct S3ErrorMappingTests {
    static let credentials = AWSCredentials(accessKeyID: "AKIAEXAMPLEKEY", secretAccessKey: "s3cr3t/Secret+Key", sessionToken: "T0KEN-value")

    static func errorBody(_ code: String, _ message: String, extra: String = "") -> Data {
        Data("""
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>\(code)</Code><Message>\(message)</Message>\(extra)<RequestId>4442587FB7D0A2F9</RequestId></Error>
        """.utf8)
    }

    static func store(_ handler: @escaping FakeHTTPTransport.Handler) throws -> (S3ObjectStore, FakeHTTPTransport) {
        let fake = FakeHTTPTransport(handler)
        let store = try S3ObjectStore(.init(endpoint: "https://s3.eu-west-1.amazonaws.com", region: "eu-west-1", bucket: "tickets-files",
                                            credentials: credentials, pathStyle: true), transport: fake)
        return (store, fake)
    }

    /// The error `get` throws when the server answers `response`.
    static func getError(_ response: HTTPResponse) async throws -> PlugboardError {
        let (store, _) = try store { _ in response }
        do {
            _ = try await store.get(key: "a/b.txt")
        } catch let e as PlugboardError {
            return e
        }
        throw PlugboardError.internal("get succeeded")
    }

    static func expectNoSecret(_ e: PlugboardError, sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in [credentials.secretAccessKey, "T0KEN-value"] {
            #expect(!e.description.contains(secret), "\(e)", sourceLocation: sourceLocation)
        }
    }

    @Test("NoSuchKey is notFound naming the key and bucket; NoSuchBucket names the bucket")
    func notFound() async throws {
        let e = try await Self.getError(HTTPResponse(status: 404, body: Self.errorBody("NoSuchKey", "The specified key does not exist.")))
        #expect(e.code == .notFound)
        #expect(e.adapter == "s3")
        #expect(e.message.contains("GetObject of \"a/b.txt\" in bucket tickets-files"), "\(e)")
        #expect(e.cause == "NoSuchKey (HTTP 404)")
        #expect(!e.isRetryable)
        let b = try await Self.getError(HTTPResponse(status: 404, body: Self.errorBody("NoSuchBucket", "The specified bucket does not exist")))
        #expect(b.code == .notFound)
        #expect(b.message.contains("bucket tickets-files does not exist"), "\(b)")
    }

    @Test("AccessDenied is permissionDenied; SignatureDoesNotMatch and InvalidAccessKeyId are unauthenticated; no secret shown")
    func authErrors() async throws {
        // A real SignatureDoesNotMatch body echoes the canonical request, which holds the session token.
        let echo = "<StringToSign>AWS4-HMAC-SHA256…</StringToSign><CanonicalRequest>GET\n/x\n\nx-amz-security-token:T0KEN-value</CanonicalRequest>"
        let cases: [(String, PlugboardError.Code, String)] = [
            ("AccessDenied", .permissionDenied, "access denied for access key AKIAEXAMPLEKEY"),
            ("SignatureDoesNotMatch", .unauthenticated, "check secret_access_key"),
            ("InvalidAccessKeyId", .unauthenticated, "access key AKIAEXAMPLEKEY is unknown"),
            ("ExpiredToken", .unauthenticated, "refresh session_token"),
            ("RequestTimeTooSkewed", .unauthenticated, "clock"),
        ]
        for (code, expected, phrase) in cases {
            let e = try await Self.getError(HTTPResponse(status: 403, body: Self.errorBody(code, "Refused.", extra: echo)))
            #expect(e.code == expected, "\(code): \(e)")
            #expect(e.message.contains(phrase), "\(code): \(e)")
            #expect(!e.isRetryable, "\(code)")
            #expect(!e.message.contains("CanonicalRequest"))
            Self.expectNoSecret(e)
        }
    }

    @Test("SlowDown is rateLimited and retryable with Retry-After; 503 and InternalError are unavailable and retryable")
    func retryable() async throws {
        let slow = try await Self.getError(HTTPResponse(status: 503, headers: ["Retry-After": "3"],
                                                        body: Self.errorBody("SlowDown", "Please reduce your request rate.")))
        #expect(slow.code == .rateLimited)
        #expect(slow.isRetryable)
        #expect(slow.retryAfter == .seconds(3))
        let bare = try await Self.getError(HTTPResponse(status: 503))
        #expect(bare.code == .unavailable)
        #expect(bare.isRetryable)
        let internalError = try await Self.getError(HTTPResponse(status: 500, body: Self.errorBody("InternalError", "We encountered an internal error.")))
        #expect(internalError.code == .unavailable)
        #expect(internalError.isRetryable)
        let other = try await Self.getError(HTTPResponse(status: 409, body: Self.errorBody("SomethingNew", "?")))
        #expect(other.code == .conflict, "unknown codes fall back to the status")
        #expect(other.cause == "SomethingNew (HTTP 409)")
    }

    @Test("a wrong region's redirect is invalidConfiguration pointing at the right one")
    func wrongRegion() async throws {
        let e = try await Self.getError(HTTPResponse(status: 301, headers: ["x-amz-bucket-region": "us-west-2"], body: Self.errorBody(
            "PermanentRedirect", "The bucket you are attempting to access must be addressed using the specified endpoint.",
            extra: "<Endpoint>tickets-files.s3.us-west-2.amazonaws.com</Endpoint>")))
        #expect(e.code == .invalidConfiguration)
        #expect(e.message.contains("tickets-files.s3.us-west-2.amazonaws.com"), "\(e)")
        #expect(e.message.contains("region us-west-2"), "\(e)")
    }

    @Test("a HEAD refused without a body is explained by a one-byte GET's error document")
    func headDiagnosis() async throws {
        let (store, fake) = try Self.store { request in
            request.method == .head
                ? HTTPResponse(status: 403)
                : HTTPResponse(status: 403, body: Self.errorBody("SignatureDoesNotMatch", "The request signature we calculated does not match."))
        }
        let e = await #expect(throws: PlugboardError.self) { _ = try await store.head(key: "k") }
        #expect(e?.code == .unauthenticated)
        #expect(fake.requests.map(\.method) == [.head, .get])
        #expect(fake.requests.last?.headers["Range"] == "bytes=0-0")

        let (denied, _) = try Self.store { _ in HTTPResponse(status: 403) }
        let d = await #expect(throws: PlugboardError.self) { _ = try await denied.head(key: "k") }
        #expect(d?.code == .permissionDenied, "no error document anywhere: the status decides")
    }

    @Test("HEAD 404: HeadBucket once tells a missing key (nil) from a missing bucket (notFound)")
    func headMissing() async throws {
        let (store, fake) = try Self.store { request in HTTPResponse(status: request.url.hasSuffix("/tickets-files") ? 200 : 404) }
        #expect(try await store.head(key: "a") == nil)
        #expect(try await store.head(key: "b") == nil)
        #expect(fake.requests.map(\.url) == ["https://s3.eu-west-1.amazonaws.com/tickets-files/a", "https://s3.eu-west-1.amazonaws.com/tickets-files",
                                              "https://s3.eu-west-1.amazonaws.com/tickets-files/b"])

        let (gone, _) = try Self.store { _ in HTTPResponse(status: 404) }
        let e = await #expect(throws: PlugboardError.self) { _ = try await gone.head(key: "a") }
        #expect(e?.code == .notFound)
        #expect(e?.message.contains("bucket tickets-files does not exist") == true, "\(String(describing: e))")
    }

    @Test("delete: 204 and NoSuchKey succeed; NoSuchBucket does not")
    func deletes() async throws {
        let (ok, _) = try Self.store { _ in HTTPResponse(status: 204) }
        try await ok.delete(key: "a")
        let (missing, _) = try Self.store { _ in HTTPResponse(status: 404, body: Self.errorBody("NoSuchKey", "nope")) }
        try await missing.delete(key: "a")
        let (noBucket, _) = try Self.store { _ in HTTPResponse(status: 404, body: Self.errorBody("NoSuchBucket", "nope")) }
        let e = await #expect(throws: PlugboardError.self) { try await noBucket.delete(key: "a") }
        #expect(e?.code == .notFound)
    }

    @Test("a network failure keeps its code and names the operation, key and bucket")
    func transportFailure() async throws {
        let (store, _) = try Self.store { _ in throw PlugboardError.unavailable("cannot connect to s3.eu-west-1.amazonaws.com:443") }
        let e = await #expect(throws: PlugboardError.self) { _ = try await store.put(key: "k.txt", data: Data("x".utf8), contentType: nil) }
        #expect(e?.code == .unavailable)
        #expect(e?.isRetryable == true)
        #expect(e?.message.hasPrefix("s3 PutObject of \"k.txt\" in bucket tickets-files: cannot connect") == true, "\(String(describing: e))")
    }

    @Test("invalid keys are refused before any request")
    func invalidKeys() async throws {
        let (store, fake) = try Self.store { _ in HTTPResponse(status: 200) }
        for key in ["", "/abs", "a//b", "../x", "a\u{0}b"] {
            await #expect(throws: PlugboardError.self) { _ = try await store.get(key: key) }
        }
        #expect(fake.requests.isEmpty)
    }
}
