import Foundation
import PlugboardKernel
import Testing

/// A registry with fields of every kind, independent of the real adapters.
let testRegistry = Registry([
    MemoryStore.registryEntry,
    Registry.Entry(AdapterDescriptor(port: .storage, name: "fake", summary: "test", fields: [
        ConfigField("path", .string, required: true, "Where."),
        ConfigField("port", .integer, default: 5432, "Port."),
        ConfigField("ratio", .number, "Ratio."),
        ConfigField("verbose", .boolean, default: false, "Verbose."),
        ConfigField("mode", .choice(["a", "b"]), default: "a", "Mode."),
        ConfigField("tags", .stringList, "Tags."),
        ConfigField("password", .string, secret: true, environment: "FAKE_PASSWORD", "Password."),
    ]), .storage { _, _ in MemoryStore() }),
])

func load(_ text: String, env: [String: String] = [:]) throws -> PlugboardConfig {
    try ConfigLoader(registry: testRegistry, environment: env).load(bytes: Array(text.utf8), file: "adapters.json", directory: "/tmp/x", environment: env)
}

func configError(_ text: String, env: [String: String] = [:]) -> String {
    do {
        _ = try load(text, env: env)
        return "(no error)"
    } catch let e as PlugboardError {
        #expect(e.code == .invalidConfiguration)
        return e.message
    } catch {
        return "unexpected \(error)"
    }
}

@Suite("config loader")
struct ConfigLoaderTests {
    @Test func defaultsAndResolvedValues() throws {
        let c = try load(#"{"storage": {"adapter": "fake", "path": "data/x.db"}}"#)
        let s = try #require(c.settings(.storage))
        #expect(s.adapter == "fake")
        #expect(s.int("port") == 5432)
        #expect(s.bool("verbose") == false)
        #expect(s.filePath("path") == "/tmp/x/data/x.db")
        #expect(c.workflow["threading_window_days"]?.intValue == 14)
        #expect(c.server["port"]?.intValue == 8080)
    }

    @Test func typeErrorsNameFilePathExpectedAndFound() {
        let msg = configError("{\n  \"storage\": {\n    \"adapter\": \"fake\",\n    \"path\": \"p\",\n    \"port\": \"x\"\n  }\n}")
        #expect(msg == "adapters.json: storage.port: expected integer, got \"x\" (line 5, column 13)")
    }

    @Test func everyErrorIsListed() {
        let msg = configError(#"{"storage": {"adapter": "fake", "port": true, "mode": "c", "tags": ["a", 1], "colour": "red"}, "wat": 1}"#)
        #expect(msg.contains("adapters.json: wat: unknown section"))
        #expect(msg.contains("adapters.json: storage.colour: unknown field for the fake adapter"))
        #expect(msg.contains("adapters.json: storage.port: expected integer, got true"))
        #expect(msg.contains("adapters.json: storage.mode: expected one of \"a\", \"b\", got \"c\""))
        #expect(msg.contains("adapters.json: storage.tags[1]: expected string, got 1"))
        #expect(msg.contains("adapters.json: storage.path: required by the fake adapter"))
    }

    @Test func unknownAdapterListsKnownOnes() {
        let msg = configError(#"{"storage": {"adapter": "mongo"}}"#)
        #expect(msg.hasPrefix("adapters.json: storage.adapter: unknown storage adapter \"mongo\"; known: fake, memory"))
    }

    @Test func syntaxErrorsHaveLineAndColumn() {
        let msg = configError("{\n  \"storage\": {\"adapter\": \"memory\",}\n}")
        #expect(msg.hasPrefix("adapters.json:2:35: invalid JSON: expected a member name"), "\(msg)")
    }

    @Test func interpolationFromEnvironmentWithDefaults() throws {
        let c = try load(#"{"storage": {"adapter": "fake", "path": "${DIR}/db-${NAME:-main}.sqlite", "port": "${PGPORT}", "verbose": "${V:-true}"}}"#,
                         env: ["DIR": "/srv", "PGPORT": "6543"])
        let s = try #require(c.settings(.storage))
        #expect(s.string("path") == "/srv/db-main.sqlite")
        #expect(s.int("port") == 6543)
        #expect(s.bool("verbose") == true)
        #expect(try load(#"{"storage": {"adapter": "fake", "path": "$${LITERAL}"}}"#).settings(.storage)?.string("path") == "${LITERAL}")
    }

    @Test func missingVariableIsAnError() {
        let msg = configError(#"{"storage": {"adapter": "fake", "path": "${NOPE}"}}"#)
        #expect(msg.hasPrefix("adapters.json: storage.path: environment variable NOPE is not set"))
        let bad = configError(#"{"storage": {"adapter": "fake", "path": "p", "port": "${P}"}}"#, env: ["P": "abc"])
        #expect(bad.hasPrefix("adapters.json: storage.port: expected integer, got \"abc\""))
    }

    @Test func secretsNeverAppearInErrorsOrShow() throws {
        let secret = "hunter2-very-secret"
        let c = try load(#"{"storage": {"adapter": "fake", "path": "p", "password": "${PW}"}}"#, env: ["PW": secret])
        #expect(c.settings(.storage)?.string("password") == secret)
        let shown = c.redacted.serialized()
        #expect(!shown.contains(secret))
        #expect(shown.contains("\"password\":\"***\""))
        // A secret of the wrong type is reported without its value.
        let msg = configError(#"{"storage": {"adapter": "fake", "path": "p", "password": 123456789}}"#)
        #expect(msg == "adapters.json: storage.password: expected string, got an integer (value hidden) (line 1, column 58)")
        #expect(!msg.contains("123456789"))
    }

    @Test func environmentFallbackForFields() throws {
        let c = try load(#"{"storage": {"adapter": "fake", "path": "p"}}"#, env: ["FAKE_PASSWORD": "from-env"])
        #expect(c.settings(.storage)?.string("password") == "from-env")
    }

    @Test func policyFieldsAreChecked() {
        let msg = configError(#"{"storage": {"adapter": "memory", "retry": {"max_attempts": 0, "backof": 2}}}"#)
        #expect(msg.contains("storage.retry.max_attempts: expected a positive integer, got 0"))
        #expect(msg.contains("storage.retry.backof: unknown field"))
    }

    @Test func dotEnvBesideTheFileIsRead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("# comment\nexport DB_PATH=\"from dotenv\"\nOTHER=x # trailing\n".utf8).write(to: dir.appendingPathComponent(".env"))
        try Data(#"{"storage": {"adapter": "fake", "path": "${DB_PATH}", "tags": ["${OTHER}"]}}"#.utf8)
            .write(to: dir.appendingPathComponent("adapters.json"))
        let loader = ConfigLoader(registry: testRegistry, environment: [:])
        let c = try loader.load(path: dir.appendingPathComponent("adapters.json").path)
        #expect(c.settings(.storage)?.string("path") == "from dotenv")
        #expect(c.settings(.storage)?.strings("tags") == ["x"])
        // The process environment wins over .env.
        let c2 = try ConfigLoader(registry: testRegistry, environment: ["DB_PATH": "from env"])
            .load(path: dir.appendingPathComponent("adapters.json").path)
        #expect(c2.settings(.storage)?.string("path") == "from env")
    }

    @Test func missingFileSaysHowToCreateOne() {
        #expect {
            try ConfigLoader(registry: testRegistry, environment: [:]).load(path: "/nonexistent/adapters.json")
        } throws: { e in
            (e as? PlugboardError)?.message.contains("no such file (create one with `plugboard init`") ?? false
        }
    }

    @Test func schemaCoversEveryAdapterAndField() throws {
        let schema = ConfigSchema.generate(testRegistry)
        let variants = schema["properties"]?["storage"]?["oneOf"]?.arrayValue ?? []
        #expect(variants.count == 2)
        let fake = try #require(variants.first { $0["properties"]?["adapter"]?["const"] == "fake" })
        #expect(fake["required"] == ["adapter", "path"])
        #expect(fake["additionalProperties"] == false)
        #expect(fake["properties"]?["password"]?["description"]?.stringValue?.contains("Secret") == true)
        #expect(fake["properties"]?["port"]?["default"] == 5432)
    }
}
