import Foundation
import PlugboardKernel

/// The capturing SMTP server Scripts/test.sh starts (Scripts/smtp_capture.py):
/// `PLUGBOARD_TEST_SMTP_URL=smtp://127.0.0.1:PORT`, and each received message as
/// `<id>.eml` plus a `<id>.json` sidecar in `PLUGBOARD_TEST_SMTP_MAILDIR`.
enum SMTPServer {
    static let environment = ProcessInfo.processInfo.environment
    static let url = environment["PLUGBOARD_TEST_SMTP_URL"].flatMap(URLComponents.init(string:))
    static let maildir = environment["PLUGBOARD_TEST_SMTP_MAILDIR"]
    static var host: String { url?.host ?? "127.0.0.1" }
    static var port: Int { url?.port ?? 25 }
    static var reachable: Bool { url != nil && maildir != nil }
    static var required: Bool { environment["REQUIRE_SMTP"] == "1" }

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "REQUIRE_SMTP=1 but PLUGBOARD_TEST_SMTP_URL / PLUGBOARD_TEST_SMTP_MAILDIR are not set (run the tests through Scripts/test.sh)"
        }
    }

    /// One received message, read by Python's `email` package (an independent
    /// parser): decoded headers, the decoded body, and the envelope.
    struct Received {
        var headers: [String: [String]]
        var rawHeaders: [String: [String]]
        var contentType: String
        var charset: String?
        var body: String
        var mailFrom: String
        var rcptTos: [String]
        var login: String?
        var raw: String

        func header(_ name: String) -> String? { headers[name.lowercased()]?.first }
    }

    /// Waits for the message whose raw bytes contain `marker` (a unique subject or Message-ID).
    static func waitFor(_ marker: String, timeout: Duration = .seconds(5)) async throws -> [Received] {
        guard let maildir else { throw NotConfigured() }
        let deadline = ContinuousClock.now + timeout
        while true {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: maildir)) ?? []
            var found: [Received] = []
            for name in names.sorted() where name.hasSuffix(".eml") && !name.hasPrefix(".") {
                let path = maildir + "/" + name
                guard let raw = FileManager.default.contents(atPath: path), String(decoding: raw, as: UTF8.self).contains(marker) else { continue }
                found.append(try await parseOffPool(path))
            }
            if !found.isEmpty || ContinuousClock.now > deadline { return found }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Messages whose raw text contains `marker`, without waiting.
    static func count(_ marker: String) -> Int {
        guard let maildir else { return 0 }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: maildir)) ?? []
        return names.filter { $0.hasSuffix(".eml") && !$0.hasPrefix(".") }.filter {
            FileManager.default.contents(atPath: maildir + "/" + $0).map { String(decoding: $0, as: UTF8.self).contains(marker) } ?? false
        }.count
    }

    static let parser = #"""
import email, email.policy, json, sys
path = sys.argv[1]
raw = open(path, "rb").read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
compat = email.message_from_bytes(raw, policy=email.policy.compat32)
side = json.load(open(path[:-4] + ".json"))
headers, rawh = {}, {}
for k, v in msg.items(): headers.setdefault(k.lower(), []).append(str(v))
for k, v in compat.items(): rawh.setdefault(k.lower(), []).append(str(v))
print(json.dumps({"headers": headers, "raw_headers": rawh, "content_type": msg.get_content_type(),
                  "charset": msg.get_content_charset(), "body": msg.get_content(),
                  "mail_from": side["mail_from"], "rcpt_tos": side["rcpt_tos"], "login": side["login"],
                  "raw": raw.decode("ascii")}))
"""#

    /// `parse` on a thread of its own: it waits for a process, which must hold neither a
    /// cooperative thread nor one of Dispatch's global pool (the same pool on Linux).
    static func parseOffPool(_ path: String) async throws -> Received {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try parse(path) }) }.start()
        }
    }

    static func parse(_ path: String) throws -> Received {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", parser, path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PlugboardError.internal("python email parser failed: \(String(decoding: errors, as: UTF8.self))")
        }
        let j = try JSONParser.parse([UInt8](data))
        func map(_ v: JSON?) -> [String: [String]] {
            (v?.objectValue ?? [:]).mapValues { $0.arrayValue?.compactMap(\.stringValue) ?? [] }
        }
        return Received(headers: map(j["headers"]), rawHeaders: map(j["raw_headers"]), contentType: j["content_type"]?.stringValue ?? "",
                        charset: j["charset"]?.stringValue, body: j["body"]?.stringValue ?? "",
                        mailFrom: j["mail_from"]?.stringValue ?? "", rcptTos: j["rcpt_tos"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                        login: j["login"]?.stringValue, raw: j["raw"]?.stringValue ?? "")
    }
}
