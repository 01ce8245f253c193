import Foundation
@testable import CRMHubSpot
import PlugboardKernel
@testable import VendorFakes
import Testing

@Suite("hubspot secrets")
struct HubSpotSecretTests {
    @Test("no error message or log line holds the token, even when the server echoes it")
    func tokenNeverShown() async throws {
        let token = "pat-na1-" + UUID().uuidString.lowercased()
        let label = "hubspot-secret-test-\(UInt32.random(in: 0...UInt32.max))"
        let (errors, logged) = try await LogCapture.run(label: label) {
            var errors: [String] = []
            let fake = FakeHubSpot(token: token)
            let crm = try HubSpotCRM(HubSpotHarness.configuration(fake), transport: FakeHTTPTransport { try await fake.handle($0) },
                                     logger: Logger(label: label))
            let policed = PolicyCRM(crm, policy: CallPolicy(port: .crm, adapter: "hubspot", retry: RetryPolicy(maxAttempts: 1),
                                                             metrics: AdapterMetrics(), logger: Logger(label: label)))
            let echo = #"{"status":"error","message":"Invalid token \#(fake.token) for portal","category":"VALIDATION_ERROR"}"#
            for status in [400, 401, 403, 404, 409, 429, 500] {
                // Retry-After 0: a 429 pauses the adapter's whole budget for that long.
                fake.inject(.response(status, ["Content-Type": "application/json", "Retry-After": "0"], echo))
                do { _ = try await policed.findOrCreateContact(email: "x@example.com", name: nil) } catch { errors.append("\(error)") }
            }
            fake.inject(.malformedJSON)
            do { _ = try await policed.findOrCreateContact(email: "y@example.com", name: nil) } catch { errors.append("\(error)") }
            let wrong = try HubSpotCRM(HubSpotCRM.Configuration(baseURL: "https://api.hubapi.test", token: "pat-wrong-\(fake.token)"),
                                       transport: FakeHTTPTransport { try await fake.handle($0) }, logger: Logger(label: label))
            do { _ = try await wrong.findOrCreateContact(email: "z@example.com", name: nil) } catch { errors.append("\(error)") }
            return errors
        }
        #expect(errors.count == 8, "every status failed the call but 404, which is a miss before a create")
        #expect(errors.contains { $0.contains("***") }, "the echoed token is masked")
        #expect(!logged.isEmpty, "the adapter and the policy layer logged at debug level")
        for text in errors + logged {
            #expect(!text.contains(token), "leaked: \(text)")
        }
    }
}
