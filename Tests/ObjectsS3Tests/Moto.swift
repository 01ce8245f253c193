import Foundation
import PlugboardKernel
@testable import ObjectsS3
import VendorFakes

/// S3 stores on the shared moto server (`Moto` in VendorFakes).
extension Moto {
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
        try runPython(boto3Client + "\n" + script, arguments: arguments)
    }
}
