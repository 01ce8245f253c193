import Foundation
import PlugboardKernel
import StorageJSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A scratch folder removed when the test ends.
final class Scratch {
    let root = NSTemporaryDirectory() + "plugboard-jsonfile-" + UUID().uuidString
    init() { try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: root) }
    func path(_ name: String) -> String { root + "/" + name }
}

let tickets = CollectionSpec.tickets
let contacts = CollectionSpec.contacts

/// A Freeda-style file as a person or another tool would write it.
let handWritten = """
{
  "TKT-1": {
    "ticket_id": "TKT-1",
    "status": "en cours",
    "channel": "email",
    "created_at": "2024-03-01T09:15:00Z",
    "closed_at": null,
    "resolution_duration": null,
    "analytics": {"sentiment": "négatif", "category": "SUPPORT", "urgency": "high", "summary": "Colis non reçu"},
    "messages": [
      {"id": "m1", "role": "user", "content": "Bonjour, ma commande n'est pas arrivée.", "timestamp": "2024-03-01T09:15:00Z"}
    ],
    "score": 1.50,
    "order_number": 12345678901234567890123
  },
  "TKT-2": {"ticket_id": "TKT-2", "status": "fermé", "channel": "chat", "created_at": "2024-03-02T10:00:00+01:00",
            "closed_at": "2024-03-02T12:00:00+01:00", "resolution_duration": 7200, "messages": [], "crm": {"hubspot_id": "991"}},
  "KEY-3": {"ticket_id": "FIELD-3", "status": "fermé", "channel": "email", "created_at": "2024-03-03T08:00:00Z"}
}

"""

func writeFile(_ path: String, _ text: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

func bytes(_ path: String) -> [UInt8]? { FileManager.default.contents(atPath: path).map { [UInt8]($0) } }

/// The main file parsed by an independent reader (Foundation), as ticket id → fields.
func independentlyRead(_ path: String) throws -> [String: [String: Any]] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let object = try JSONSerialization.jsonObject(with: data)
    return try #require(object as? [String: [String: Any]], "the main file is an object of objects")
}

/// Every document of the given collections, keyed `collection/id`.
func everything(_ s: any DocumentStore, _ specs: [CollectionSpec] = [tickets, contacts]) async throws -> [String: StoredDocument] {
    var out: [String: StoredDocument] = [:]
    for spec in specs {
        for try await batch in s.scan(spec, batchSize: 500) { for d in batch { out["\(spec.name)/\(d.id)"] = d } }
    }
    return out
}

/// Opens a store whose previous instance was just dropped. The writer queue
/// may hold the last reference for a moment after the final await returns,
/// so the lock can take that long to be released.
func reopen(_ path: String, compactAfterBytes: Int? = nil) async throws -> JSONFileStore {
    for _ in 0..<200 {
        do {
            return try await JSONFileStore.open(path: path, compactAfterBytes: compactAfterBytes)
        } catch let e as PlugboardError where e.message.contains("is in use") {
            try await Task.sleep(for: .milliseconds(10))
        }
    }
    return try await JSONFileStore.open(path: path, compactAfterBytes: compactAfterBytes)
}

func ticket(_ id: String, status: String = "en cours", _ extra: [String: JSON] = [:]) -> JSON {
    var o: [String: JSON] = ["ticket_id": .string(id), "status": .string(status), "channel": "email",
                             "created_at": "2024-04-01T00:00:00Z"]
    for (k, v) in extra { o[k] = v }
    return .object(o)
}

@Suite("json storage: the file")
struct JSONFileStoreTests {
    @Test("an existing Freeda-style file written by hand is read as it is")
    func readsHandWrittenFile() async throws {
        let scratch = Scratch()
        let path = scratch.path("data/tickets.json")
        try writeFile(path, handWritten)
        let s = try await JSONFileStore.open(path: path)
        #expect(try await s.count(tickets) == 3)
        let one = try #require(try await s.get(tickets, id: "TKT-1"))
        #expect(one.revision == 1)
        #expect(one.body["analytics"]?["sentiment"] == "négatif")
        #expect(one.body["messages"]?.arrayValue?.first?["content"] == "Bonjour, ma commande n'est pas arrivée.")
        #expect(one.body["score"]?.numberValue?.text == "1.50", "number text kept")
        #expect(one.body["order_number"]?.numberValue?.text == "12345678901234567890123")
        #expect(one.body["closed_at"] == .null)
        #expect(try await s.get(tickets, id: "TKT-2")?.body["crm"]?["hubspot_id"] == "991", "unknown fields kept")
        // The key is the id, even when the body's ticket_id differs.
        #expect(try await s.get(tickets, id: "KEY-3")?.body["ticket_id"] == "FIELD-3")
        #expect(try await s.get(tickets, id: "FIELD-3") == nil)
        let closed = try await s.query(tickets, IndexQuery(index: "status-created_at", partition: "fermé"))
        #expect(closed.documents.map(\.id) == ["TKT-2", "KEY-3"], "indexed, +01:00 normalized to UTC")
        let before = bytes(path)
        try await s.close()
        #expect(bytes(path) == before, "opening and closing without a write leaves the file byte for byte")
    }

    @Test("after close the main file alone holds every ticket, without bookkeeping fields")
    func mainFileAloneAfterClose() async throws {
        let scratch = Scratch()
        let path = scratch.path("tickets.json")
        try writeFile(path, handWritten)
        var expected: [String: JSON] = [:]
        do {
            let s = try await JSONFileStore.open(path: path)
            for i in 0..<40 {
                let id = "N-\(i)"
                expected[id] = ticket(id, ["n": JSON(i), "note": "café ☕ \"quoted\"\nline"])
                try await s.put(tickets, id: id, body: expected[id]!, condition: .absent)
            }
            expected["N-3"] = ticket("N-3", status: "fermé", ["n": 3])
            try await s.put(tickets, id: "N-3", body: expected["N-3"]!, condition: .revision(1))
            try await s.delete(tickets, id: "N-4", condition: .none)
            expected["N-4"] = nil
            try await s.delete(tickets, id: "TKT-1", condition: .revision(1))
            let batch = (0..<25).map { Document(id: "B-\($0)", body: ticket("B-\($0)")) }
            try await s.batchPut(tickets, batch)
            for d in batch { expected[d.id] = d.body }
            try await s.put(contacts, id: "c1", body: ["contact_id": "c1", "email": "a@example.com"])
            try await s.close()
            try await s.close() // idempotent
        }
        let file = try independentlyRead(path)
        #expect(Set(file.keys) == Set(expected.keys).union(["TKT-2", "KEY-3"]), "every ticket, deletes applied, no contacts")
        for (id, body) in expected {
            let fields = try #require(file[id])
            #expect(Set(fields.keys) == Set(body.objectValue!.keys), "\(id): exactly the fields written")
            #expect(fields["status"] as? String == body["status"]?.stringValue)
        }
        #expect(file["N-0"]?["note"] as? String == "café ☕ \"quoted\"\nline")
        #expect((file["TKT-2"]?["crm"] as? [String: Any])?["hubspot_id"] as? String == "991")
        let text = String(decoding: bytes(path)!, as: UTF8.self)
        #expect(text.contains("\"order_number\"") == false, "the deleted ticket is gone")
        #expect(text.contains("\n  \"B-0\": {\n    \"channel\": \"email\","), "pretty, sorted keys")
        // And the store reads it all back, revisions included.
        let s = try await JSONFileStore.open(path: path)
        #expect(try await s.get(tickets, id: "N-3")?.revision == 2)
        #expect(try await s.get(tickets, id: "N-5")?.revision == 1)
        #expect(try await s.get(contacts, id: "c1")?.body["email"] == "a@example.com")
        #expect(try await s.count(tickets) == expected.count + 2)
        try await s.close()
    }

    @Test("a second open of the same file fails with a clear error while the first is open")
    func secondOpenFails() async throws {
        let scratch = Scratch()
        let path = scratch.path("tickets.json")
        let first = try await JSONFileStore.open(path: path)
        try await first.put(tickets, id: "A", body: ticket("A"))
        let error = await #expect(throws: PlugboardError.self) {
            _ = try await JSONFileStore.open(path: path)
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message == "\(path) is in use by another plugboard process (pid \(getpid()), this process)")
        #expect(error?.isRetryable == false)
        // A second path spelling of the same file is the same lock.
        await #expect(throws: PlugboardError.self) {
            _ = try await JSONFileStore.open(path: scratch.root + "/./tickets.json")
        }
        #expect(try await first.get(tickets, id: "A") != nil, "the first store is unaffected")
        try await first.close()
        let second = try await JSONFileStore.open(path: path)
        #expect(try await second.get(tickets, id: "A") != nil)
        try await second.close()
    }

    @Test("a store dropped without close, then a torn journal line: reopening recovers every acknowledged write")
    func crashRecovery() async throws {
        let scratch = Scratch()
        let path = scratch.path("tickets.json")
        try writeFile(path, handWritten)
        let original = bytes(path)
        var acknowledged: [String: StoredDocument] = [:]
        do {
            let s = try await JSONFileStore.open(path: path)
            for i in 0..<20 {
                let rev = try await s.put(tickets, id: "W\(i)", body: ticket("W\(i)", ["i": JSON(i)]))
                #expect(rev == 1)
            }
            try await s.put(tickets, id: "TKT-2", body: ticket("TKT-2", status: "en cours"), condition: .revision(1))
            try await s.put(tickets, id: "W0", body: ticket("W0", ["i": "again"]), condition: .revision(1))
            try await s.delete(tickets, id: "KEY-3", condition: .none)
            try await s.batchPut(contacts, (0..<5).map { Document(id: "c\($0)", body: ["contact_id": .string("c\($0)")]) })
            try await s.delete(contacts, id: "c4", condition: .none)
            acknowledged = try await everything(s)
            // No close: the instance is dropped here, as if the process died.
        }
        #expect(bytes(path) == original, "the main file is untouched (and still parses) until a compaction")
        _ = try independentlyRead(path)
        // A write that was in flight when the process died: half a record, no newline.
        let journal = path + ".plugboard/journal.jsonl"
        let validLength = try #require(bytes(journal)).count
        let torn = Array(JournalLine.put("tickets", "LOST", ticket("LOST")).utf8)
        let handle = try #require(FileHandle(forWritingAtPath: journal))
        handle.seekToEndOfFile()
        handle.write(Data(torn.prefix(torn.count / 2)))
        try handle.close()

        do {
            let s = try await reopen(path)
            let recovered = try await everything(s)
            #expect(recovered == acknowledged, "every acknowledged write, with its revision, and nothing else")
            #expect(recovered["tickets/W0"]?.revision == 2)
            #expect(recovered["tickets/TKT-2"]?.body["status"] == "en cours")
            #expect(recovered["tickets/KEY-3"] == nil)
            #expect(recovered["tickets/LOST"] == nil)
            #expect(bytes(journal)?.count == validLength, "the torn tail is cut off before new appends")
            try await s.put(tickets, id: "after", body: ticket("after"))
            // Dropped again without close.
        }
        // A second crash: the record written after recovery must not sit behind the torn one.
        do {
            let s = try await reopen(path)
            #expect(try await s.get(tickets, id: "after") != nil)
            #expect(try await everything(s).count == acknowledged.count + 1)
            try await s.close()
        }
        let file = try independentlyRead(path)
        #expect(file.count == 2 + 20 + 1, "TKT-1, TKT-2, W0...W19, after")
        #expect(file["W0"]?["i"] as? String == "again")
        #expect(bytes(journal)?.count == 0, "compacted on close")
    }

    @Test("crashes inside a compaction: every mix of old and new files replays to the same state")
    func crashDuringCompaction() async throws {
        let scratch = Scratch()
        let path = scratch.path("tickets.json")
        let statePath = path + ".plugboard/state.json"
        let journal = path + ".plugboard/journal.jsonl"
        // Base B0: compacted state with revisions above 1 and another collection.
        do {
            let s = try await JSONFileStore.open(path: path)
            for i in 0..<10 { try await s.put(tickets, id: "T\(i)", body: ticket("T\(i)")) }
            try await s.put(tickets, id: "T1", body: ticket("T1", ["v": 2]))
            try await s.put(contacts, id: "c1", body: ["contact_id": "c1", "v": 1])
            try await s.put(contacts, id: "c2", body: ["contact_id": "c2"])
            try await s.close()
        }
        let oldMain = try #require(bytes(path)), oldState = try #require(bytes(statePath))
        // Journal J on top of B0, left behind by a dropped store.
        do {
            let s = try await reopen(path)
            try await s.put(tickets, id: "T1", body: ticket("T1", ["v": 3]), condition: .revision(2))
            try await s.put(tickets, id: "T2", body: ticket("T2", status: "fermé"))
            try await s.delete(tickets, id: "T3", condition: .none)
            try await s.put(tickets, id: "T3", body: ticket("T3", ["reborn": true]))
            try await s.delete(tickets, id: "T4", condition: .none)
            try await s.put(tickets, id: "T10", body: ticket("T10"))
            try await s.put(contacts, id: "c1", body: ["contact_id": "c1", "v": 2])
            try await s.delete(contacts, id: "c2", condition: .none)
        }
        let oldJournal = try #require(bytes(journal))
        #expect(!oldJournal.isEmpty)
        // The finished compaction gives the expected state and base B1.
        let expected: [String: StoredDocument]
        do {
            let s = try await reopen(path)
            expected = try await everything(s)
            try await s.close()
        }
        #expect(expected["tickets/T1"]?.revision == 3 && expected["tickets/T3"]?.revision == 1)
        #expect(expected["tickets/T4"] == nil && expected["contacts/c2"] == nil)
        let newMain = try #require(bytes(path)), newState = try #require(bytes(statePath))
        #expect(bytes(journal)?.isEmpty == true)

        let scenarios: [(String, main: [UInt8], state: [UInt8])] = [
            ("killed before the main file's rename, a temp file left", oldMain, oldState),
            ("killed between the main file and state.json", newMain, oldState),
            ("killed after both renames, before the journal's truncation", newMain, newState),
        ]
        for (name, main, state) in scenarios {
            try Data(main).write(to: URL(fileURLWithPath: path))
            try Data(state).write(to: URL(fileURLWithPath: statePath))
            try Data(oldJournal).write(to: URL(fileURLWithPath: journal))
            try writeFile(scratch.path(".tickets.json.tmp"), "{\"half\": ")
            let s = try await reopen(path)
            #expect(try await everything(s) == expected, "\(name)")
            #expect(!FileManager.default.fileExists(atPath: scratch.path(".tickets.json.tmp")), "\(name): stray temp removed")
            try await s.close()
            #expect(bytes(path) == newMain, "\(name): the compacted main file is the same")
        }
    }

    @Test("the journal is compacted into the main file as it grows, without waiting for close")
    func compactsWhenJournalGrows() async throws {
        let scratch = Scratch()
        let path = scratch.path("tickets.json")
        let s = try await JSONFileStore.open(path: path, compactAfterBytes: 8_192)
        for i in 0..<300 { try await s.put(tickets, id: "G\(i)", body: ticket("G\(i)", ["i": JSON(i)])) }
        let journalSize = try #require(bytes(path + ".plugboard/journal.jsonl")).count
        #expect(journalSize < 8_192, "the journal stays under its threshold")
        let file = try independentlyRead(path)
        #expect(file.count > 250, "the main file already holds most tickets while open: \(file.count)")
        #expect(file.count <= 300)
        try await s.close()
        #expect(try independentlyRead(path).count == 300)
    }

    @Test("a syntax error in the main file names the file, line and column; the lock is not kept")
    func syntaxError() async throws {
        let scratch = Scratch()
        let path = scratch.path("tickets.json")
        try writeFile(path, "{\n  \"A\": {\"status\": \"en cours\",}\n}\n")
        let error = await #expect(throws: PlugboardError.self) { _ = try await JSONFileStore.open(path: path) }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.hasPrefix("\(path):2:") == true, "\(error?.message ?? "")")
        #expect(error?.adapter == "json")
        try writeFile(path, "[{\"ticket_id\": \"A\"}]")
        let array = await #expect(throws: PlugboardError.self) { _ = try await JSONFileStore.open(path: path) }
        #expect(array?.message.contains("expected an object keyed by ticket_id, found an array") == true)
        try writeFile(path, "{\"A\": {\"status\": \"en cours\"}}")
        let s = try await JSONFileStore.open(path: path)
        #expect(try await s.count(tickets) == 1)
        try await s.close()
    }

    @Test("a damaged journal (an unreadable record before others) refuses to open rather than drop writes")
    func damagedJournal() async throws {
        let scratch = Scratch()
        let path = scratch.path("tickets.json")
        let journal = path + ".plugboard/journal.jsonl"
        try writeFile(journal, JournalLine.put("tickets", "A", ticket("A")) + "{garbage\n" + JournalLine.put("tickets", "B", ticket("B")))
        let error = await #expect(throws: PlugboardError.self) { _ = try await JSONFileStore.open(path: path) }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.hasPrefix("\(journal):2: unreadable journal record") == true, "\(error?.message ?? "")")
        // The torn-tail case of the same bytes opens.
        try writeFile(journal, JournalLine.put("tickets", "A", ticket("A")) + "{garbage")
        let s = try await JSONFileStore.open(path: path)
        #expect(try await s.get(tickets, id: "A") != nil)
        try await s.close()
    }

    @Test("a symbolic link to the main file stays a link; its target is rewritten")
    func symbolicLink() async throws {
        let scratch = Scratch()
        try writeFile(scratch.path("real/tickets.json"), handWritten)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("link.json"), withDestinationPath: scratch.path("real/tickets.json"))
        let s = try await JSONFileStore.open(path: scratch.path("link.json"))
        try await s.put(tickets, id: "L", body: ticket("L"))
        try await s.close()
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: scratch.path("link.json")) == scratch.path("real/tickets.json"))
        #expect(try independentlyRead(scratch.path("real/tickets.json"))["L"] != nil)
    }

    @Test("the registry builds it from config, resolving path against the config's folder")
    func registry() async throws {
        let scratch = Scratch()
        let registry = Registry([JSONFileStore.registryEntry])
        let settings = AdapterSettings(port: .storage, adapter: "json", values: ["path": "store/t.json"], directory: scratch.root)
        let s = try await registry.makeStorage(settings, AdapterContext(registry: registry))
        try await s.put(tickets, id: "R", body: ticket("R"))
        try await s.close()
        #expect(try independentlyRead(scratch.path("store/t.json"))["R"] != nil)
        #expect(JSONFileStore.descriptor.fields.first?.defaultValue == "data/tickets.json")
    }

    @Test("a path naming a directory is a configuration error, and nothing is created beside it")
    func pathIsDirectory() async throws {
        let scratch = Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("dir"), withIntermediateDirectories: true)
        let error = await #expect(throws: PlugboardError.self) { _ = try await JSONFileStore.open(path: scratch.path("dir")) }
        #expect(error?.code == .invalidConfiguration)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.root) == ["dir"])
    }

    @Test("writes and reads after close fail clearly")
    func afterClose() async throws {
        let scratch = Scratch()
        let s = try await JSONFileStore.open(path: scratch.path("t.json"))
        try await s.close()
        #expect(FileManager.default.fileExists(atPath: scratch.path("t.json")), "close writes the file even when empty")
        #expect(try independentlyRead(scratch.path("t.json")).isEmpty)
        let error = await #expect(throws: PlugboardError.self) { try await s.put(tickets, id: "x", body: ticket("x")) }
        #expect(error?.message.contains("closed") == true)
        await #expect(throws: PlugboardError.self) { _ = try await s.get(tickets, id: "x") }
    }
}

/// Journal lines written by hand, in the documented record format, to
/// simulate what a crash leaves behind.
enum JournalLine {
    static func put(_ collection: String, _ id: String, _ body: JSON, revision: Int = 1) -> String {
        JSON.object(["op": "put", "collection": .string(collection),
                     "documents": [["id": .string(id), "revision": JSON(revision), "body": body]]]).serialized() + "\n"
    }
}
