import PlugboardKernel
import Testing

/// The exact bytes of compact JSON: stores hash and compare them, so the fast
/// writer must produce what the original serializer did.
@Suite("JSON serializer output")
struct JSONSerializerOutputTests {
    @Test func keysAreSortedAtEveryLevel() {
        let v: JSON = ["b": 1, "a": ["z": true, "y": nil, "x": [false, "s"]], "A": [], "": [:], "é": 2, "aa": 3]
        #expect(v.serialized() == #"{"":{},"A":[],"a":{"x":[false,"s"],"y":null,"z":true},"aa":3,"b":1,"é":2}"#)
    }

    @Test func stringsEscapeQuotesBackslashesAndControlCharacters() {
        let v: JSON = .string("q\"b\\n\nr\rt\tnul\u{0}us\u{1f}del\u{7f}/é🎫")
        #expect(v.serialized() == #""q\"b\\n\nr\rt\tnul\u0000us\u001fdel"# + "\u{7f}/é🎫\"")
    }

    /// Strings are scanned 8 bytes at a time: a character to escape must be found at any position.
    @Test func escapesAreFoundAtEveryPosition() throws {
        let escaped: [(String, String)] = [("\"", "\\\""), ("\\", "\\\\"), ("\u{1}", "\\u0001"), ("\n", "\\n"), ("\u{1f}", "\\u001f")]
        for length in 1..<26 {
            for position in 0..<length {
                for (raw, written) in escaped {
                    for filler in ["a", "é", "\u{7f}"] {
                        let before = String(repeating: filler, count: position), after = String(repeating: "z", count: length - position - 1)
                        let value = JSON.string(before + raw + after)
                        #expect(value.serialized() == "\"" + before + written + after + "\"")
                        #expect(try JSONParser.parse(value.serializedBytes()) == value)
                    }
                }
                // An unescaped control character is an error wherever it is.
                let bad = Array(("\"" + String(repeating: "x", count: position) + "\u{2}" + String(repeating: "y", count: length - position - 1) + "\"").utf8)
                #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(bad) }
            }
        }
    }

    @Test func numbersKeepTheirText() {
        let v: JSON = [.number(JSONNumber("1.50")!), .number(JSONNumber("12345678901234567890123")!), .number(JSONNumber("-6.02e23")!)]
        #expect(v.serialized() == "[1.50,12345678901234567890123,-6.02e23]")
    }

    @Test func allEntryPointsAgreeAndRoundTrip() throws {
        var members: [String: JSON] = [:]
        for i in 0..<300 { members["k\(i)"] = ["n": JSON(i), "s": .string(String(repeating: "x", count: i))] }
        let v = JSON.object(members)
        let bytes = v.serializedBytes()
        #expect(String(decoding: bytes, as: UTF8.self) == v.serialized())
        var appended: [UInt8] = [0x20]
        v.write(into: &appended)
        #expect(Array(appended.dropFirst()) == bytes)
        #expect(try JSONParser.parse(bytes) == v)
        #expect(bytes.count > 45_000, "a document larger than the writer's first buffer")
    }

    @Test func prettyOutputIsUnchanged() {
        let v: JSON = ["b": [1, 2], "a": [:], "c": ["d": "e"]]
        #expect(v.serialized(pretty: true) == "{\n  \"a\": {},\n  \"b\": [\n    1,\n    2\n  ],\n  \"c\": {\n    \"d\": \"e\"\n  }\n}")
    }

    @Test func repeatedKeysKeepTheLastValue() throws {
        #expect(try JSONParser.parse(#"{"a":1,"b":[{"a":2,"a":3}],"a":4}"#) == ["a": 4, "b": [["a": 3]]])
    }
}
