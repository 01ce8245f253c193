import Foundation
import Testing
@testable import PlugboardKernel

/// The five signing examples of the Amazon S3 API Reference
/// (`s3-doc-examples.json`): four header-signed requests and one presigned URL,
/// signed in S3 mode (path encoded once, not normalized, `x-amz-content-sha256`).
@Suite("SigV4: S3 documentation examples")
struct SigV4S3ExamplesTests {
    static let expectedCaseCount = 5

    static func document() throws -> JSON {
        try SigV4Reference.json(try SigV4Reference.folder("s3-doc-examples.json"))
    }

    static var arguments: [String] {
        (try? document()["cases"]?.arrayValue?.compactMap { $0["name"]?.stringValue }) ?? ["<s3-doc-examples.json missing>"]
    }

    static func signer(_ doc: JSON) throws -> SigV4Signer {
        let creds = try #require(doc["credentials"])
        return SigV4Signer(
            credentials: AWSCredentials(accessKeyID: try SigV4Reference.string(creds["access_key_id"], "access_key_id"),
                                        secretAccessKey: try SigV4Reference.string(creds["secret_access_key"], "secret_access_key")),
            region: try SigV4Reference.string(doc["region"], "region"), service: try SigV4Reference.string(doc["service"], "service"))
    }

    @Test("every example is present, and the signing key matches")
    func documentIsComplete() throws {
        let doc = try Self.document()
        let cases = try #require(doc["cases"]?.arrayValue)
        #expect(cases.count == Self.expectedCaseCount)
        let signer = try Self.signer(doc)
        #expect(signer.options == .s3)
        let date = try SigV4Reference.date(doc["timestamp"], "timestamp")
        #expect(Digest.hex(signer.signingKey(date: date)) == doc["signing_key_hex"]?.stringValue)
        #expect(signer.credentialScope(date) == doc["credential_scope"]?.stringValue)
        print("SigV4 S3 documentation examples: \(cases.count) cases found, all run, none skipped")
    }

    @Test("canonical request, string to sign and signature match", arguments: arguments)
    func signsExample(_ name: String) throws {
        let doc = try Self.document()
        let example = try #require(doc["cases"]?.arrayValue?.first { $0["name"]?.stringValue == name })
        let signer = try Self.signer(doc)
        let date = try SigV4Reference.date(doc["timestamp"], "timestamp")

        // Rebuild the request as a client would send it: the key unencoded (the
        // signer encodes it once), sub-resources without `=`, and without the
        // headers the signer must add itself.
        var headers = HTTPHeaders()
        var host = ""
        for (k, v) in try #require(example["headers"]?.objectValue).sorted(by: { $0.key < $1.key }) {
            let value = try SigV4Reference.string(v, k)
            if k.lowercased() == "host" { host = value }
            if ["x-amz-date", "x-amz-content-sha256"].contains(k.lowercased()) { continue }
            headers.add(k, value)
        }
        let path = URIEncoding.decode(try SigV4Reference.string(example["canonical_uri"], "canonical_uri"))
        let query = try SigV4Reference.string(example["canonical_query"], "canonical_query")
        let signedQuery = query.contains("X-Amz-Signature") || query.contains("X-Amz-Algorithm")
        let clientQuery = signedQuery ? "" : query.split(separator: "&").map { $0.hasSuffix("=") ? String($0.dropLast()) : String($0) }
            .joined(separator: "&")
        let url = "https://\(host)\(path)\(clientQuery.isEmpty ? "" : "?" + clientQuery)"
        let body = Array((example["body"]?.stringValue ?? "").utf8)
        let request = HTTPRequest(method: HTTPMethod(try SigV4Reference.string(example["method"], "method")), url: url,
                                  headers: headers, body: body)

        let signing: SigV4Signer.Signing
        if let presigned = example["presigned_url"]?.stringValue {
            let expires = try #require(SigV4Signer.queryParameters(query).first { $0.0 == "X-Amz-Expires" }.flatMap { Int($0.1) })
            signing = try signer.presigning(request, expires: expires, date: date)
            #expect(signing.request.url == presigned, "\(name): presigned URL")
        } else {
            signing = try signer.signing(request, date: date)
            #expect(signing.request.headers["x-amz-content-sha256"] == example["payload_hash"]?.stringValue, "\(name)")
            let authz = signing.request.headers["Authorization"]?.replacingOccurrences(of: ", ", with: ",")
            #expect(authz == example["authorization"]?.stringValue, "\(name): Authorization")
        }
        #expect(signing.canonicalRequest == example["canonical_request"]?.stringValue, "\(name): canonical request")
        #expect(signing.stringToSign == example["string_to_sign"]?.stringValue, "\(name): string to sign")
        #expect(signing.signature == example["signature"]?.stringValue, "\(name): signature")
        #expect(signing.signature == example["expected_signature_from_aws_docs"]?.stringValue, "\(name): AWS's signature")
    }
}
