import Foundation
import PlugboardConformance
import PlugboardKernel
import StorageDynamoDB
import Testing
import VendorFakes

/// Each data set is a table prefix; tables are created on first use.
/// Several stores may share one data set at once (like several processes).
struct DynamoDBHarness: StorageHarness {
    let runPrefix = Moto.uniquePrefix()
    var isPersistent: Bool { true }
    var supportsConcurrentInstances: Bool { true }

    func open(_ name: String) async throws -> any DocumentStore {
        try Moto.store(prefix: "\(runPrefix)\(name)_")
    }
}

@Suite("dynamodb storage conformance (moto)", .enabled(if: Moto.reachable || Moto.required, "needs moto (Scripts/test.sh)"))
struct DynamoDBConformanceTests {
    @Test(arguments: StorageConformance.cases)
    func conformance(_ c: StorageConformance.Case) async throws {
        try await c.run(DynamoDBHarness())
    }
}
