import Foundation

/// The moto server the test harness starts (Scripts/test.sh exports these),
/// with SigV4 checking on. Suites needing it run when the endpoint is set, and
/// fail instead of skipping when `REQUIRE_MOTO=1`. Shared by the S3 and DynamoDB
/// tests, which add their own store builders in an extension.
public enum Moto {
    public static let environment = ProcessInfo.processInfo.environment
    public static let endpoint = environment["PLUGBOARD_TEST_AWS_ENDPOINT"]
    public static let accessKeyID = environment["PLUGBOARD_TEST_AWS_ACCESS_KEY_ID"] ?? ""
    public static let secretAccessKey = environment["PLUGBOARD_TEST_AWS_SECRET_ACCESS_KEY"] ?? ""
    public static let region = environment["AWS_REGION"] ?? "us-east-1"
    public static var reachable: Bool { endpoint != nil }
    public static var required: Bool { environment["REQUIRE_MOTO"] == "1" }

    public struct NotConfigured: Error, CustomStringConvertible {
        public init() {}
        public var description: String {
            "REQUIRE_MOTO=1 but PLUGBOARD_TEST_AWS_ENDPOINT is not set (run the tests through Scripts/test.sh)"
        }
    }

    /// Runs a Python script against moto; returns its stdout.
    /// The script gets `ENDPOINT`, `KEY`, `SECRET`, `REGION` in its environment.
    public static func runPython(_ script: String, arguments: [String] = []) throws -> Data {
        guard let endpoint else { throw NotConfigured() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        var env = environment
        env["ENDPOINT"] = endpoint
        env["KEY"] = accessKeyID
        env["SECRET"] = secretAccessKey
        env["REGION"] = region
        process.environment = env
        // stderr goes to a file, so a chatty child cannot stall on a full pipe while stdout is read.
        let errorPath = FileManager.default.temporaryDirectory.appendingPathComponent("moto-python-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorPath.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorPath) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errorPath)
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = (try? Data(contentsOf: errorPath)) ?? Data()
        guard process.terminationStatus == 0 else {
            throw PythonFailed(status: process.terminationStatus, stderr: String(decoding: errors, as: UTF8.self))
        }
        return data
    }

    public struct PythonFailed: Error, CustomStringConvertible {
        public let status: Int32
        public let stderr: String
        public var description: String { "python3 exited \(status): \(stderr.suffix(2000))" }
    }
}
