import Foundation
import Testing
@testable import PlugboardKernel

/// aws-c-auth's SigV4 suite (`aws-c-auth-v4/`, 38 cases), each signed twice:
/// in the `Authorization` header and as a presigned URL (query), comparing
/// canonical request, string to sign and signature for both forms.
@Suite("SigV4: aws-c-auth v4 suite")
struct SigV4AwsCAuthSuiteTests {
    static let expectedCaseCount = 38

    static func caseNames() throws -> [String] {
        let root = try SigV4Reference.folder("aws-c-auth-v4")
        return try FileManager.default.contentsOfDirectory(atPath: root.path)
            .filter { FileManager.default.fileExists(atPath: root.appendingPathComponent("\($0)/context.json").path) }
            .sorted()
    }

    static var arguments: [String] { (try? caseNames()) ?? ["<aws-c-auth-v4 missing>"] }

    @Test("every case of the suite is present")
    func suiteIsComplete() throws {
        let names = try Self.caseNames()
        #expect(names.count == Self.expectedCaseCount, "found \(names.count) cases")
        print("SigV4 aws-c-auth v4 suite: \(names.count) cases found, each run in header and query form, none skipped")
    }

    struct Case {
        let dir: URL
        let signer: SigV4Signer
        let date: Date
        let expires: Int
        let request: HTTPRequest

        init(_ name: String) throws {
            dir = try SigV4Reference.folder("aws-c-auth-v4").appendingPathComponent(name)
            let context = try SigV4Reference.json(dir.appendingPathComponent("context.json"))
            let creds = try #require(context["credentials"])
            let options = SigV4Signer.Options(
                normalizesPath: context["normalize"]?.boolValue ?? true,
                encodesPathTwice: true,
                addsContentSHA256Header: context["sign_body"]?.boolValue ?? false,
                signsSessionToken: !(context["omit_session_token"]?.boolValue ?? false))
            signer = SigV4Signer(
                credentials: AWSCredentials(accessKeyID: try SigV4Reference.string(creds["access_key_id"], "access_key_id"),
                                            secretAccessKey: try SigV4Reference.string(creds["secret_access_key"], "secret_access_key"),
                                            sessionToken: creds["token"]?.stringValue),
                region: try SigV4Reference.string(context["region"], "region"),
                service: try SigV4Reference.string(context["service"], "service"),
                options: options)
            date = try SigV4Reference.date(context["timestamp"], "timestamp")
            expires = try #require(context["expiration_in_seconds"]?.intValue)
            request = SigV4Reference.RawRequest(try String(contentsOf: dir.appendingPathComponent("request.txt"), encoding: .utf8)).request
        }

        func expected(_ file: String) throws -> String { try SigV4Reference.read(dir.appendingPathComponent(file)) }
    }

    @Test("header signing matches", arguments: arguments)
    func headerSigning(_ name: String) throws {
        let c = try Case(name)
        let signing = try c.signer.signing(c.request, date: c.date)
        #expect(signing.canonicalRequest == (try c.expected("header-canonical-request.txt")), "\(name)")
        #expect(signing.stringToSign == (try c.expected("header-string-to-sign.txt")), "\(name)")
        #expect(signing.signature == (try c.expected("header-signature.txt")), "\(name)")
        let signedRequest = SigV4Reference.RawRequest(try c.expected("header-signed-request.txt"))
        #expect(signing.request.headers["Authorization"] == signedRequest.headers["Authorization"], "\(name)")
        #expect(signing.request.headers["X-Amz-Security-Token"] == signedRequest.headers["X-Amz-Security-Token"], "\(name)")
    }

    @Test("query signing (presigned URL) matches", arguments: arguments)
    func querySigning(_ name: String) throws {
        let c = try Case(name)
        let signing = try c.signer.presigning(c.request, expires: c.expires, date: c.date, payload: .body)
        #expect(signing.canonicalRequest == (try c.expected("query-canonical-request.txt")), "\(name)")
        #expect(signing.stringToSign == (try c.expected("query-string-to-sign.txt")), "\(name)")
        #expect(signing.signature == (try c.expected("query-signature.txt")), "\(name)")
        // The signed URL carries the same parameters as aws-c-auth's (order aside).
        let expectedTarget = SigV4Reference.RawRequest(try c.expected("query-signed-request.txt")).target
        let expectedQuery = expectedTarget.split(separator: "?", maxSplits: 1).last.map(String.init)
        let ours = try #require(URLParts(signing.request.url))
        func params(_ q: String?) -> [String] {
            SigV4Signer.queryParameters(q).map { "\($0.0)=\($0.1)" }.sorted()
        }
        #expect(params(ours.query) == params(expectedQuery), "\(name)")
    }
}
