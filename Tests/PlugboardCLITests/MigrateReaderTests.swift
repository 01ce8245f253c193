import Foundation
@testable import PlugboardCLI
import PlugboardKernel
import Testing

/// The ticket-file reader and the record checks, on small files, read with a
/// tiny chunk size too so every record crosses a chunk boundary.
@Suite("migrate: ticket file reader")
struct MigrateReaderTests {
    let dir: String = {
        let d = NSTemporaryDirectory() + "pb-migrate-reader-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    func file(_ name: String, _ text: String) throws -> String {
        let path = dir + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Every record of the file: position, value (or syntax error).
    func records(_ path: String, shape: TicketFileReader.Shape? = nil, chunk: Int = 1 << 20) throws
        -> (shape: TicketFileReader.Shape, records: [TicketFileReader.Record]) {
        let reader = try TicketFileReader(path: path, shape: shape, chunkSize: chunk)
        var out: [TicketFileReader.Record] = []
        while let r = try reader.next() { out.append(r) }
        #expect(reader.bytesRead <= reader.fileSize)
        return (reader.shape, out)
    }

    static let t1 = #"{"ticket_id": "T1", "status": "en cours", "n": 1.50, "text": "a \"quoted\" } ] , value\n"}"#
    static let t2 = #"{"ticket_id": "T2", "messages": [{"id": "m1", "content": "[{"}], "analytics": {}}"#

    @Test("the three shapes are detected and read alike, whatever the chunk size", arguments: [16, 37, 1 << 20])
    func shapes(chunk: Int) throws {
        let pretty = try file("pretty.json", "\u{FEFF}{\n  \"T1\": \(Self.t1),\n  \"T2\": \(Self.t2)\n}\n")
        let compact = try file("compact.json", "{\"T1\":\(Self.t1),\"T2\":\(Self.t2)}")
        let array = try file("array.json", "[\n\(Self.t1),\n  \(Self.t2)\n]")
        let lines = try file("lines.json", "\(Self.t1)\n\n\(Self.t2)\r\n")
        let expected = [try JSONParser.parse(Self.t1), try JSONParser.parse(Self.t2)]
        for (path, shape) in [(pretty, TicketFileReader.Shape.object), (compact, .object), (array, .array), (lines, .lines)] {
            let (detected, got) = try records(path, chunk: chunk)
            #expect(detected == shape, "\(path)")
            #expect(got.map(\.value) == expected, "\(path)")
        }
        #expect(try records(pretty, chunk: chunk).records.map(\.position) == [
            RecordPosition(place: .key("T1"), line: 2), RecordPosition(place: .key("T2"), line: 3)])
        #expect(try records(array, chunk: chunk).records.map(\.position) == [
            RecordPosition(place: .index(0), line: 2), RecordPosition(place: .index(1), line: 3)])
        #expect(try records(lines, chunk: chunk).records.map(\.position) == [
            RecordPosition(place: .line, line: 1), RecordPosition(place: .line, line: 3)])
    }

    @Test("a one-line file holding one ticket is JSON Lines; one holding tickets by id is the Freeda shape")
    func singleLine() throws {
        #expect(try records(try file("one.json", Self.t1)).shape == .lines)
        #expect(try records(try file("one-freeda.json", "{\"T1\": \(Self.t1)}")).shape == .object)
        // Sorted keys put an object first in a ticket: still one ticket.
        let sorted = #"{"analytics": {"a": 1}, "customer": {"b": 2}, "ticket_id": "S1"}"#
        #expect(try records(try file("sorted.json", sorted)).shape == .lines)
        #expect(try records(try file("sorted2.jsonl", sorted + "\n" + sorted)).shape == .lines)
        #expect(try records(try file("empty-object.json", "{}")).records.isEmpty)
        #expect(try records(try file("empty-array.json", " [ ] ")).records.isEmpty)
    }

    @Test("a record that does not parse is reported at its line; the next ones are still read")
    func badRecordSyntax() throws {
        let path = try file("bad.json", "{\n\"A\": {\"ticket_id\": \"A\"},\n\"B\": {\"ticket_id\": tru},\n\"C\": {\"ticket_id\": \"C\"}\n}")
        let got = try records(path).records
        #expect(got.count == 3)
        #expect(got[1].value == nil)
        #expect(got[1].syntaxError?.contains("line 3") == true, "\(got[1].syntaxError ?? "")")
        #expect(got[2].value?["ticket_id"] == "C")
        let lines = try file("bad.jsonl", "{\"ticket_id\": \"A\"}\n{\"ticket_id\": \n{\"ticket_id\": \"C\"}\n")
        let l = try records(lines, shape: .lines).records
        #expect(l.map(\.position.line) == [1, 2, 3])
        #expect(l[1].value == nil && l[2].value != nil)
    }

    @Test("a broken structure between records stops the reading with line and column")
    func brokenStructure() throws {
        let path = try file("broken.json", "{\n\"A\": {\"ticket_id\": \"A\"}\n\"B\": {}\n}")
        #expect(throws: PlugboardError.self) { try records(path) }
        do { _ = try records(path) } catch let e as PlugboardError {
            #expect(e.message.contains("broken.json:3:1"), "\(e.message)")
            #expect(e.message.contains("expected ','"), "\(e.message)")
        }
        let trailing = try file("trailing.json", "[{\"ticket_id\": \"A\"},]")
        #expect(throws: PlugboardError.self) { try records(trailing) }
        let unterminated = try file("unterminated.json", "[{\"ticket_id\": \"A\"}, {\"ticket_id\": \"B\"")
        #expect(throws: PlugboardError.self) { try records(unterminated) }
        let notTickets = try file("number.json", "42")
        #expect(throws: PlugboardError.self) { try records(notTickets) }
    }

    @Test("record checks: object, ticket_id present, a non-empty string, equal to its key")
    func checks() {
        let check = RecordCheck(keyField: "ticket_id")
        func reason(_ v: JSON, _ place: RecordPosition.Place = .line) -> String? {
            if case .invalid(let r) = check.outcome(of: v, at: RecordPosition(place: place, line: 1)) { return r }
            return nil
        }
        #expect(reason(["status": "x"]) == "no ticket_id")
        #expect(reason(["ticket_id": ""]) == "ticket_id is empty")
        #expect(reason(["ticket_id": 12])?.contains("must be a string") == true)
        #expect(reason(["a", "b"])?.contains("JSON object") == true)
        #expect(reason(["ticket_id": "X"], .key("Y"))?.contains("differs") == true)
        #expect(reason(["ticket_id": "X"], .key("X")) == nil)
    }

    @Test("duplicates: an identical repeat is skipped, a different one is a conflict naming the first")
    func duplicates() async throws {
        let path = try file("dups.jsonl", """
        {"ticket_id": "A", "n": 1.0}
        {"ticket_id": "B"}
        {"n": 1, "ticket_id": "A"}
        {"ticket_id": "A", "n": 2}
        """)
        let source = try await FileSource.open(path: path, shape: nil, keyField: "ticket_id", chunkSize: 16)
        var all: [SourceRecord] = []
        while let batch = try await source.next(max: 3) { all += batch }
        #expect(all.map(\.seq) == [0, 1, 2, 3])
        guard case .document = all[0].outcome, case .document = all[1].outcome else { Issue.record("\(all)"); return }
        guard case .identical(let id) = all[2].outcome else { Issue.record("\(all[2].outcome)"); return }
        #expect(id == "A")
        guard case .conflict(_, let reason) = all[3].outcome else { Issue.record("\(all[3].outcome)"); return }
        #expect(reason.contains("line 1"), "\(reason)")
        #expect(source.fractionRead == 1)
    }
}
