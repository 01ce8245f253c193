import Foundation
import PlugboardConformance
import PlugboardKernel
import Testing
@testable import ObjectsS3
import VendorFakes

/// Each store is a new bucket on moto (SigV4 checking on); URLs are presigned
/// and fetched with plain curl, no credentials.
struct S3Harness: ObjectStoreHarness {
    func open() async throws -> any ObjectStore { try await Moto.freshStore() }
    var urls: ObjectURLKind { .presigned }
    func fetch(_ url: String) async throws -> Data? {
        let response = try await CurlTransport.shared.send(HTTPRequest(method: .get, url: url))
        guard response.status == 200 else {
            throw PlugboardError(.internal, "GET of a presigned URL answered HTTP \(response.status): \(response.text.prefix(300))")
        }
        return response.body
    }
}

@Suite("s3 objects conformance (moto)", .enabled(if: Moto.reachable || Moto.required, "needs moto (Scripts/test.sh)"))
struct S3ConformanceTests {
    @Test(arguments: ObjectStoreConformance.cases)
    func conformance(_ c: ObjectStoreConformance.Case) async throws {
        try await c.run(S3Harness())
    }
}
