import Foundation
@testable import PlugboardCLI
import PlugboardKernel
import Testing

/// `plugboard migrate` into and out of DynamoDB (moto with signature checking),
/// checked with boto3 as the independent reader.
@Suite("migrate: DynamoDB (moto, boto3)", .enabled(if: TestServers.motoReachable || TestServers.motoRequired, "needs moto (Scripts/test.sh)"))
struct MigrateDynamoDBTests {
    var h: MigrateHarness = {
        var h = MigrateHarness()
        h.environment = TestServers.awsEnvironment
        return h
    }()

    static func byID(_ docs: [JSON]) -> [String: JSON] {
        Dictionary(docs.map { ($0["ticket_id"]?.stringValue ?? "", $0) }, uniquingKeysWith: { a, _ in a })
    }

    @Test("each shape migrates in one command; boto3 reads every item back as the same document, nothing added",
          arguments: ["freeda", "array", "lines"])
    func shapesReadBackByBoto3(shape: String) async throws {
        defer { h.cleanup() }
        let text = shape == "freeda" ? MigrateSamples.freeda(MigrateSamples.tickets)
            : shape == "array" ? MigrateSamples.array(MigrateSamples.tickets) : MigrateSamples.lines(MigrateSamples.tickets)
        let source = try h.write(shape == "lines" ? "tickets.jsonl" : "tickets.json", text)
        let table = TestServers.uniqueTable("mig-shape")
        let r = await h.migrate(["--from", source, "--to", try TestServers.dynamodb(table), "--create-table", "--verify"])
        #expect(r.code == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("migrated 3 · skipped 0 · failed 0"), "\(r.out)")
        #expect(r.out.contains("verify: source 3 tickets, target 3: identical"), "\(r.out)")
        let items = Self.byID(try TestServers.itemsReadByBoto3(table))
        #expect(items == Self.byID(MigrateSamples.tickets), "boto3 reads the same documents")
        #expect(items["FR-0001"]?["order_id"]?.numberValue?.text == "123456789012345678901234567890", "30 digits, exactly")
        #expect(items["FR-0001"]?["amount"]?.numberValue?.text == "49.90", "number text unchanged")
        #expect(items.values.allSatisfy { $0.objectValue?.keys.allSatisfy { !$0.hasPrefix("_pb_") } == true }, "no extra attributes")
        // The conventional table: hash key ticket_id, the two raw GSIs, on-demand.
        let described = try JSONParser.parse(try TestServers.python(TestServers.boto3Prelude + #"""
t = client.describe_table(TableName=sys.argv[1])["Table"]
print(json.dumps({"key": t["KeySchema"], "billing": t["BillingModeSummary"]["BillingMode"],
                  "gsis": sorted((g["IndexName"], [k["AttributeName"] for k in g["KeySchema"]]) for g in t["GlobalSecondaryIndexes"])}))
"""#, [table]))
        #expect(described["key"] == [["AttributeName": "ticket_id", "KeyType": "HASH"]])
        #expect(described["billing"] == "PAY_PER_REQUEST")
        #expect(described["gsis"] == [["channel-created_at-index", ["channel", "created_at"]], ["status-created_at-index", ["status", "created_at"]]])
    }

    @Test("records DynamoDB refuses (over 400 KB, a null index key, 39 digits) are errors; the rest arrives; exit 1")
    func refusedRecords() async throws {
        defer { h.cleanup() }
        var tickets = MigrateSamples.tickets
        tickets.append(["ticket_id": "BIG", "status": "en cours", "text": .string(String(repeating: "é", count: 210_000))])
        tickets.append(["ticket_id": "NULLSTATUS", "status": nil, "created_at": "2024-03-01T09:15:00Z"])
        tickets.append(["ticket_id": "DIGITS", "n": .number(JSONNumber(String(repeating: "9", count: 39))!)])
        tickets.append(["status": "no id"])
        tickets.append(["ticket_id": "OK-LAST", "status": "fermé", "created_at": "2024-03-09T09:15:00Z"])
        let source = try h.write("tickets.json", MigrateSamples.array(tickets))
        let table = TestServers.uniqueTable("mig-refused")
        let r = await h.migrate(["--from", source, "--to", try TestServers.dynamodb(table), "--create-table", "--verify"])
        #expect(r.code == 1, "\(r.out)\(r.err)")
        #expect(r.out.contains("migrated 4 · skipped 0 · failed 4"), "\(r.out)")
        #expect(r.out.contains("1 invalid, 3 refused by the target"), "\(r.out)")
        #expect(r.out.contains("3 missing, 0 extra, 0 changed"), "verify names what did not arrive: \(r.out)")
        #expect(r.out.contains("missing  BIG (not migrated: see the errors file)"), "\(r.out)")
        let errors = try h.errorLines()
        let refused = Dictionary(errors.filter { $0["error"] == "refused" }.map { ($0["ticket_id"]!.stringValue!, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(refused["BIG"]?["reason"]?.stringValue?.contains("400 KB") == true)
        #expect(refused["BIG"]?["position"]?["index"] == 3)
        #expect(refused["NULLSTATUS"]?["reason"]?.stringValue?.contains("status-created_at-index") == true)
        #expect(refused["DIGITS"]?["reason"]?.stringValue?.contains("39 significant digits") == true)
        #expect(errors.first { $0["error"] == "invalid" }?["position"]?["index"] == 6)
        let items = Self.byID(try TestServers.itemsReadByBoto3(table))
        #expect(items.keys.sorted() == ["FR-0001", "FR-0002", "FR-0003", "OK-LAST"])
    }

    @Test("running twice leaves the table identical, without duplicates")
    func idempotent() async throws {
        defer { h.cleanup() }
        let tickets = (0..<120).map { TicketGenerator().ticket($0) }
        let source = try h.write("tickets.json", MigrateSamples.freeda(tickets))
        let table = TestServers.uniqueTable("mig-twice")
        let first = await h.migrate(["--from", source, "--to", try TestServers.dynamodb(table), "--create-table"])
        #expect(first.code == 0, "\(first.out)\(first.err)")
        let once = try TestServers.itemsReadByBoto3(table)
        let second = await h.migrate(["--from", source, "--to", try TestServers.dynamodb(table), "--verify"])
        #expect(second.code == 0, "\(second.out)\(second.err)")
        #expect(second.out.contains("target 120: identical"), "\(second.out)")
        let twice = try TestServers.itemsReadByBoto3(table)
        #expect(twice.count == 120)
        #expect(Self.byID(twice) == Self.byID(once))
        #expect(Self.byID(twice) == Self.byID(tickets))
    }

    @Test("json → DynamoDB → json gives back an equal file")
    func roundTripToJSON() async throws {
        defer { h.cleanup() }
        let tickets = MigrateSamples.tickets + (0..<60).map { TicketGenerator().ticket($0) }
        let source = try h.write("tickets.json", MigrateSamples.freeda(tickets))
        let table = TestServers.uniqueTable("mig-back")
        #expect(await h.migrate(["--from", source, "--to", try TestServers.dynamodb(table), "--create-table"]).code == 0)
        let back = await h.migrate(["--from", try TestServers.dynamodb(table), "--to", "json:" + h.path("back.json"), "--verify"],
                                   errors: "back-errors.jsonl")
        #expect(back.code == 0, "\(back.out)\(back.err)")
        #expect(try h.json("back.json") == h.json("tickets.json"))
        #expect(h.read("back.json")?.contains("123456789012345678901234567890") == true)
    }

    @Test("--verify catches an item changed, removed or added behind the migration's back")
    func verifyCatchesTampering() async throws {
        defer { h.cleanup() }
        let source = try h.write("tickets.json", MigrateSamples.freeda(MigrateSamples.tickets))
        let table = TestServers.uniqueTable("mig-tamper")
        let target = try TestServers.dynamodb(table)
        #expect(await h.migrate(["--from", source, "--to", target, "--create-table"]).code == 0)
        _ = try TestServers.python(TestServers.boto3Prelude + #"""
table.update_item(Key={"ticket_id": "FR-0001"}, UpdateExpression="SET analytics.score = :s", ExpressionAttributeValues={":s": 1})
table.delete_item(Key={"ticket_id": "FR-0003"})
table.put_item(Item={"ticket_id": "INTRUDER", "status": "en cours"})
"""#, [table])
        let r = await h.migrate(["--from", source, "--to", target, "--dry-run", "--verify"])
        #expect(r.code == 1, "\(r.out)")
        #expect(r.out.contains("source 3 tickets, target 3: 1 missing, 1 extra, 1 changed"), "\(r.out)")
        #expect(r.out.contains("changed  FR-0001"))
        #expect(r.out.contains("missing  FR-0003"))
        #expect(r.out.contains("extra    INTRUDER"))
        // A real run puts the source back; the stranger stays (the migration never deletes).
        let repaired = await h.migrate(["--from", source, "--to", target, "--verify"])
        #expect(repaired.out.contains("0 missing, 1 extra, 0 changed"), "\(repaired.out)")
    }

    @Test("--dry-run writes nothing, not even the table")
    func dryRunCreatesNothing() async throws {
        defer { h.cleanup() }
        let source = try h.write("tickets.json", MigrateSamples.freeda(MigrateSamples.tickets))
        let table = TestServers.uniqueTable("mig-dry")
        let r = await h.migrate(["--from", source, "--to", try TestServers.dynamodb(table), "--create-table", "--dry-run"])
        #expect(r.code == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("dry run: would migrate 3"))
        let tables = try TestServers.python(TestServers.boto3Prelude + #"print(sys.argv[1] in client.list_tables()["TableNames"])"#, [table])
        #expect(tables.hasPrefix("False"))
        #expect(!h.exists("errors.jsonl.checkpoint"))
        // And without --create-table a missing table is reported before anything is read.
        let missing = await h.migrate(["--from", source, "--to", try TestServers.dynamodb(table)])
        #expect(missing.code == 1)
        #expect(missing.err.contains("--create-table"), "\(missing.err)")
    }
}

/// PostgreSQL as a migration target and source, once each.
@Suite("migrate: PostgreSQL", .enabled(if: TestServers.pgReachable || TestServers.pgRequired, "needs PostgreSQL (Scripts/test.sh)"))
struct MigratePostgresTests {
    @Test("json → postgres → json, verified both ways")
    func throughPostgres() async throws {
        let h = MigrateHarness()
        defer { h.cleanup() }
        guard let url = TestServers.pgURL else { throw TestServers.NotConfigured() }
        let tickets = MigrateSamples.tickets + (0..<50).map { TicketGenerator().ticket($0) }
        let source = try h.write("tickets.json", MigrateSamples.freeda(tickets))
        let schema = "migrate_" + String(UInt64.random(in: 0..<UInt64.max), radix: 36)
        let config = try h.write("pg.json", JSON.object(["storage": ["adapter": "postgres", "url": .string(url), "schema": .string(schema)]])
            .serialized(pretty: true))
        let to = await h.migrate(["--from", source, "--to", config, "--verify"])
        #expect(to.code == 0, "\(to.out)\(to.err)")
        #expect(to.out.contains("migrated 53"), "\(to.out)")
        #expect(to.out.contains("target 53: identical"), "\(to.out)")
        let back = await h.migrate(["--from", config, "--to", "json:" + h.path("back.json"), "--verify"], errors: "back-errors.jsonl")
        #expect(back.code == 0, "\(back.out)\(back.err)")
        #expect(try h.json("back.json") == h.json("tickets.json"))
    }
}
