import Foundation
import PlugboardKernel
@testable import StorageDynamoDB
import VendorFakes

/// DynamoDB stores on the shared moto server (`Moto` in VendorFakes).
extension Moto {
    static func credentials(secret: String? = nil) -> AWSCredentials {
        AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secret ?? secretAccessKey)
    }

    /// A store on its own tables (`pbt<random>_<collection>`), created on first use.
    static func store(prefix: String? = nil, secret: String? = nil, tables: [String: DynamoDBStore.TableMapping] = [:],
                      createTables: Bool = true) throws -> DynamoDBStore {
        guard let endpoint else { throw NotConfigured() }
        return try DynamoDBStore(DynamoDBStore.Configuration(
            endpoint: endpoint, region: region, credentials: credentials(secret: secret), tables: tables,
            tablePrefix: prefix ?? uniquePrefix(), createTables: createTables))
    }

    static func uniquePrefix() -> String { "pbt" + String(UInt64.random(in: 0..<UInt64.max), radix: 36) + "_" }

    /// Runs a Python script with boto3 against moto; returns its stdout.
    /// The script gets `ENDPOINT`, `KEY`, `SECRET`, `REGION` in its environment.
    static func python(_ script: String, arguments: [String] = []) throws -> String {
        String(decoding: try runPython(script, arguments: arguments), as: UTF8.self)
    }
}
