import Foundation
import Testing
@testable import PlugboardKernel

/// Access to AWS's SigV4 suites in `shared/reference/sigv4/`, found relative to
/// this file: the nearest ancestor folder of the repository holding
/// `shared/reference` (the repo's parent for the main checkout, the parent's
/// parent for a worktree under `wt/`).
enum SigV4Reference {
    static let sigv4: URL? = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            dir = dir.deletingLastPathComponent()
            let candidate = dir.appendingPathComponent("shared/reference/sigv4")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return nil
    }()

    /// The folder, or a recorded failure (never a skip) when it is missing.
    static func folder(_ name: String) throws -> URL {
        guard let root = sigv4 else {
            throw ReferenceMissing(what: "shared/reference/sigv4 (searched the ancestors of \(#filePath))")
        }
        let url = root.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { throw ReferenceMissing(what: url.path) }
        return url
    }

    struct ReferenceMissing: Error, CustomStringConvertible {
        let what: String
        var description: String { "SigV4 reference suite missing: \(what)" }
    }

    static func read(_ url: URL) throws -> String {
        let text = try String(contentsOf: url, encoding: .utf8)
        // Expected files end without a newline; tolerate one (and botocore's \r).
        var t = Substring(text.replacingOccurrences(of: "\r", with: ""))
        while t.hasSuffix("\n") { t = t.dropLast() }
        return String(t)
    }

    static func json(_ url: URL) throws -> JSON { try JSONParser.parse([UInt8](Data(contentsOf: url))) }

    /// A request in the suites' raw HTTP form: request line, headers (with folded
    /// continuation lines), blank line, body.
    struct RawRequest {
        var method: String
        var target: String
        var headers: HTTPHeaders
        var body: [UInt8]

        init(_ text: String) {
            var lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
            let requestLine = lines.removeFirst()
            let space = requestLine.firstIndex(of: " ")!
            method = String(requestLine[..<space])
            var target = String(requestLine[requestLine.index(after: space)...])
            if let version = target.range(of: " HTTP/", options: .backwards) { target = String(target[..<version.lowerBound]) }
            self.target = target
            var fields: [(String, String)] = []
            var bodyLines: [String] = []
            var inBody = false
            for line in lines {
                if inBody { bodyLines.append(line); continue }
                if line.isEmpty { inBody = true; continue }
                if line.first == " " || line.first == "\t", !fields.isEmpty {
                    fields[fields.count - 1].1 += "\n" + line
                    continue
                }
                let colon = line.firstIndex(of: ":")!
                fields.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
            headers = HTTPHeaders(fields)
            body = Array(bodyLines.joined(separator: "\n").utf8)
        }

        var request: HTTPRequest {
            HTTPRequest(method: HTTPMethod(method), url: "https://\(headers["Host"]!)\(target)", headers: headers, body: body)
        }
    }

    struct MissingField: Error, CustomStringConvertible {
        let name: String
        var description: String { "reference file lacks \(name)" }
    }

    /// A string member of a reference JSON file, or an error naming it.
    static func string(_ value: JSON?, _ name: String) throws -> String {
        guard let s = value?.stringValue else { throw MissingField(name: name) }
        return s
    }

    /// An ISO 8601 timestamp member as a `Date`.
    static func date(_ value: JSON?, _ name: String) throws -> Date {
        guard let t = Timestamp.parse(try string(value, name)) else { throw MissingField(name: name) }
        return Date(timeIntervalSince1970: t)
    }

    /// The generic suites' credentials and clock (see each suite's context).
    static let suiteDate = Date(timeIntervalSince1970: Timestamp.parse("2015-08-30T12:36:00Z")!)
}
