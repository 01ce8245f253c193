import Foundation
import Testing
@testable import PlugboardKernel

/// botocore's copy of AWS's SigV4 test suite (`aws4_testsuite/`, 34 cases):
/// every `.req` is signed and its canonical request, string to sign and
/// `Authorization` value compared with the `.creq`, `.sts` and `.authz` files.
///
/// botocore itself skips four cases (duplicate query keys and the unescaped
/// space in `normalize-path/get-space`); they are valid vectors, and a signer
/// that sorts query pairs by name then value passes them, so all 34 run here.
@Suite("SigV4: botocore aws4_testsuite")
struct SigV4BotocoreSuiteTests {
    static let expectedCaseCount = 34

    /// Case folders relative to the suite (`get-vanilla`, `normalize-path/get-slash`, ...).
    static func caseNames() throws -> [String] {
        let root = try SigV4Reference.folder("aws4_testsuite")
        let walker = FileManager.default.enumerator(atPath: root.path)!
        var names: [String] = []
        while let rel = walker.nextObject() as? String {
            if rel.hasSuffix(".req") { names.append((rel as NSString).deletingLastPathComponent) }
        }
        return names.sorted()
    }

    /// Arguments for the parameterized test; a missing suite becomes one failing case, never zero cases.
    static var arguments: [String] { (try? caseNames()) ?? ["<aws4_testsuite missing>"] }

    @Test("every case of the suite is present")
    func suiteIsComplete() throws {
        let names = try Self.caseNames()
        #expect(names.count == Self.expectedCaseCount, "found \(names.count) cases: \(names)")
        print("SigV4 botocore aws4_testsuite: \(names.count) cases found, all run, none skipped")
    }

    @Test("canonical request, string to sign and Authorization match", arguments: arguments)
    func signsCase(_ name: String) throws {
        let dir = try SigV4Reference.folder("aws4_testsuite").appendingPathComponent(name)
        let base = dir.appendingPathComponent((name as NSString).lastPathComponent).path
        let raw = SigV4Reference.RawRequest(try String(contentsOfFile: base + ".req", encoding: .utf8))
        let creq = try SigV4Reference.read(URL(fileURLWithPath: base + ".creq"))
        let sts = try SigV4Reference.read(URL(fileURLWithPath: base + ".sts"))
        let authz = try SigV4Reference.read(URL(fileURLWithPath: base + ".authz"))
        let sreq = try SigV4Reference.read(URL(fileURLWithPath: base + ".sreq"))

        // Session-token cases: the token is in the signed request (.sreq); it is
        // signed when the canonical request lists it ("before"), else added after.
        let token = SigV4Reference.RawRequest(sreq).headers["X-Amz-Security-Token"]
        var options = SigV4Signer.Options.standard
        options.signsSessionToken = creq.contains("x-amz-security-token:")
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE",
                                        secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: token),
            region: "us-east-1", service: "service", options: options)

        let signing = try signer.signing(raw.request, date: SigV4Reference.suiteDate)
        #expect(signing.canonicalRequest == creq, "\(name): canonical request")
        #expect(signing.stringToSign == sts, "\(name): string to sign")
        #expect(signing.request.headers["Authorization"] == authz, "\(name): Authorization")
        if let token {
            #expect(signing.request.headers["X-Amz-Security-Token"] == token, "\(name): session token header")
        }
    }
}
