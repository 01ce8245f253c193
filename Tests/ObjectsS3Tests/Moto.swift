import Foundation
import PlugboardKernel
@testable import ObjectsS3

/// The moto server the test harness starts (Scripts/test.sh exports these),
/// with SigV4 checking on. Suites needing it run when the endpoint is set, and
/// fail instead of skipping when `REQUIRE_MOTO=1`.
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

    static func uniqueBucket() -> String { "pbt-" + String(UInt64.random(in: 0..<UInt64.max), radix: 36) }

    /// A store on `bucket` (path-style, as moto needs), without creating the bucket.
    static func store(bucket: String, secret: String? = nil, multipartThreshold: Int = S3ObjectStore.Configuration.defaultMultipartThreshold,
                      partSize: Int = S3ObjectStore.Configuration.defaultPartSize,
                      transport: (any HTTPTransport)? = nil) throws -> S3ObjectStore {
        guard let endpoint else { throw NotConfigured() }
        return try S3ObjectStore(S3ObjectStore.Configuration(
            endpoint: endpoint, region: region, bucket: bucket,
            credentials: AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secret ?? secretAccessKey),
            pathStyle: true, multipartThreshold: multipartThreshold, partSize: partSize), transport: transport)
    }

    /// A store over a new, empty bucket, created with the adapter's own signed CreateBucket.
    static func freshStore(multipartThreshold: Int = S3ObjectStore.Configuration.defaultMultipartThreshold,
                           partSize: Int = S3ObjectStore.Configuration.defaultPartSize,
                           transport: (any HTTPTransport)? = nil) async throws -> S3ObjectStore {
        let store = try store(bucket: uniqueBucket(), multipartThreshold: multipartThreshold, partSize: partSize, transport: transport)
        try await createBucket(store)
        return store
    }

    static func createBucket(_ store: S3ObjectStore) async throws {
        let response = try await store.send("CreateBucket", .put, store.addressing.bucketURL, key: nil)
        guard response.isSuccess else { throw store.failure("CreateBucket", key: nil, response: response) }
    }

    /// boto3's S3 client against moto, path-style, without the checksum headers
    /// newer botocore adds by default (moto cannot check them).
    static let boto3Client = #"""
import os, sys, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=os.environ["ENDPOINT"], region_name=os.environ["REGION"],
                  aws_access_key_id=os.environ["KEY"], aws_secret_access_key=os.environ["SECRET"],
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                                request_checksum_calculation="when_required",
                                response_checksum_validation="when_required"))
"""#

    /// Runs a Python script with boto3 against moto (`s3` is a ready client); returns its stdout.
    static func python(_ script: String, arguments: [String] = []) throws -> Data {
        guard let endpoint else { throw NotConfigured() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", boto3Client + "\n" + script] + arguments
        var env = environment
        env["ENDPOINT"] = endpoint
        env["KEY"] = accessKeyID
        env["SECRET"] = secretAccessKey
        env["REGION"] = region
        process.environment = env
        // stderr goes to a file, so a chatty child cannot stall on a full pipe while stdout is read.
        let errorPath = FileManager.default.temporaryDirectory.appendingPathComponent("s3-python-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorPath.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorPath) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errorPath)
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = (try? Data(contentsOf: errorPath)) ?? Data()
        guard process.terminationStatus == 0 else {
            throw PythonFailed(status: process.terminationStatus, stderr: String(decoding: errors, as: UTF8.self))
        }
        return data
    }

    struct PythonFailed: Error, CustomStringConvertible {
        let status: Int32
        let stderr: String
        var description: String { "python3 exited \(status): \(stderr.suffix(2000))" }
    }
}
