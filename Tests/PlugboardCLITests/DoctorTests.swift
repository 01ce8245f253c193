import Foundation
@testable import ObjectsS3
@testable import PlugboardCLI
import PlugboardKernel
import Testing

/// The servers Scripts/test.sh starts; the suite fails instead of skipping when they are required.
enum DoctorServers {
    static let env = ProcessInfo.processInfo.environment
    static let pgURL = env["PLUGBOARD_TEST_PG_URL"]
    static let awsEndpoint = env["PLUGBOARD_TEST_AWS_ENDPOINT"]
    static var available: Bool { pgURL != nil && awsEndpoint != nil }
    static var required: Bool { env["REQUIRE_PG"] == "1" || env["REQUIRE_MOTO"] == "1" }
}

@Suite("plugboard doctor")
struct DoctorTests {
    /// Runs `plugboard doctor` on `config` with the real registry (no shared memory store).
    func doctor(_ config: String, json: Bool = false) async throws -> (code: Int32, out: String, err: String) {
        let h = try CLIHarness()
        try h.write("adapters.json", config)
        let (console, captured) = Console.capturing()
        let code = await PlugboardCLI.run(["doctor", "--config", h.path("adapters.json"), "--timeout", "20"] + (json ? ["--json"] : []),
                                          console: console, environment: [:], registry: BuiltinAdapters.registry)
        return (code, captured.out, captured.err)
    }

    @Test func localAdaptersAllPass() async throws {
        let r = try await doctor("""
            {"storage": {"adapter": "json", "path": "data/tickets.json"},
             "objects": {"adapter": "filesystem", "root": "files"},
             "crm": {"adapter": "local"}, "tasks": {"adapter": "none"}, "llm": {"adapter": "rules"}, "notify": {"adapter": "log"}}
            """)
        #expect(r.code == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("All 6 checks passed."), "\(r.out)")
        #expect(r.out.contains("storage  json           ok"), "\(r.out)")
        #expect(r.out.contains("tasks (none): no follow-up task"), "\(r.out)")
        #expect(r.out.contains("attachments (filesystem): no presigned"), "\(r.out)")
    }

    @Test func brokenConfigNamesEachFailureWithAHintAndExitsOne() async throws {
        let r = try await doctor("""
            {"storage": {"adapter": "postgres", "url": "postgres://nobody@127.0.0.1:1/none", "connect_timeout": 2},
             "objects": {"adapter": "s3", "endpoint": "http://127.0.0.1:1", "bucket": "missing", "path_style": true,
                         "access_key_id": "AKIDEXAMPLE", "secret_access_key": "not-a-secret", "timeout": 5},
             "crm": {"adapter": "local"}, "llm": {"adapter": "rules"}}
            """, json: true)
        #expect(r.code == 1, "\(r.out)\(r.err)")
        let report = try JSONParser.parse(r.out)
        #expect(report["ok"] == false)
        let checks = report["checks"]?.arrayValue ?? []
        let failed = checks.filter { $0["ok"] == false }.compactMap { $0["port"]?.stringValue }
        #expect(failed.contains("storage") && failed.contains("objects"), "\(r.out)")
        #expect(!failed.contains("llm"), "\(r.out)")
        let storage = try #require(checks.first { $0["port"] == "storage" })
        #expect(storage["hint"]?.stringValue?.contains("reachable") == true, "\(storage)")
        #expect(!r.out.contains("not-a-secret"))
    }

    @Test func unwritableFileStoreFails() async throws {
        let r = try await doctor(#"{"storage": {"adapter": "json", "path": "/etc/hostname/below-a-file/tickets.json"}}"#)
        #expect(r.code == 1, "\(r.out)\(r.err)")
        #expect(r.out.contains("storage  json           FAIL"), "\(r.out)")
        #expect(r.out.contains("checks failed: storage (json)"), "\(r.out)")
    }

    @Test(.enabled(if: DoctorServers.available || DoctorServers.required, "needs the PostgreSQL and moto servers of Scripts/test.sh"))
    func serversOfTheTestCommandAllPass() async throws {
        guard let pg = DoctorServers.pgURL, let endpoint = DoctorServers.awsEndpoint else {
            Issue.record("REQUIRE_PG / REQUIRE_MOTO set but PLUGBOARD_TEST_PG_URL or PLUGBOARD_TEST_AWS_ENDPOINT is not")
            return
        }
        let key = DoctorServers.env["PLUGBOARD_TEST_AWS_ACCESS_KEY_ID"] ?? "", secret = DoctorServers.env["PLUGBOARD_TEST_AWS_SECRET_ACCESS_KEY"] ?? ""
        let bucket = "pbdoctor-" + String(UInt64.random(in: 0..<UInt64.max), radix: 36)
        let s3 = try S3ObjectStore(S3ObjectStore.Configuration(
            endpoint: endpoint, region: "us-east-1", bucket: bucket,
            credentials: AWSCredentials(accessKeyID: key, secretAccessKey: secret), pathStyle: true))
        let created = try await s3.send("CreateBucket", .put, s3.addressing.bucketURL, key: nil)
        #expect(created.isSuccess)
        let r = try await doctor("""
            {"storage": {"adapter": "postgres", "url": "\(pg)"},
             "objects": {"adapter": "s3", "endpoint": "\(endpoint)", "bucket": "\(bucket)", "path_style": true,
                         "access_key_id": "\(key)", "secret_access_key": "\(secret)"}}
            """)
        #expect(r.code == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("storage  postgres       ok    connected"), "\(r.out)")
        #expect(r.out.contains("objects  s3             ok"), "\(r.out)")

        let missing = try await doctor("""
            {"objects": {"adapter": "s3", "endpoint": "\(endpoint)", "bucket": "\(bucket)-missing", "path_style": true,
                         "access_key_id": "\(key)", "secret_access_key": "\(secret)"}}
            """)
        #expect(missing.code == 1, "\(missing.out)")
        #expect(missing.out.contains("objects  s3             FAIL"), "\(missing.out)")
    }
}
