import Foundation
import PlugboardKernel
@testable import StorageDynamoDB

/// The moto server the test harness starts (Scripts/test.sh exports these).
/// Suites needing it run when the endpoint is set, and fail instead of
/// skipping when `REQUIRE_MOTO=1`.
enum Moto {
    static let environment = ProcessInfo.processInfo.environment
    static let endpoint = environment["PLUGBOARD_TEST_AWS_ENDPOINT"]
    static let accessKeyID = environment["PLUGBOARD_TEST_AWS_ACCESS_KEY_ID"] ?? ""
    static let secretAccessKey = environment["PLUGBOARD_TEST_AWS_SECRET_ACCESS_KEY"] ?? ""
    static let region = environment["AWS_REGION"] ?? "us-east-1"
    static var reachable: Bool { endpoint != nil }
    static var required: Bool { environment["REQUIRE_MOTO"] == "1" }

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "REQUIRE_MOTO=1 but PLUGBOARD_TEST_AWS_ENDPOINT is not set (run the tests through Scripts/test.sh)"
        }
    }

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
        guard let endpoint else { throw NotConfigured() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        var env = environment
        env["ENDPOINT"] = endpoint
        env["KEY"] = accessKeyID
        env["SECRET"] = secretAccessKey
        env["REGION"] = region
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PythonFailed(status: process.terminationStatus, stderr: String(decoding: errors, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }

    struct PythonFailed: Error, CustomStringConvertible {
        let status: Int32
        let stderr: String
        var description: String { "python3 exited \(status): \(stderr.suffix(2000))" }
    }
}
