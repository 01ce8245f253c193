import AdaptersLocal
import CRMHubSpot
import CRMNotion
import Foundation
@testable import ObjectsS3
@testable import PlugboardCLI
import PlugboardKernel
import StorageDynamoDB
import TasksClickUp
import Testing
@testable import VendorFakes

/// The servers Scripts/test.sh starts; the suite fails instead of skipping when they are required.
enum DoctorServers {
    static let env = ProcessInfo.processInfo.environment
    static let pgURL = env["PLUGBOARD_TEST_PG_URL"]
    static let awsEndpoint = env["PLUGBOARD_TEST_AWS_ENDPOINT"]
    static let smtpURL = env["PLUGBOARD_TEST_SMTP_URL"]
    static let awsKey = env["PLUGBOARD_TEST_AWS_ACCESS_KEY_ID"] ?? ""
    static let awsSecret = env["PLUGBOARD_TEST_AWS_SECRET_ACCESS_KEY"] ?? ""
    static var available: Bool { pgURL != nil && awsEndpoint != nil }
    static var required: Bool { env["REQUIRE_PG"] == "1" || env["REQUIRE_MOTO"] == "1" }
    static var smtpRequired: Bool { env["REQUIRE_SMTP"] == "1" }
    /// `host`, `port` of the SMTP server.
    static var smtp: (host: String, port: Int)? {
        guard let url = smtpURL, let parts = URLParts(url.replacingOccurrences(of: "smtp://", with: "http://")) else { return nil }
        return (parts.host, parts.port ?? 25)
    }
}

@Suite("plugboard doctor")
struct DoctorTests {
    /// Runs `plugboard doctor` on `config` with the real registry (no shared memory store), or `registry`.
    func doctor(_ config: String, json: Bool = false, registry: Registry = BuiltinAdapters.registry) async throws
        -> (code: Int32, out: String, err: String) {
        let h = try CLIHarness()
        defer { h.cleanup() }
        try h.write("adapters.json", config)
        let (console, captured) = Console.capturing()
        let code = await PlugboardCLI.run(["doctor", "--config", h.path("adapters.json"), "--timeout", "20"] + (json ? ["--json"] : []),
                                          console: console, environment: [:], registry: registry)
        return (code, captured.out, captured.err)
    }

    /// The built-in registry with hubspot, clickup and notion over in-memory vendors.
    static func vendorRegistry(_ hub: FakeHubSpot, _ cu: FakeClickUp, _ no: FakeNotion) -> Registry {
        var r = BuiltinAdapters.registry
        r.register(Registry.Entry(HubSpotCRM.descriptor, .crm { s, _ in
            try HubSpotCRM(HubSpotCRM.configuration(from: s), transport: FakeHTTPTransport { try await hub.handle($0) })
        }))
        r.register(Registry.Entry(ClickUpTaskTracker.descriptor, .tasks { s, _ in
            try ClickUpTaskTracker(ClickUpTaskTracker.configuration(from: s), transport: FakeHTTPTransport { try await cu.handle($0) })
        }))
        r.register(Registry.Entry(NotionCRM.descriptor, .crm { s, _ in
            try NotionCRM(NotionCRM.configuration(from: s), transport: FakeHTTPTransport { try await no.handle($0) })
        }))
        return r
    }

    /// The checks of a `--json` report by port.
    func checks(_ out: String) throws -> [String: JSON] {
        let report = try JSONParser.parse(out)
        return Dictionary(uniqueKeysWithValues: (report["checks"]?.arrayValue ?? []).compactMap { c in c["port"]?.stringValue.map { ($0, c) } })
    }

    static func llmChain(_ base: String, key: String = "fake", model: String = "") -> String {
        #"""
        {"adapter": "fallback", "chain": [
          {"adapter": "openai", "base_url": "\#(base)/v1", "api_key": "sk-\#(key)", "model": "fake-gpt\#(model)"},
          {"adapter": "anthropic", "base_url": "\#(base)", "api_key": "sk-ant-\#(key)", "model": "fake-claude\#(model)"},
          {"adapter": "gemini", "base_url": "\#(base)/v1beta", "api_key": "AIza-\#(key)", "model": "fake-gemini\#(model)"},
          {"adapter": "rules"}]}
        """#
    }

    @Test func sqliteStoreAndLogFilePass() async throws {
        let r = try await doctor("""
            {"storage": {"adapter": "sqlite", "path": "data/plugboard.sqlite"},
             "notify": {"adapter": "log", "path": "logs/notifications.jsonl"}, "tasks": {"adapter": "local"}}
            """)
        #expect(r.code == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("storage  sqlite         ok    file "), "\(r.out)")
        #expect(r.out.contains("(this build reads up to 1)"), "\(r.out)")
        #expect(r.out.contains("tasks    local          ok    tasks kept in the configured store"), "\(r.out)")
        #expect(r.out.contains("the first notification creates it"), "\(r.out)")
    }

    @Test func vendorFakesAndModelEndpointsAllPass() async throws {
        let hub = FakeHubSpot(), cu = FakeClickUp(), no = FakeNotion()
        let llm = try LLMFakeServer()
        let registry = Self.vendorRegistry(hub, cu, no)
        let r = try await doctor("""
            {"crm": {"adapter": "hubspot", "base_url": "https://api.hubapi.test", "token": "\(hub.token)"},
             "tasks": {"adapter": "clickup", "list_id": "901", "base_url": "https://api.clickup.test/api", "token": "\(cu.token)"},
             "llm": \(Self.llmChain(llm.base)),
             "notify": {"adapter": "webhook", "url": "https://hooks.example.test/services/T000/B000/XXXX"}}
            """, registry: registry)
        #expect(r.code == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("crm      hubspot        ok    GET /crm/v3/objects/{tickets,contacts}?limit=1"), "\(r.out)")
        #expect(r.out.contains("tasks    clickup        ok    GET /v2/user and /v2/list/901"), "\(r.out)")
        #expect(r.out.contains("model fake-gpt exists") && r.out.contains("model fake-claude exists")
                && r.out.contains("model fake-gemini exists"), "\(r.out)")
        #expect(r.out.contains("URL validated only, not called"), "\(r.out)")
        #expect(!r.out.contains("T000/B000"), "the webhook URL's path is its secret: \(r.out)")
        #expect(hub.rejections.isEmpty && cu.rejections.isEmpty)
        let paths = try llm.requests().compactMap { $0["path"]?.stringValue }
        #expect(paths.sorted() == ["/v1/models/fake-claude", "/v1/models/fake-gpt", "/v1beta/models/fake-gemini"], "no paid call: \(paths)")

        let notion = try await doctor("""
            {"crm": {"adapter": "notion", "base_url": "https://api.notion.test", "token": "\(no.token)",
                     "contacts_database": "\(FakeNotion.contactsDatabase)", "tickets_database": "\(FakeNotion.ticketsDatabase)"}}
            """, registry: registry)
        #expect(notion.code == 0, "\(notion.out)\(notion.err)")
        #expect(notion.out.contains("crm      notion         ok    GET /v1/users/me"), "\(notion.out)")
    }

    @Test func badTokensAndMissingThingsFailByNameWithoutShowingTheSecret() async throws {
        let hub = FakeHubSpot(), cu = FakeClickUp(), no = FakeNotion()
        let llm = try LLMFakeServer()
        let registry = Self.vendorRegistry(hub, cu, no)
        let secrets = ["pat-na1-bad-0000-hidden", "pk_bad_hidden_4711", "sk-bad-hidden", "sk-ant-bad-hidden", "AIza-bad-hidden", "ntn_bad_hidden"]
        let r = try await doctor("""
            {"crm": {"adapter": "hubspot", "base_url": "https://api.hubapi.test", "token": "\(secrets[0])"},
             "tasks": {"adapter": "clickup", "list_id": "901", "base_url": "https://api.clickup.test/api", "token": "\(secrets[1])"},
             "llm": \(Self.llmChain(llm.base, key: "bad-hidden"))}
            """, json: true, registry: registry)
        #expect(r.code == 1, "\(r.out)\(r.err)")
        var c = try checks(r.out)
        #expect(c["crm"]?["ok"] == false && c["crm"]?["hint"]?.stringValue?.contains("token rejected: set crm.token or HUBSPOT_TOKEN") == true, "\(r.out)")
        #expect(c["tasks"]?["ok"] == false && c["tasks"]?["hint"]?.stringValue?.contains("CLICKUP_TOKEN") == true, "\(r.out)")
        let llmHint = c["llm"]?["hint"]?.stringValue ?? ""
        #expect(c["llm"]?["ok"] == false && llmHint.contains("OPENAI_API_KEY") && llmHint.contains("ANTHROPIC_API_KEY")
                && llmHint.contains("GEMINI_API_KEY"), "\(r.out)")
        #expect(c["llm"]?["detail"]?.stringValue?.contains("rules (llm.chain[3]): ok") == true, "\(r.out)")

        let notion = try await doctor("""
            {"crm": {"adapter": "notion", "base_url": "https://api.notion.test", "token": "\(secrets[5])",
                     "contacts_database": "\(FakeNotion.contactsDatabase)", "tickets_database": "\(FakeNotion.ticketsDatabase)"}}
            """, registry: registry)
        #expect(notion.code == 1, "\(notion.out)")
        #expect(notion.out.contains("crm      notion         FAIL") && notion.out.contains("fix: token rejected: set crm.token or NOTION_TOKEN"),
                "\(notion.out)")
        for secret in secrets { #expect(!(r.out + r.err + notion.out + notion.err).contains(secret), "\(secret) shown") }

        // Right tokens, wrong things: a list and models that do not exist, a database not shared.
        let missing = try await doctor("""
            {"crm": {"adapter": "notion", "base_url": "https://api.notion.test", "token": "\(no.token)",
                     "contacts_database": "\(FakeNotion.contactsDatabase)", "tickets_database": "1a2b3c4d-0000-4000-8000-0000000000ff"},
             "tasks": {"adapter": "clickup", "list_id": "999", "base_url": "https://api.clickup.test/api", "token": "\(cu.token)"},
             "llm": \(Self.llmChain(llm.base, model: "-missing"))}
            """, json: true, registry: registry)
        #expect(missing.code == 1, "\(missing.out)")
        c = try checks(missing.out)
        #expect(c["crm"]?["hint"]?.stringValue?.contains("share database 1a2b3c4d-0000-4000-8000-0000000000ff") == true, "\(missing.out)")
        #expect(c["tasks"]?["hint"]?.stringValue?.contains("list 999 does not exist") == true, "\(missing.out)")
        let detail = c["llm"]?["detail"]?.stringValue ?? ""
        #expect(detail.contains("model fake-gpt-missing does not exist") && detail.contains("model fake-claude-missing does not exist")
                && detail.contains("model fake-gemini-missing does not exist"), "\(missing.out)")
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

/// DynamoDB, S3 and SMTP as Scripts/test.sh starts them: every check passes, then each breaks by name.
@Suite("plugboard doctor on moto and SMTP", .enabled(if: (DoctorServers.awsEndpoint != nil && DoctorServers.smtp != nil)
                                                  || DoctorServers.required || DoctorServers.smtpRequired,
                                                  "needs the moto and SMTP servers of Scripts/test.sh"))
struct DoctorAWSAndSMTPTests {
    @Test func passesThenFailsByNameWithoutShowingTheSecret() async throws {
        guard let endpoint = DoctorServers.awsEndpoint, let smtp = DoctorServers.smtp else {
            Issue.record("REQUIRE_MOTO / REQUIRE_SMTP set but PLUGBOARD_TEST_AWS_ENDPOINT or PLUGBOARD_TEST_SMTP_URL is not")
            return
        }
        let (key, secret) = (DoctorServers.awsKey, DoctorServers.awsSecret)
        let id = String(UInt64.random(in: 0..<UInt64.max), radix: 36)
        let prefix = "pbdoctor_\(id)_", bucket = "pbdoctor-\(id)"
        let s3 = try S3ObjectStore(S3ObjectStore.Configuration(
            endpoint: endpoint, region: "us-east-1", bucket: bucket,
            credentials: AWSCredentials(accessKeyID: key, secretAccessKey: secret), pathStyle: true))
        #expect(try await s3.send("CreateBucket", .put, s3.addressing.bucketURL, key: nil).isSuccess)
        func config(secret: String, bucket: String, smtpPort: Int) -> String {
            """
            {"storage": {"adapter": "dynamodb", "endpoint": "\(endpoint)", "table_prefix": "\(prefix)",
                         "access_key_id": "\(key)", "secret_access_key": "\(secret)"},
             "objects": {"adapter": "s3", "endpoint": "\(endpoint)", "bucket": "\(bucket)", "path_style": true,
                         "access_key_id": "\(key)", "secret_access_key": "\(secret)"},
             "notify": {"adapter": "smtp", "host": "\(smtp.host)", "port": \(smtpPort), "security": "none", "timeout": 5,
                        "from": "plugboard@example.com", "to": ["team@example.com"]}}
            """
        }
        let doctor = DoctorTests()

        // The tables do not exist yet: named, with the way to create them.
        let noTables = try await doctor.doctor(config(secret: secret, bucket: bucket, smtpPort: smtp.port))
        #expect(noTables.code == 1, "\(noTables.out)")
        #expect(noTables.out.contains("storage  dynamodb       FAIL  table \(prefix)tickets (collection tickets) does not exist"), "\(noTables.out)")
        #expect(noTables.out.contains("set create_tables: true"), "\(noTables.out)")

        let store = try DynamoDBStore(DynamoDBStore.Configuration(
            endpoint: endpoint, credentials: AWSCredentials(accessKeyID: key, secretAccessKey: secret), tablePrefix: prefix, createTables: true))
        // The default tasks adapter (local) keeps its tasks there too: doctor names that table when it is missing.
        for c in CollectionSpec.standard + [LocalTaskTracker.collection] { _ = try await store.count(c) }

        let ok = try await doctor.doctor(config(secret: secret, bucket: bucket, smtpPort: smtp.port))
        #expect(ok.code == 0, "\(ok.out)\(ok.err)")
        #expect(ok.out.contains("storage  dynamodb       ok    DescribeTable: 5 tables ACTIVE"), "\(ok.out)")
        #expect(ok.out.contains("objects  s3             ok    HeadBucket: bucket \(bucket)"), "\(ok.out)")
        #expect(ok.out.contains("notify   smtp           ok    \(smtp.host):\(smtp.port): connected, EHLO, NOOP, QUIT (no mail sent)"), "\(ok.out)")

        let wrong = "wrong-" + String(UInt64.random(in: 0..<UInt64.max), radix: 36)
        let broken = try await doctor.doctor(config(secret: wrong, bucket: bucket + "-missing", smtpPort: 1), json: true)
        #expect(broken.code == 1, "\(broken.out)")
        let c = try doctor.checks(broken.out)
        #expect(c["storage"]?["ok"] == false && c["storage"]?["hint"]?.stringValue?.contains("secret_access_key") == true, "\(broken.out)")
        #expect(c["objects"]?["ok"] == false, "\(broken.out)")
        #expect(c["notify"]?["ok"] == false && c["notify"]?["hint"]?.stringValue?.contains("is an SMTP server listening") == true, "\(broken.out)")
        #expect(!broken.out.contains(wrong) && !broken.err.contains(wrong))

        let missingBucket = try await doctor.doctor(config(secret: secret, bucket: bucket + "-missing", smtpPort: smtp.port), json: true)
        #expect(try doctor.checks(missingBucket.out)["objects"]?["hint"]?.stringValue?.contains("create the bucket \(bucket)-missing") == true,
                "\(missingBucket.out)")
    }
}
