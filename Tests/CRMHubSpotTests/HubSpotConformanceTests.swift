@testable import CRMHubSpot
import PlugboardConformance
import PlugboardKernel
@testable import VendorFakes
import Synchronization
import Testing

/// The HubSpot CRM over a fresh fake account per case.
final class HubSpotHarness: CRMHarness {
    private let fakes = Mutex<[FakeHubSpot]>([])

    func open() async throws -> any CRM {
        let fake = FakeHubSpot()
        fakes.withLock { $0.append(fake) }
        return try HubSpotCRM(HubSpotHarness.configuration(fake), transport: FakeHTTPTransport { try await fake.handle($0) })
    }

    static func configuration(_ fake: FakeHubSpot, timeout: Duration = .seconds(5)) -> HubSpotCRM.Configuration {
        HubSpotCRM.Configuration(baseURL: "https://api.hubapi.test", token: fake.token, timeout: timeout, portalId: "4711")
    }

    /// Every request the fakes refused (a body HubSpot would not take).
    var rejections: [String] { fakes.withLock { $0.flatMap(\.rejections) } }

    var closingProperties: [String: JSON] { ["hs_pipeline_stage": "4"] }
    var textProperty: String { "plugboard_summary" }
    var ticketsHaveURLs: Bool { true }
    var findOrCreateIsAtomic: Bool { true }
    var searchDelay: Duration { .zero }

    func noteBodies(_ crm: any CRM, ticketId: String) async throws -> [String]? {
        try await (crm as! HubSpotCRM).notes(ticketId: ticketId)
    }
}

@Suite("hubspot crm conformance", .serialized)
struct HubSpotConformanceTests {
    @Test("against the fake HubSpot", arguments: CRMConformance.cases)
    func conformance(_ c: CRMConformance.Case) async throws {
        let harness = HubSpotHarness()
        try await c.run(harness)
        #expect(harness.rejections == [], "requests the fake refused as HubSpot would")
    }
}
