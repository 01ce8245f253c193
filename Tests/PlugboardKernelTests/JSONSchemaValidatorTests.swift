import PlugboardKernel
import Testing

@Suite("JSON Schema validator: messages, exactness, refusals")
struct JSONSchemaValidatorTests {
    static let analysis: JSON = [
        "type": "object",
        "required": ["analytics"],
        "properties": [
            "analytics": [
                "type": "object",
                "required": ["urgency", "summary"],
                "additionalProperties": false,
                "properties": [
                    "urgency": ["enum": ["low", "medium", "high"]],
                    "summary": ["type": "string", "maxLength": 10],
                    "score": ["type": "integer", "minimum": 0],
                ],
            ],
        ],
    ]

    @Test func violationsNameThePathAndWhatWasExpected() throws {
        let v = try JSONSchemaValidator(schema: Self.analysis)
        let found = v.validate(["analytics": ["urgency": "x", "score": .number(JSONNumber("1.5")!), "mood": "sad"]])
        #expect(found.map(\.description) == [
            "/analytics/summary: missing required property \"summary\"",
            "/analytics/mood: unexpected property \"mood\" (allowed: score, summary, urgency)",
            "/analytics/score: expected integer, got number 1.5",
            #"/analytics/urgency: expected one of low, medium, high, got "x""#,
        ])
        #expect(found.map(\.keyword) == ["required", "additionalProperties", "type", "enum"])
        #expect(v.validate(["analytics": ["urgency": "low", "summary": "ok", "score": .number(JSONNumber("3.0")!)]]).isEmpty)
        #expect(v.validate([:]).map(\.path) == ["/analytics"])
    }

    @Test func requireValidThrowsInvalidInputListingEveryViolation() throws {
        let v = try JSONSchemaValidator(schema: Self.analysis)
        do {
            try v.requireValid(["analytics": ["urgency": "low", "summary": "much too long"]], "llm output")
            Issue.record("expected a throw")
        } catch {
            #expect(error.code == .invalidInput)
            #expect(error.message == "llm output does not match its schema:\n- /analytics/summary: expected at most 10 characters, got 13")
        }
    }

    @Test func lengthsCountCodePoints() throws {
        let v = try JSONSchemaValidator(schema: ["maxLength": 2, "minLength": 2])
        #expect(v.isValid("é🎫"))
        #expect(v.isValid("e\u{301}"))  // two code points, one character
        #expect(!v.isValid("é🎫x"))
    }

    @Test func numberBoundsAreExactDecimals() throws {
        let big = try JSONSchemaValidator(schema: ["maximum": .number(JSONNumber("12345678901234567890")!)])
        #expect(big.isValid(.number(JSONNumber("12345678901234567890")!)))
        #expect(!big.isValid(.number(JSONNumber("12345678901234567891")!)))  // equal as Doubles
        let tenth = try JSONSchemaValidator(schema: ["exclusiveMinimum": .number(JSONNumber("0.1")!)])
        #expect(!tenth.isValid(.number(JSONNumber("0.1000")!)))
        #expect(tenth.isValid(.number(JSONNumber("1e-1")!)) == false)
        #expect(tenth.isValid(.number(JSONNumber("0.10000000000000001")!)))
        let cents = try JSONSchemaValidator(schema: ["multipleOf": .number(JSONNumber("0.01")!)])
        #expect(cents.isValid(.number(JSONNumber("19.99")!)))  // 19.99 / 0.01 is not integral in Double
        #expect(!cents.isValid(.number(JSONNumber("19.999")!)))
        #expect(cents.isValid(.number(JSONNumber("1e30")!)))
        let integer = try JSONSchemaValidator(schema: ["type": "integer"])
        #expect(integer.isValid(.number(JSONNumber("1e308")!)))
        #expect(integer.isValid(.number(JSONNumber("-0.0")!)))
        #expect(!integer.isValid(.number(JSONNumber("1.0000000000000000001")!)))
    }

    @Test func patternsAreUnanchoredAndDigitsAreASCII() throws {
        let v = try JSONSchemaValidator(schema: ["pattern": #"^\d{3}$"#])
        #expect(v.isValid("123"))
        #expect(!v.isValid("١٢٣"))  // Arabic-Indic digits: \d is ASCII-only in ECMA-262
        #expect(try JSONSchemaValidator(schema: ["pattern": "b"]).isValid("abc"))
        #expect(try JSONSchemaValidator(schema: ["pattern": #"[^\d]"#]).isValid("a"))
    }

    @Test func refsFollowEscapedPointersAndRecursion() throws {
        let tree: JSON = [
            "$defs": ["a/b": ["type": "integer"], "node": [
                "type": "object", "properties": ["children": ["type": "array", "items": ["$ref": "#/$defs/node"]]],
            ]],
            "properties": ["n": ["$ref": "#/$defs/a~1b"], "tree": ["$ref": "#/$defs/node"]],
        ]
        let v = try JSONSchemaValidator(schema: tree)
        #expect(v.isValid(["n": 3, "tree": ["children": [["children": []]]]]))
        #expect(v.validate(["n": "x", "tree": ["children": [["children": 1]]]]).map(\.path) == ["/n", "/tree/children/0/children"])
        let cycle = try JSONSchemaValidator(schema: ["$defs": ["a": ["$ref": "#/$defs/a"]], "$ref": "#/$defs/a"])
        #expect(cycle.validate(1).first?.message.contains("$ref cycle") == true)
    }

    @Test func alternativesExplainWhyEachFailed() throws {
        let v = try JSONSchemaValidator(schema: ["anyOf": [["type": "string"], ["type": "null"]]])
        let m = try #require(v.validate(3).first?.message)
        #expect(m == "expected to match at least one of 2 alternatives (anyOf), matched none: "
            + "#0: expected string, got integer 3 | #1: expected null, got integer 3")
        let one = try JSONSchemaValidator(schema: ["oneOf": [["minimum": 1], ["maximum": 5]]])
        #expect(one.validate(3).first?.message == "expected to match exactly one of 2 alternatives (oneOf), matched #0 and #1")
    }

    @Test func unsupportedFeaturesAreRefusedNotIgnored() {
        for schema: JSON in [
            ["$ref": "https://example.com/s.json"],
            ["unevaluatedProperties": false],
            ["$defs": ["x": ["$anchor": "x"]], "$ref": "#x"],
            ["properties": ["a": ["$id": "a.json"]]],
        ] {
            #expect(!JSONSchemaValidator.unsupportedFeatures(in: schema).isEmpty)
            #expect(throws: PlugboardError.self) { try JSONSchemaValidator(schema: schema) }
        }
        // `$ref` inside `enum` data is not a reference; a root `$id` is fine.
        #expect(JSONSchemaValidator.unsupportedFeatures(in: ["$id": "urn:x", "enum": [["$ref": "http://x"]]]).isEmpty)
    }

    @Test func malformedSchemasAreRejectedWithTheirLocation() {
        let cases: [(JSON, String)] = [
            (["properties": ["a": ["type": "text"]]], "schema #/properties/a/type: unknown type \"text\""),
            (["minLength": -1], "schema #/minLength: expected a non-negative integer, got -1"),
            (["pattern": "("], "schema #/pattern: invalid pattern /(/"),
            (["$ref": "#/$defs/missing"], "schema #/$ref: \"#/$defs/missing\" points to nothing in this schema"),
            (["items": 3], "schema #/items: a schema must be an object or a boolean, got integer"),
        ]
        for (schema, prefix) in cases {
            do {
                _ = try JSONSchemaValidator(schema: schema)
                Issue.record("accepted \(schema.serialized())")
            } catch {
                #expect(error.code == .invalidInput)
                #expect(error.message.hasPrefix(prefix), "\(error.message)")
            }
        }
    }
}
