import Foundation
import PlugboardKernel
import Testing
@testable import ObjectsS3

/// `adapters.json` sections through the registry: defaults, the AWS_* fallbacks,
/// and errors that name the field.
struct S3ConfigurationTests {
    static let registry = Registry([S3ObjectStore.registryEntry])

    static func settings(_ section: JSON, environment: [String: String] = [:]) throws -> AdapterSettings {
        try ConfigLoader(registry: registry, environment: environment).settings(port: .objects, section: section, file: "adapters.json")
    }

    static func configuration(_ section: JSON, environment: [String: String] = [:]) throws -> S3ObjectStore.Configuration {
        try S3ObjectStore.configuration(from: settings(section, environment: environment))
    }

    @Test("defaults; credentials and region from the AWS_* variables; secrets redacted")
    func defaultsAndEnvironment() async throws {
        let env = ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "env-token",
                   "AWS_REGION": "eu-central-1"]
        let s = try Self.settings(["adapter": "s3", "bucket": "files"], environment: env)
        #expect(s.redacted["secret_access_key"] == "***")
        #expect(s.redacted["session_token"] == "***")
        let c = try S3ObjectStore.configuration(from: s)
        #expect(c.region == "eu-central-1")
        #expect(c.resolvedEndpoint == "https://s3.eu-central-1.amazonaws.com")
        #expect(c.credentials == AWSCredentials(accessKeyID: "AKIAENV", secretAccessKey: "env-secret", sessionToken: "env-token"))
        #expect(c.pathStyle == false)
        #expect(c.publicBaseURL == nil)
        #expect(c.multipartThreshold == 16 << 20)
        #expect(c.partSize == 8 << 20)
        #expect(c.presignExpiry == 604_800)
        #expect(c.timeout == .seconds(120))

        let store = try await Self.registry.makeObjects(s, AdapterContext(registry: Self.registry))
        #expect(store is S3ObjectStore)

        let bare = try Self.configuration(["adapter": "s3", "bucket": "files", "access_key_id": "A", "secret_access_key": "S"])
        #expect(bare.region == "us-east-1", "without AWS_REGION")
    }

    @Test("a Cloudflare R2 section")
    func r2() throws {
        let c = try Self.configuration([
            "adapter": "s3", "endpoint": "https://acct.r2.cloudflarestorage.com", "region": "auto", "bucket": "support",
            "access_key_id": "A", "secret_access_key": "S", "path_style": true, "public_base_url": "https://pub-1.r2.dev/",
            "multipart_threshold": 5_242_880, "part_size": 10_485_760, "presign_expiry": 3600, "timeout": 30.5,
        ])
        #expect(c.region == "auto")
        #expect(c.resolvedEndpoint == "https://acct.r2.cloudflarestorage.com")
        #expect(c.publicBaseURL == "https://pub-1.r2.dev")
        #expect(c.multipartThreshold == 5 << 20)
        #expect(c.partSize == 10 << 20)
        #expect(c.presignExpiry == 3600)
        #expect(c.timeout == .milliseconds(30_500))
    }

    @Test("errors name the file, the field and what is wrong", arguments: [
        (#"{"adapter": "s3"}"#, "objects.bucket"),
        (#"{"adapter": "s3", "bucket": "b"}"#, "objects.access_key_id: required"),
        (#"{"adapter": "s3", "bucket": "b", "access_key_id": "A"}"#, "objects.secret_access_key: required"),
        (#"{"adapter": "s3", "bucket": "b", "access_key_id": "A", "secret_access_key": "S", "region": "auto"}"#,
         "objects.endpoint: region auto is Cloudflare R2's"),
        (#"{"adapter": "s3", "bucket": "b", "access_key_id": "A", "secret_access_key": "S", "endpoint": "http://127.0.0.1:9000"}"#,
         "objects.path_style: virtual-hosted addressing"),
        (#"{"adapter": "s3", "bucket": "my.bucket", "access_key_id": "A", "secret_access_key": "S"}"#, "objects.path_style: bucket \"my.bucket\" has dots"),
        (#"{"adapter": "s3", "bucket": "b/c", "access_key_id": "A", "secret_access_key": "S"}"#, "objects.bucket:"),
        (#"{"adapter": "s3", "bucket": "b", "access_key_id": "A", "secret_access_key": "S", "endpoint": "ftp://x"}"#, "objects.endpoint:"),
        (#"{"adapter": "s3", "bucket": "b", "access_key_id": "A", "secret_access_key": "S", "multipart_threshold": 1000}"#,
         "objects.multipart_threshold: expected 5242880 (5 MiB)"),
        (#"{"adapter": "s3", "bucket": "b", "access_key_id": "A", "secret_access_key": "S", "part_size": 4194304}"#, "objects.part_size:"),
        (#"{"adapter": "s3", "bucket": "b", "access_key_id": "A", "secret_access_key": "S", "presign_expiry": 604801}"#,
         "objects.presign_expiry: expected 1 to 604800 seconds (7 days)"),
        (#"{"adapter": "s3", "bucket": "b", "access_key_id": "A", "secret_access_key": "S", "timeout": 0}"#, "objects.timeout:"),
        (#"{"adapter": "s3", "bucket": "b", "access_key_id": "A", "secret_access_key": "S", "public_base_url": "not a url"}"#,
         "objects.public_base_url:"),
        (#"{"adapter": "s3", "bucket": "b", "access_key_id": "A", "secret_access_key": "S", "path_styl": true}"#, "objects.path_styl: unknown field"),
    ])
    func errors(_ section: String, _ expected: String) throws {
        let error = #expect(throws: PlugboardError.self) { _ = try Self.configuration(try JSONParser.parse(section)) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("adapters.json: \(expected)") == true, "\(String(describing: error))")
        #expect(error?.message.contains("\"S\"") == false)
    }

    @Test("the Swift initializer refuses what the registry refuses, naming the field")
    func initializerValidates() {
        let error = #expect(throws: PlugboardError.self) {
            _ = try S3ObjectStore(.init(endpoint: "http://[::1]:4566", bucket: "b",
                                        credentials: AWSCredentials(accessKeyID: "A", secretAccessKey: "S")))
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.hasPrefix("path_style:") == true, "\(String(describing: error))")
    }

    @Test("the descriptor: fields, secrets, environment fallbacks, capabilities")
    func descriptor() {
        let d = S3ObjectStore.descriptor
        #expect(d.port == .objects)
        #expect(d.name == "s3")
        #expect(d.fields.map(\.name) == ["endpoint", "region", "bucket", "access_key_id", "secret_access_key", "session_token", "path_style",
                                         "public_base_url", "multipart_threshold", "part_size", "presign_expiry", "timeout"])
        #expect(d.fields.filter(\.secret).map(\.name) == ["secret_access_key", "session_token"])
        #expect(d.fields.compactMap(\.environment) == ["AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                                       "AWS_SESSION_TOKEN"])
        #expect(d.capabilities.contains("presigned_urls"))
        #expect(d.capabilities.contains("public_urls"))
    }
}
