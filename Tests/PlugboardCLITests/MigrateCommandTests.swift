import Foundation
@testable import PlugboardCLI
import PlugboardKernel
import Testing

/// `plugboard migrate` between ticket files and the `json` store: no server needed.
@Suite("migrate: command, files and json store")
struct MigrateCommandTests {
    let h = MigrateHarness()

    /// One record per line, so positions are easy to state.
    static let withBadRecords = """
    {
    "FR-0001": \(MigrateSamples.tickets[0].serialized()),
    "NOID": {"status": "en cours"},
    "EMPTY": {"ticket_id": ""},
    "FR-0002": \(MigrateSamples.tickets[1].serialized()),
    "MISMATCH": {"ticket_id": "OTHER"},
    "FR-0001": \(MigrateSamples.tickets[0].serialized(pretty: true).replacingOccurrences(of: "\n", with: " ")),
    "FR-0002": {"ticket_id": "FR-0002", "status": "changed"},
    "BROKEN": {"ticket_id": "BROKEN", "status": tru},
    "FR-0003": \(MigrateSamples.tickets[2].serialized())
    }
    """

    @Test("bad records go to the errors file with reason and position; the rest is migrated; exit 1; the source is untouched")
    func badRecords() async throws {
        defer { h.cleanup() }
        let source = try h.write("tickets.json", Self.withBadRecords)
        let before = h.read("tickets.json")
        let r = await h.migrate(["--from", source, "--to", "json:" + h.path("out.json")])
        #expect(r.code == 1, "\(r.out)\(r.err)")
        #expect(r.out.contains("migrated 3 · skipped 1 · failed 5"), "\(r.out)")
        #expect(r.out.contains("4 invalid, 1 conflicting duplicate"), "\(r.out)")
        let errors = try h.errorLines()
        #expect(errors.map { $0["position"]?["key"]?.stringValue ?? "" } == ["NOID", "EMPTY", "MISMATCH", "FR-0002", "BROKEN"])
        #expect(errors.map { $0["position"]?["line"]?.intValue ?? 0 } == [3, 4, 6, 8, 9])
        #expect(errors.map { $0["error"]?.stringValue ?? "" } == ["invalid", "invalid", "invalid", "duplicate", "invalid"])
        #expect(errors[0]["reason"] == "no ticket_id")
        #expect(errors[1]["reason"] == "ticket_id is empty")
        #expect(errors[2]["reason"]?.stringValue?.contains("differs") == true)
        #expect(errors[3]["reason"]?.stringValue?.contains("line 5") == true, "names where the kept record is")
        #expect(errors[3]["ticket_id"] == "FR-0002")
        #expect(errors[4]["reason"]?.stringValue?.contains("invalid JSON at line 9") == true)
        let out = try h.json("out.json")
        #expect(out.objectValue?.keys.sorted() == ["FR-0001", "FR-0002", "FR-0003"])
        #expect(out["FR-0002"] == MigrateSamples.tickets[1], "the first record of an id is kept")
        #expect(out["FR-0001"]?["order_id"]?.numberValue?.text == "123456789012345678901234567890")
        #expect(h.read("tickets.json") == before, "the source is never modified")
    }

    @Test("every shape migrates to the same store; running twice changes nothing", arguments: ["freeda", "array", "lines"])
    func shapesAndIdempotence(shape: String) async throws {
        defer { h.cleanup() }
        let text = shape == "freeda" ? MigrateSamples.freeda(MigrateSamples.tickets)
            : shape == "array" ? MigrateSamples.array(MigrateSamples.tickets) : MigrateSamples.lines(MigrateSamples.tickets)
        let source = try h.write("tickets.\(shape == "lines" ? "jsonl" : "json")", text)
        let first = await h.migrate(["--from", source, "--to", "json:" + h.path("out.json"), "--verify"])
        #expect(first.code == 0, "\(first.out)\(first.err)")
        #expect(first.out.contains("migrated 3 · skipped 0 · failed 0"), "\(first.out)")
        #expect(first.out.contains("verify: source 3 tickets, target 3: identical"), "\(first.out)")
        let once = h.read("out.json")
        let second = await h.migrate(["--from", source, "--to", "json:" + h.path("out.json"), "--verify"])
        #expect(second.code == 0, "\(second.out)\(second.err)")
        #expect(h.read("out.json") == once, "a second run leaves the target byte for byte the same")
        #expect(try h.json("out.json") == JSONParser.parse(MigrateSamples.freeda(MigrateSamples.tickets)))
    }

    @Test("--dry-run reads and checks everything and writes nothing")
    func dryRun() async throws {
        defer { h.cleanup() }
        let source = try h.write("tickets.json", Self.withBadRecords)
        let r = await h.migrate(["--from", source, "--to", "json:" + h.path("out.json"), "--dry-run"], errors: nil)
        #expect(r.code == 1, "bad records still fail a dry run")
        #expect(r.out.contains("dry run: would migrate 3"), "\(r.out)")
        #expect(r.err.contains("key \"NOID\" (line 3): no ticket_id"), "errors are shown when no errors file is named: \(r.err)")
        let written = try FileManager.default.contentsOfDirectory(atPath: h.dir)
        #expect(written == ["tickets.json"], "nothing written: \(written)")
        #expect(!FileManager.default.fileExists(atPath: "migrate-errors.jsonl.checkpoint"))
    }

    @Test("--verify lists missing, extra and changed tickets; with --dry-run it only compares")
    func verifyFindsDifferences() async throws {
        defer { h.cleanup() }
        let source = try h.write("tickets.json", MigrateSamples.freeda(MigrateSamples.tickets))
        #expect(await h.migrate(["--from", source, "--to", "json:" + h.path("out.json")]).code == 0)
        var out = try h.json("out.json")
        out["FR-0002"]?["status"] = "en cours"
        out["FR-0003"] = nil
        out["FR-9999"] = ["ticket_id": "FR-9999"]
        try h.write("out.json", out.serialized(pretty: true))
        let r = await h.migrate(["--from", source, "--to", "json:" + h.path("out.json"), "--dry-run", "--verify"])
        #expect(r.code == 1)
        #expect(r.out.contains("1 missing, 1 extra, 1 changed"), "\(r.out)")
        #expect(r.out.contains("missing  FR-0003"))
        #expect(r.out.contains("extra    FR-9999"))
        #expect(r.out.contains("changed  FR-0002"))
        #expect(try h.json("out.json") == out, "a dry run repairs nothing")
        // Numbers compare by value: 49.90 written as 49.9 is the same ticket.
        var renumbered = try h.json("out.json")
        renumbered["FR-0002"]?["status"] = "fermé"
        renumbered["FR-0003"] = MigrateSamples.tickets[2]
        renumbered["FR-9999"] = nil
        var text = renumbered.serialized(pretty: true)
        text = text.replacingOccurrences(of: "49.90", with: "49.9")
        try h.write("out.json", text)
        let again = await h.migrate(["--from", source, "--to", "json:" + h.path("out.json"), "--dry-run", "--verify"])
        #expect(again.code == 0, "\(again.out)")
    }

    @Test("--resume continues from the checkpoint and refuses a checkpoint of another source")
    func resume() async throws {
        defer { h.cleanup() }
        let source = try h.write("tickets.json", Self.withBadRecords)
        let target = "json:" + h.path("out.json")
        #expect(await h.migrate(["--from", source, "--to", target]).code == 1)
        let checkpoint = try h.json("errors.jsonl.checkpoint")
        #expect(checkpoint["done_below"] == 9)
        #expect(checkpoint["complete"] == true)
        let r = await h.migrate(["--from", source, "--to", target, "--resume"])
        #expect(r.out.contains("resumed at record 9: 3 migrated before, 0 now"), "\(r.out)")
        #expect(r.out.contains("migrated 3 · skipped 1 · failed 5"), "counts carry over: \(r.out)")
        #expect(try h.errorLines().count == 5, "errors before the checkpoint are kept, not repeated")
        try h.write("tickets.json", MigrateSamples.freeda(MigrateSamples.tickets))
        let other = await h.migrate(["--from", source, "--to", target, "--resume"])
        #expect(other.code != 0)
        #expect(other.err.contains("belongs to another migration"), "\(other.err)")
    }

    @Test("a store named by an adapters.json is a source like any other")
    func adaptersJSONSource() async throws {
        defer { h.cleanup() }
        let source = try h.write("tickets.json", MigrateSamples.freeda(MigrateSamples.tickets))
        #expect(await h.migrate(["--from", source, "--to", "json:" + h.path("a.json")]).code == 0)
        let config = try h.write("adapters.json", #"{"storage": {"adapter": "json", "path": "a.json"}}"#)
        let r = await h.migrate(["--from", config, "--to", "json:" + h.path("b.json"), "--verify"], errors: "b-errors.jsonl")
        #expect(r.code == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("read as a store's scan"))
        #expect(try h.json("b.json") == h.json("tickets.json"))
    }

    @Test("json → sqlite → json through the short forms, verified both ways")
    func throughSQLite() async throws {
        defer { h.cleanup() }
        let tickets = MigrateSamples.tickets + (0..<40).map { TicketGenerator().ticket($0) }
        let source = try h.write("tickets.json", MigrateSamples.freeda(tickets))
        let to = await h.migrate(["--from", source, "--to", "sqlite:" + h.path("t.sqlite"), "--verify"])
        #expect(to.code == 0, "\(to.out)\(to.err)")
        #expect(to.out.contains("target 43: identical"), "\(to.out)")
        let back = await h.migrate(["--from", "sqlite:" + h.path("t.sqlite"), "--to", "json:" + h.path("back.json"), "--verify"],
                                   errors: "back-errors.jsonl")
        #expect(back.code == 0, "\(back.out)\(back.err)")
        #expect(try h.json("back.json") == h.json("tickets.json"))
    }

    @Test("usage and configuration errors are reported before anything runs, exit 2")
    func errors() async throws {
        defer { h.cleanup() }
        let source = try h.write("tickets.json", MigrateSamples.freeda(MigrateSamples.tickets))
        func run(_ args: [String]) async -> (Int32, String) {
            let r = await h.migrate(args)
            return (r.code, r.err)
        }
        var (code, err) = await run(["--from", source])
        #expect(code == 2 && err.contains("--to TARGET is required"))
        (code, err) = await run(["--from", source, "--to", "ftp://x"])
        #expect(code == 2 && err.contains("unknown form \"ftp:\""), "\(err)")
        (code, err) = await run(["--from", source, "--to", "jsonl:x.jsonl"])
        #expect(code == 2 && err.contains("JSON Lines is read, not written"), "\(err)")
        (code, err) = await run(["--from", source, "--to", "dynamodb://ab"])
        #expect(code == 2 && err.contains("table name"), "\(err)")
        (code, err) = await run(["--from", source, "--to", "dynamodb://tickets?endpoint=http://127.0.0.1:1&token=x"])
        #expect(code == 2 && err.contains("unknown parameter \"token\""), "\(err)")
        // The adapter's own validation, in the kernel's format.
        (code, err) = await run(["--from", source, "--to", "dynamodb://tickets?endpoint=http://127.0.0.1:1"])
        #expect(code == 2 && err.contains("--to dynamodb://tickets?endpoint=http://127.0.0.1:1: storage.access_key_id: required"), "\(err)")
        (code, err) = await run(["--from", source, "--to", "postgres://u:hunter2@127.0.0.1:1/db", "--batch-size", "0"])
        #expect(code == 2 && err.contains("--batch-size"), "\(err)")
        (code, err) = await run(["--from", source, "--to", "json:" + h.path("o.json"), "--resume", "--dry-run"])
        #expect(code == 2)
        (code, err) = await run(["--from", source, "--to", "json:" + h.path("o.json"), "--checkpoint-every", "0"])
        #expect(code == 2 && err.contains("--checkpoint-every: expected seconds between 0.05 and 3600, got \"0\""), "\(err)")
        let badConfig = try h.write("adapters.json", #"{"storage": {"adapter": "json", "pth": "x.json"}}"#)
        (code, err) = await run(["--from", badConfig, "--to", "json:" + h.path("o.json")])
        #expect(code == 2 && err.contains("storage.pth: unknown field"), "\(err)")
        #expect(MigrationEndpoint.redacted("postgres://u:hunter2@h/db") == "postgres://u:***@h/db")
    }

    @Test("--help explains the forms, the errors file, --resume and --verify")
    func help() async {
        let r = await h.migrate(["--help"], errors: nil)
        #expect(r.code == 0)
        for phrase in ["dynamodb://TABLE?endpoint=URL&region=R", "--resume", "--verify", "errors file", "400 KB", "--create-table"] {
            #expect(r.out.contains(phrase), "help mentions \(phrase)")
        }
    }
}
