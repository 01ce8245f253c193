import PlugboardKernel
import Testing
@testable import StorageDynamoDB

@Suite("dynamodb configuration")
struct DynamoDBConfigurationTests {
    func settings(_ values: [String: JSON]) -> AdapterSettings {
        AdapterSettings(port: .storage, adapter: "dynamodb", values: values, secretFields: ["secret_access_key", "session_token"])
    }

    @Test("the descriptor: fields, secrets and AWS_* fallbacks")
    func descriptor() throws {
        let d = DynamoDBStore.registryEntry.descriptor
        #expect(d.name == "dynamodb")
        #expect(d.port == .storage)
        let fields = Dictionary(uniqueKeysWithValues: d.fields.map { ($0.name, $0) })
        #expect(Set(fields.keys) == ["endpoint", "region", "access_key_id", "secret_access_key", "session_token", "tables",
                                     "table_prefix", "create_tables"])
        #expect(fields["secret_access_key"]?.secret == true)
        #expect(fields["session_token"]?.secret == true)
        #expect(fields["access_key_id"]?.secret == false)
        #expect(fields["access_key_id"]?.environment == "AWS_ACCESS_KEY_ID")
        #expect(fields["secret_access_key"]?.environment == "AWS_SECRET_ACCESS_KEY")
        #expect(fields["session_token"]?.environment == "AWS_SESSION_TOKEN")
        #expect(fields["region"]?.environment == "AWS_REGION")
        #expect(fields["region"]?.defaultValue == "us-east-1")
        #expect(fields["table_prefix"]?.defaultValue == "plugboard_")
        #expect(fields["create_tables"]?.defaultValue == false)
    }

    @Test("the config loader fills credentials from AWS_* variables")
    func environmentFallback() throws {
        let loader = ConfigLoader(registry: Registry([DynamoDBStore.registryEntry]), environment: [
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_REGION": "eu-west-3",
        ])
        let s = try loader.settings(port: .storage, section: ["adapter": "dynamodb"])
        let c = try DynamoDBStore.configuration(from: s)
        #expect(c.credentials.accessKeyID == "AKIDENV")
        #expect(c.credentials.secretAccessKey == "envsecret")
        #expect(c.region == "eu-west-3")
        #expect(c.resolvedEndpoint == "https://dynamodb.eu-west-3.amazonaws.com")
        #expect(c.table(for: .tickets) == ("plugboard_tickets", "ticket_id"))
        #expect(!s.redacted.serialized().contains("envsecret"))
    }

    @Test("tables: names, keys and raw index mappings")
    func tables() throws {
        let c = try DynamoDBStore.configuration(from: settings([
            "access_key_id": "A", "secret_access_key": "S", "endpoint": "http://127.0.0.1:15000", "table_prefix": "x_",
            "tables": ["tickets": ["table": "freeda", "key": "id", "indexes": ["status-created_at": "status-created_at-index"]],
                       "contacts": "crm_contacts"],
            "create_tables": true,
        ]))
        #expect(c.table(for: .tickets) == ("freeda", "id"))
        #expect(c.table(for: .contacts) == ("crm_contacts", "contact_id"))
        #expect(c.table(for: .jobs) == ("x_jobs", "job_id"))
        #expect(c.createTables)
        let layout = try DynamoDBTableLayout(.tickets, configuration: c)
        #expect(layout.indexes["status-created_at"] == .raw(gsi: "status-created_at-index", partitionAttribute: "status", sortAttribute: "created_at"))
        #expect(layout.indexes["channel-created_at"]?.gsi == "pb_channel-created_at")
    }

    @Test("errors name the field")
    func errors() {
        let cases: [([String: JSON], String)] = [
            (["secret_access_key": "S"], "storage.access_key_id: required"),
            (["access_key_id": "A"], "storage.secret_access_key: required"),
            (["access_key_id": "A", "secret_access_key": "S", "endpoint": "ftp://x"], "storage.endpoint: expected an http"),
            (["access_key_id": "A", "secret_access_key": "S", "tables": ["tickets": 3]], "storage.tables.tickets: expected a table name"),
            (["access_key_id": "A", "secret_access_key": "S", "tables": ["tickets": ["tabel": "x"]]], "storage.tables.tickets.tabel: unknown key"),
        ]
        for (values, expected) in cases {
            let error = #expect(throws: PlugboardError.self) { try DynamoDBStore.configuration(from: settings(values)) }
            #expect(error?.code == .invalidConfiguration)
            #expect(error?.message.contains(expected) == true, "\(String(describing: error?.message))")
        }
        let c = try? DynamoDBStore.configuration(from: settings([
            "access_key_id": "A", "secret_access_key": "S", "tables": ["tickets": ["indexes": ["nope": "gsi"]]],
        ]))
        #expect(throws: PlugboardError.self) { try DynamoDBTableLayout(.tickets, configuration: c!) }
    }
}
