import Foundation
import PlugboardKernel
import Testing

@Suite("JSON codec")
struct JSONTests {
    @Test func roundTripKeepsNumbersExactly() throws {
        let text = #"{"a":12345678901234567890123,"b":1.50,"c":-0.0,"d":6.02E+23,"e":[true,false,null],"f":"é\n\"q\"\u0000"}"#
        let v = try JSONParser.parse(text)
        #expect(v["a"]?.numberValue?.text == "12345678901234567890123")
        #expect(v["b"]?.numberValue?.text == "1.50")
        #expect(v["d"]?.numberValue?.text == "6.02E+23")
        #expect(v["f"]?.stringValue == "é\n\"q\"\u{0}")
        let again = try JSONParser.parse(v.serialized())
        #expect(again == v)
        // An independent reader agrees on the values.
        let foundation = try JSONSerialization.jsonObject(with: Data(v.serialized().utf8)) as? [String: Any]
        #expect((foundation?["f"] as? String) == "é\n\"q\"\u{0}")
        #expect((foundation?["b"] as? Double) == 1.5)
    }

    @Test func numericEqualityIsExact() throws {
        #expect(JSONNumber("1.0")! == JSONNumber("1")!)
        #expect(JSONNumber("1e2")! == JSONNumber("100")!)
        #expect(JSONNumber("0.10")! == JSONNumber("1e-1")!)
        #expect(JSONNumber("12345678901234567890")! != JSONNumber("12345678901234567891")!)
        #expect(JSONNumber("-0")! == JSONNumber("0")!)
        #expect(JSONNumber("01") == nil)
        #expect(JSONNumber("1.") == nil)
        #expect(JSONNumber("3.0")!.intValue == 3)
        #expect(JSONNumber("3.5")!.intValue == nil)
        #expect(Set([JSON.number(JSONNumber("1.0")!), JSON(1)]).count == 1)
    }

    @Test func unicodeEscapesAndSurrogates() throws {
        let v = try JSONParser.parse(#"["\u00e9", "\ud83c\udfab", "\/", "\ud800x"]"#)
        #expect(v.arrayValue?.compactMap(\.stringValue) == ["é", "🎫", "/", "\u{FFFD}x"])
    }

    @Test(arguments: [
        ("{\"a\": 1,}", 1, 9, "expected a member name"),
        ("{\n  \"a\": 1\n  \"b\": 2\n}", 3, 3, "expected ',' or '}'"),
        ("[1, 2", 1, 6, "expected ',' or ']'"),
        ("{\"a\": tru}", 1, 7, "expected 'true'"),
        ("\"abc", 1, 1, "unterminated string"),
        ("", 1, 1, "empty"),
        ("{} x", 1, 4, "after the end"),
        ("[01]", 1, 3, "expected ',' or ']'"),
        ("\"a\tb\"", 1, 3, "control character"),
        ("{\"é\": [1 2]}", 1, 10, "expected ',' or ']'"),
    ])
    func syntaxErrorsSayWhere(_ text: String, _ line: Int, _ column: Int, _ fragment: String) {
        do {
            _ = try JSONParser.parse(text)
            Issue.record("parsed invalid JSON \(text)")
        } catch {
            #expect(error.line == line, "\(text): \(error)")
            #expect(error.column == column, "\(text): \(error)")
            #expect(error.message.contains(fragment), "\(text): \(error.message)")
        }
    }

    @Test func locationsArePerPath() throws {
        let (_, loc) = try JSONParser.parseWithLocations(Array("{\n  \"storage\": {\n    \"port\": \"x\"\n  },\n  \"l\": [1, 2]\n}".utf8))
        #expect(loc["storage.port"]?.line == 3)
        #expect(loc["storage.port"]?.column == 13)
        #expect(loc["l[1]"]?.line == 5)
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
    }

    @Test func jsonLinesReportTheFileLine() throws {
        var seen: [Int] = []
        try JSONParser.parseLines(Array("{\"a\":1}\n\n{\"a\":2}\n".utf8)) { _, line in seen.append(line) }
        #expect(seen == [1, 3])
        #expect {
            try JSONParser.parseLines(Array("{\"a\":1}\n{\"a\":}\n".utf8)) { _, _ in }
        } throws: { ($0 as? JSONSyntaxError)?.line == 2 }
    }

    @Test func serializerEscapesControlCharacters() {
        let s = JSON.string("a\u{1}b\"c\\d\n").serialized()
        #expect(s == #""a\u0001b\"c\\d\n""#)
        #expect(JSON.object(["b": 1, "a": [:]]).serialized() == #"{"a":{},"b":1}"#)
    }
}

@Suite("timestamps")
struct TimestampTests {
    @Test(arguments: [
        ("2024-01-15T10:30:00Z", "2024-01-15T10:30:00Z"),
        ("2024-01-15T10:30:00", "2024-01-15T10:30:00Z"),
        ("2024-01-15 10:30:00", "2024-01-15T10:30:00Z"),
        ("2024-01-15T12:30:00+02:00", "2024-01-15T10:30:00Z"),
        ("2024-01-15T05:30:00-0500", "2024-01-15T10:30:00Z"),
        ("2024-01-15T10:30:00.250Z", "2024-01-15T10:30:00.250Z"),
        ("2024-01-15", "2024-01-15T00:00:00Z"),
        ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"),
        ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
    ])
    func normalizesToUTC(_ input: String, _ expected: String) {
        #expect(Timestamp.normalize(input) == expected)
    }

    @Test(arguments: ["2023-02-29", "2024-13-01", "2024-01-15T25:00:00Z", "yesterday", "2024-01-15T10:30:00Q", ""])
    func rejectsNonsense(_ input: String) {
        #expect(Timestamp.parse(input) == nil)
    }

    @Test func agreesWithFoundation() {
        let f = ISO8601DateFormatter()
        for t in stride(from: -86_400.0 * 400, through: 86_400.0 * 365 * 60, by: 86_400.0 * 37 + 3_601) {
            let ours = Timestamp.format(t)
            #expect(ours == f.string(from: Date(timeIntervalSince1970: t)))
            #expect(Timestamp.parse(ours) == t)
        }
    }
}

@Suite("index ordering of timestamps")
struct IndexTimestampTests {
    @Test func subSecondValuesSortAfterWholeSeconds() throws {
        let spec = CollectionSpec.tickets
        let idx = try spec.index(named: "status-created_at")
        let a = spec.indexKey(idx, of: ["status": "x", "created_at": "2024-01-01T10:00:00Z"])!.sort
        let b = spec.indexKey(idx, of: ["status": "x", "created_at": "2024-01-01T10:00:00.500Z"])!.sort
        let c = spec.indexKey(idx, of: ["status": "x", "created_at": "2024-01-01T10:00:01Z"])!.sort
        #expect(a < b && b < c, "\(a) \(b) \(c)")
        // Bounds given in any ISO form land on the same scale.
        let q = IndexQuery(index: idx.name, partition: "x", from: "2024-01-01T11:00:00+01:00", to: "2024-01-01 10:00:00.5")
        #expect(q.from == a && q.to == b)
    }

    @Test func memoryStoreOrdersSubSecondTimes() async throws {
        let s = MemoryStore()
        for (id, t) in [("late", "2024-01-01T10:00:00.900Z"), ("whole", "2024-01-01T10:00:00Z"), ("mid", "2024-01-01T10:00:00.5Z")] {
            try await s.put(.tickets, id: id, body: ["ticket_id": .string(id), "status": "x", "created_at": .string(t)])
        }
        let page = try await s.query(.tickets, IndexQuery(index: "status-created_at", partition: "x"))
        #expect(page.documents.map(\.id) == ["whole", "mid", "late"])
    }
}
