import Foundation
@testable import PlugboardCLI
import PlugboardKernel

/// A scratch folder and `plugboard migrate` run in-process, as a user would type it.
struct MigrateHarness {
    let dir: String
    var environment: [String: String] = [:]

    init() {
        dir = NSTemporaryDirectory() + "pb-migrate-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { dir + "/" + name }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    func read(_ name: String) -> String? {
        FileManager.default.contents(atPath: path(name)).map { String(decoding: $0, as: UTF8.self) }
    }

    func json(_ name: String) throws -> JSON { try JSONParser.parse(read(name) ?? "") }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

    /// Lines of the errors file, parsed.
    func errorLines(_ name: String = "errors.jsonl") throws -> [JSON] {
        try (read(name) ?? "").split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    /// `plugboard migrate ARGS --errors <dir>/<errors>` (none when `errors` is nil).
    func migrate(_ args: [String], errors: String? = "errors.jsonl") async -> (code: Int32, out: String, err: String) {
        let (console, captured) = Console.capturing()
        var argv = ["migrate"] + args
        if let errors { argv += ["--errors", path(errors)] }
        let code = await PlugboardCLI.run(argv, console: console, environment: environment, registry: BuiltinAdapters.registry)
        return (code, captured.out, captured.err)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: dir) }
}

/// A small Freeda-style set with every JSON type, unicode and exact numbers.
enum MigrateSamples {
    static let tickets: [JSON] = [
        try! JSONParser.parse(#"""
        {"ticket_id": "FR-0001", "status": "en cours", "channel": "email", "created_at": "2024-03-01T09:15:00Z",
         "closed_at": null, "resolution_duration": null,
         "analytics": {"sentiment": "négatif", "urgency": 3, "score": 0.875, "tags": ["livraison", "retard"], "escalated": false, "summary": ""},
         "messages": [{"id": "m1", "role": "user", "content": "Bonjour, ma commande n°12345 n'est pas arrivée 📦\nMerci", "timestamp": "2024-03-01T09:15:00Z"}],
         "order_id": 123456789012345678901234567890, "amount": 49.90, "ratio": -1.5e-7, "extra": {"nested": [[], {}, [null, true, "x"]]}}
        """#),
        try! JSONParser.parse(#"""
        {"ticket_id": "FR-0002", "status": "fermé", "channel": "chat", "created_at": "2024-03-02T10:00:00+01:00",
         "closed_at": "2024-03-02T12:00:00Z", "resolution_duration": 10800, "analytics": {}, "messages": []}
        """#),
        try! JSONParser.parse(#"{"ticket_id": "FR-0003", "status": "en cours", "channel": "formulaire", "created_at": "2024-03-05T08:00:00Z"}"#),
    ]

    /// `{"<id>": ticket, ...}` pretty, as people keep their tickets.json.
    static func freeda(_ tickets: [JSON]) -> String {
        var o: [String: JSON] = [:]
        for t in tickets { o[t["ticket_id"]!.stringValue!] = t }
        return JSON.object(o).serialized(pretty: true)
    }

    static func array(_ tickets: [JSON]) -> String { JSON.array(tickets).serialized(pretty: true) }

    static func lines(_ tickets: [JSON]) -> String { tickets.map { $0.serialized() }.joined(separator: "\n") + "\n" }
}

/// The servers `Scripts/test.sh` starts: suites run when their variables are
/// set, and fail instead of skipping under `REQUIRE_MOTO=1` / `REQUIRE_PG=1`.
enum TestServers {
    static let environment = ProcessInfo.processInfo.environment
    static let motoEndpoint = environment["PLUGBOARD_TEST_AWS_ENDPOINT"]
    static var motoReachable: Bool { motoEndpoint != nil }
    static var motoRequired: Bool { environment["REQUIRE_MOTO"] == "1" }
    static let pgURL = environment["PLUGBOARD_TEST_PG_URL"]
    static var pgReachable: Bool { pgURL != nil }
    static var pgRequired: Bool { environment["REQUIRE_PG"] == "1" }

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String { "the test servers are not configured (run the tests through Scripts/test.sh)" }
    }

    /// What `plugboard migrate` needs to reach moto: credentials in the environment, as a user sets them.
    static var awsEnvironment: [String: String] {
        ["AWS_ACCESS_KEY_ID": environment["PLUGBOARD_TEST_AWS_ACCESS_KEY_ID"] ?? "",
         "AWS_SECRET_ACCESS_KEY": environment["PLUGBOARD_TEST_AWS_SECRET_ACCESS_KEY"] ?? "",
         "AWS_REGION": environment["AWS_REGION"] ?? "us-east-1"]
    }

    /// `dynamodb://TABLE?endpoint=...` on moto.
    static func dynamodb(_ table: String) throws -> String {
        guard let motoEndpoint else { throw NotConfigured() }
        return "dynamodb://\(table)?endpoint=\(motoEndpoint)"
    }

    static func uniqueTable(_ stem: String) -> String {
        "\(stem)-\(String(UInt64.random(in: 0..<UInt64.max), radix: 36))"
    }

    /// Runs a Python script with boto3 against moto (`ENDPOINT`, `KEY`, `SECRET`,
    /// `REGION` in its environment); returns its standard output.
    static func python(_ script: String, _ arguments: [String] = []) throws -> String {
        guard let motoEndpoint else { throw NotConfigured() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        var env = environment
        env["ENDPOINT"] = motoEndpoint
        env["KEY"] = awsEnvironment["AWS_ACCESS_KEY_ID"]
        env["SECRET"] = awsEnvironment["AWS_SECRET_ACCESS_KEY"]
        env["REGION"] = awsEnvironment["AWS_REGION"]
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PythonFailed(status: process.terminationStatus, stderr: String(decoding: stderr, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }

    struct PythonFailed: Error, CustomStringConvertible {
        let status: Int32
        let stderr: String
        var description: String { "python3 exited \(status): \(stderr.suffix(2_000))" }
    }

    static let boto3Prelude = #"""
import json, os, sys, boto3
client = boto3.client("dynamodb", endpoint_url=os.environ["ENDPOINT"], region_name=os.environ["REGION"],
                      aws_access_key_id=os.environ["KEY"], aws_secret_access_key=os.environ["SECRET"])
table = boto3.resource("dynamodb", endpoint_url=os.environ["ENDPOINT"], region_name=os.environ["REGION"],
                       aws_access_key_id=os.environ["KEY"], aws_secret_access_key=os.environ["SECRET"]).Table(sys.argv[1])

"""#

    /// Every item of a table as boto3 reads it (the low-level client, numbers
    /// as DynamoDB's own text), one JSON object per line.
    static func itemsReadByBoto3(_ table: String) throws -> [JSON] {
        let script = boto3Prelude + #"""
def js(av):
    (t, v), = av.items()
    if t == "S": return json.dumps(v, ensure_ascii=False)
    if t == "N": return v
    if t == "BOOL": return "true" if v else "false"
    if t == "NULL": return "null"
    if t == "M": return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + js(x) for k, x in v.items()) + "}"
    if t == "L": return "[" + ",".join(js(x) for x in v) + "]"
    raise SystemExit("unexpected attribute type " + t)
for page in client.get_paginator("scan").paginate(TableName=sys.argv[1], ConsistentRead=True):
    for item in page["Items"]:
        print("{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + js(v) for k, v in item.items()) + "}")
"""#
        return try python(script, [table]).split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }
}
