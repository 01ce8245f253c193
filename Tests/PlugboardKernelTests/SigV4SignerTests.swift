import Foundation
import Testing
@testable import PlugboardKernel

/// Behaviour the reference suites do not pin: S3 versus standard paths,
/// presign limits, unsigned payloads, tokens, credentials that never print.
@Suite("SigV4 signer")
struct SigV4SignerTests {
    let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    @Test func amzDateAndScope() {
        #expect(SigV4Signer.amzDate(date) == "20150830T123600Z")
        let s = SigV4Signer(credentials: credentials, region: "eu-west-3", service: "dynamodb")
        #expect(s.credentialScope(date) == "20150830/eu-west-3/dynamodb/aws4_request")
        #expect(s.options == .standard)
    }

    @Test("S3 keeps the path as is and encodes it once; other services normalize and encode twice")
    func pathModes() {
        let s3 = SigV4Signer(credentials: credentials, region: "us-east-1", service: "s3")
        let other = SigV4Signer(credentials: credentials, region: "us-east-1", service: "dynamodb")
        #expect(s3.canonicalURI("/bucket/a//b/../c%2Fd e") == "/bucket/a//b/../c%2Fd%20e")
        #expect(s3.canonicalURI("/bucket/test$file.text") == "/bucket/test%24file.text")
        #expect(s3.canonicalURI("/bucket/test%24file.text") == "/bucket/test%24file.text")
        #expect(other.canonicalURI("/a//b/../c%2Fd") == "/a/c%252Fd")
        #expect(other.canonicalURI("") == "/")
    }

    @Test("S3 header signing adds x-amz-content-sha256, UNSIGNED-PAYLOAD on request")
    func unsignedPayload() throws {
        let s3 = SigV4Signer(credentials: credentials, region: "us-east-1", service: "s3")
        let req = HTTPRequest(method: .put, url: "https://bucket.s3.amazonaws.com/key", body: Array("hello".utf8))
        let unsigned = try s3.signing(req, date: date, payload: .unsigned)
        #expect(unsigned.request.headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD")
        #expect(unsigned.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
        #expect(unsigned.signedHeaders == "host;x-amz-content-sha256;x-amz-date")
        let hashed = try s3.signing(req, date: date)
        #expect(hashed.request.headers["x-amz-content-sha256"] == Digest.hex(Digest.sha256(Array("hello".utf8))))
        #expect(hashed.signature != unsigned.signature)
    }

    @Test("a non-default port is part of the signed Host")
    func hostWithPort() throws {
        let s = SigV4Signer(credentials: credentials, region: "us-east-1", service: "dynamodb")
        var req = HTTPRequest(method: .post, url: "http://127.0.0.1:15000/", body: Array("{}".utf8))
        req.headers.add("X-Amz-Target", "DynamoDB_20120810.ListTables")
        let signing = try s.signing(req, date: date)
        #expect(signing.request.headers["Host"] == "127.0.0.1:15000")
        #expect(signing.canonicalRequest.contains("\nhost:127.0.0.1:15000\n"))
        #expect(signing.signedHeaders == "host;x-amz-date;x-amz-target")
    }

    @Test("presigned URLs last at most 7 days")
    func presignExpiry() throws {
        let s3 = SigV4Signer(credentials: credentials, region: "us-east-1", service: "s3")
        let req = HTTPRequest(method: .get, url: "https://bucket.s3.amazonaws.com/a b.txt")
        let url = try s3.presign(req, expires: 604_800, date: date)
        #expect(url.hasPrefix("https://bucket.s3.amazonaws.com/a%20b.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&"))
        #expect(url.contains("X-Amz-Expires=604800"))
        for bad in [0, -1, 604_801] {
            let error = #expect(throws: PlugboardError.self) { try s3.presign(req, expires: bad, date: date) }
            #expect(error?.code == .invalidInput)
            #expect(error?.message.contains("7 days") == true)
        }
    }

    @Test("session tokens are signed in headers and in presigned URLs")
    func sessionTokens() throws {
        let temp = AWSCredentials(accessKeyID: "ASIAEXAMPLE", secretAccessKey: "secret", sessionToken: "TOKEN/+=")
        let s = SigV4Signer(credentials: temp, region: "us-east-1", service: "s3")
        let req = HTTPRequest(method: .get, url: "https://bucket.s3.amazonaws.com/k")
        let header = try s.signing(req, date: date)
        #expect(header.request.headers["X-Amz-Security-Token"] == "TOKEN/+=")
        #expect(header.signedHeaders.contains("x-amz-security-token"))
        let url = try s.presign(req, expires: 60, date: date)
        #expect(url.contains("X-Amz-Security-Token=TOKEN%2F%2B%3D"))
    }

    @Test("credentials never print their secret")
    func credentialsRedacted() {
        let c = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "SECRETKEY123", sessionToken: "TOKEN456")
        var dumped = ""
        dump(c, to: &dumped)
        for text in [c.description, String(reflecting: c), "\(c)", dumped] {
            #expect(!text.contains("SECRETKEY123"), "\(text)")
            #expect(!text.contains("TOKEN456"), "\(text)")
            #expect(text.contains("AKIDEXAMPLE"))
        }
    }

    @Test("query parameters are sorted by name, then value, and encoded strictly")
    func canonicalQuery() {
        let q = SigV4Signer.canonicalQuery(SigV4Signer.queryParameters("b=2&a=z&a=y&c&d=a+b&e=%7e"))
        #expect(q == "a=y&a=z&b=2&c=&d=a%2Bb&e=~")
    }
}
