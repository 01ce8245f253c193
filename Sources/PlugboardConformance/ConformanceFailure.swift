/// A conformance check that did not hold, with where it was checked.
public struct ConformanceFailure: Error, Sendable, CustomStringConvertible {
    public let check: String
    public let message: String
    public let line: Int
    public var description: String { "[\(check)] \(message) (StorageConformance line \(line))" }
}

/// Assertions for conformance cases. The suite has no test-framework
/// dependency, so plugins and `doctor` can run it too; test targets call it.
struct Checker {
    let check: String

    func expect(_ condition: Bool, _ message: @autoclosure () -> String, line: Int = #line) throws {
        if !condition { throw ConformanceFailure(check: check, message: message(), line: line) }
    }

    func equal<T: Equatable>(_ a: T, _ b: T, _ what: String, line: Int = #line) throws {
        if a != b { throw ConformanceFailure(check: check, message: "\(what): got \(a), expected \(b)", line: line) }
    }

    /// Runs `body` and requires it to throw a `PlugboardError` with `code`.
    func throwsCode(_ code: PlugboardErrorCode, _ what: String, line: Int = #line, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let e as PlugboardError {
            if e.code != code {
                throw ConformanceFailure(check: check, message: "\(what): threw \(e.code) (\(e.message)), expected \(code)", line: line)
            }
            return
        } catch {
            throw ConformanceFailure(check: check, message: "\(what): threw a non-Plugboard error \(error), expected \(code)", line: line)
        }
        throw ConformanceFailure(check: check, message: "\(what): did not throw, expected \(code)", line: line)
    }
}

import PlugboardKernel
typealias PlugboardErrorCode = PlugboardError.Code
