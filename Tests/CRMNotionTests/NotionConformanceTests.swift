@testable import CRMNotion
import PlugboardConformance
import PlugboardKernel
@testable import VendorFakes
import Synchronization
import Testing

/// The Notion CRM over a fresh fake workspace per case.
final class NotionHarness: CRMHarness {
    private let fakes = Mutex<[FakeNotion]>([])
    let stampUpdates: Bool

    /// - Parameter stampUpdates: map `updated_at` to a date column (else Notion's `last_edited_time`).
    init(stampUpdates: Bool = false) { self.stampUpdates = stampUpdates }

    func open() async throws -> any CRM {
        let fake = FakeNotion()
        fakes.withLock { $0.append(fake) }
        return try NotionCRM(NotionHarness.configuration(fake, stampUpdates: stampUpdates),
                             transport: FakeHTTPTransport { try await fake.handle($0) })
    }

    static func configuration(_ fake: FakeNotion, stampUpdates: Bool = false, timeout: Duration = .seconds(5)) -> NotionCRM.Configuration {
        NotionCRM.Configuration(
            baseURL: "https://api.notion.test", token: fake.token, timeout: timeout,
            contactsDatabase: FakeNotion.contactsDatabase.replacingOccurrences(of: "-", with: ""), ticketsDatabase: FakeNotion.ticketsDatabase,
            templatesDatabase: FakeNotion.templatesDatabase,
            properties: .init(ticketUpdatedAt: stampUpdates ? "Mis à jour" : nil, ticketFields: ["summary": "Résumé", "category": "Catégorie"]),
            openStatus: "Not started", closedStatuses: ["Done"])
    }

    var rejections: [String] { fakes.withLock { $0.flatMap(\.rejections) } }

    var closingProperties: [String: JSON] { ["status": "Done"] }
    var textProperty: String { "summary" }
    var ticketsHaveURLs: Bool { true }
    /// Notion has no unique columns: two concurrent creates of one e-mail can both create.
    var findOrCreateIsAtomic: Bool { false }
    var searchDelay: Duration { .zero }

    func noteBodies(_ crm: any CRM, ticketId: String) async throws -> [String]? {
        try await (crm as! NotionCRM).notes(ticketId: ticketId)
    }
}

@Suite("notion crm conformance", .serialized)
struct NotionConformanceTests {
    @Test("against the fake Notion (last_edited_time)", arguments: CRMConformance.cases)
    func conformance(_ c: CRMConformance.Case) async throws {
        let harness = NotionHarness()
        try await c.run(harness)
        #expect(harness.rejections == [], "requests the fake refused as Notion would")
    }

    @Test("against the fake Notion (an updated_at date column)", arguments: CRMConformance.cases)
    func stamped(_ c: CRMConformance.Case) async throws {
        let harness = NotionHarness(stampUpdates: true)
        try await c.run(harness)
        #expect(harness.rejections == [], "requests the fake refused as Notion would")
    }
}
