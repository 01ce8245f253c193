import PlugboardKernel
import Testing
@testable import StorageDynamoDB

@Suite("AttributeValue codec")
struct AttributeValueCodecTests {
    @Test("every JSON type maps to its AttributeValue and back")
    func roundTrip() throws {
        let doc: JSON = [
            "s": "texte é 🎫", "empty": "", "int": 42, "big": .number(JSONNumber("123456789012345678901234567890")!),
            "dec": .number(JSONNumber("1.50")!), "exp": .number(JSONNumber("-6.02E-23")!), "t": true, "f": false, "n": nil,
            "obj": ["a": [1, "x", nil, ["deep": [:]]]], "arr": [], "o": [:],
        ]
        let encoded = AttributeValueCodec.encode(doc)
        #expect(encoded["M"]?["s"] == ["S": "texte é 🎫"])
        #expect(encoded["M"]?["empty"] == ["S": ""])
        #expect(encoded["M"]?["big"] == ["N": "123456789012345678901234567890"])
        #expect(encoded["M"]?["dec"]?["N"]?.stringValue == "1.50", "number text kept exactly")
        #expect(encoded["M"]?["exp"]?["N"]?.stringValue == "-6.02E-23")
        #expect(encoded["M"]?["t"] == ["BOOL": true])
        #expect(encoded["M"]?["n"] == ["NULL": true])
        #expect(encoded["M"]?["arr"] == ["L": []])
        #expect(encoded["M"]?["o"] == ["M": [:]])
        #expect(encoded["M"]?["obj"]?["M"]?["a"]?["L"]?.arrayValue?.count == 4)
        let decoded = try AttributeValueCodec.decode(encoded)
        #expect(decoded == doc)
        #expect(decoded["dec"]?.numberValue?.text == "1.50")
    }

    @Test("sets and binary from other tools decode to arrays and base64 text")
    func foreignTypes() throws {
        #expect(try AttributeValueCodec.decode(["SS": ["a", "b"]]) == ["a", "b"])
        #expect(try AttributeValueCodec.decode(["NS": ["1", "2.5"]]) == [1, .number(JSONNumber("2.5")!)])
        #expect(try AttributeValueCodec.decode(["B": "aGk="]) == "aGk=")
        #expect(try AttributeValueCodec.decode(["N": "+5"]) == 5)
    }

    @Test("malformed AttributeValues are rejected")
    func malformed() {
        for bad: JSON in [["S": 1], ["N": "abc"], ["X": "y"], ["S": "a", "N": "1"], "plain", ["NULL": false]] {
            #expect(throws: AttributeValueCodec.DecodingError.self) { try AttributeValueCodec.decode(bad) }
        }
    }
}
