import Foundation
import PlugboardConformance
@testable import PlugboardKernel
import Testing

/// Opens the CRM example the way the CLI does (adapters.json, policy layer), and
/// reads notes back through the example's `notes` operation.
struct PluginCRMHarness: CRMHarness {
    let config: PlugboardConfig
    var closingProperties: [String: JSON] { ["status": "closed"] }
    var textProperty: String { "summary" }
    var ticketsHaveURLs: Bool { true }
    var findOrCreateIsAtomic: Bool { true }
    var searchDelay: Duration { .zero }

    func open() async throws -> any CRM {
        try await Adapters(config: config, registry: Registry([MemoryStore.registryEntry])).crm()
    }

    func noteBodies(_ crm: any CRM, ticketId: String) async throws -> [String]? {
        let plugin = try #require((crm as? PolicyCRM)?.base as? PluginCRM, "the CRM is the plugin's, under its policy layer")
        let r = try await plugin.instance.call("notes", ["ticket_id": .string(ticketId)])
        return try #require(r.arrayValue, "notes of ticket \(ticketId): \(r)").compactMap(\.stringValue)
    }
}

@Suite("the CRM example plugin", .serialized)
struct PluginCRMExampleTests {
    static func config() throws -> PlugboardConfig {
        let lib = try PluginBuilds.example(folder: "plugin-memory-crm")
        return try PluginBuilds.config(#"""
            {"plugins": ["\#(lib)"], "storage": {"adapter": "memory"},
             "crm": {"adapter": "example-crm", "base_url": "https://crm.example.com/tickets", "closed_status": "closed"}}
            """#)
    }

    /// The CRM conformance suite, unchanged, through the loaded example.
    @Test(arguments: CRMConformance.cases)
    func crmConformance(_ c: CRMConformance.Case) async throws {
        try await c.run(PluginCRMHarness(config: try Self.config()))
    }

    @Test func theCRMExampleIsHandedOutUnderThePolicyLayer() async throws {
        let crm = try await Adapters(config: try Self.config(), registry: Registry([MemoryStore.registryEntry])).crm()
        let policed = try #require(crm as? PolicyCRM, "handed out under the policy layer")
        #expect(policed.base is PluginCRM)
        _ = try await crm.findOrCreateContact(email: "ann@example.com", name: "Ann")
        let check = await (try #require(policed.base as? any HealthChecking)).check()
        #expect(check.ok && check.detail.contains("CRM in process memory (1 contacts, 0 tickets)"), "\(check)")
    }
}
