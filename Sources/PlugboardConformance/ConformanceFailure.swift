/// A conformance check that did not hold, with where it was checked.
public struct ConformanceFailure: Error, Sendable, CustomStringConvertible {
    public let check: String
    public let message: String
    public let line: Int
    /// The suite the check belongs to (`StorageConformance`, `CRMConformance`, ...).
    public var suite: String = "StorageConformance"
    public var description: String { "[\(check)] \(message) (\(suite) line \(line))" }
}

/// Assertions for conformance cases. The suite has no test-framework
/// dependency, so plugins and `doctor` can run it too; test targets call it.
struct Checker {
    let check: String
    var suite: String = "StorageConformance"

    func failure(_ message: String, line: Int) -> ConformanceFailure {
        ConformanceFailure(check: check, message: message, line: line, suite: suite)
    }

    func expect(_ condition: Bool, _ message: @autoclosure () -> String, line: Int = #line) throws {
        if !condition { throw failure(message(), line: line) }
    }

    func equal<T: Equatable>(_ a: T, _ b: T, _ what: String, line: Int = #line) throws {
        if a != b { throw failure("\(what): got \(a), expected \(b)", line: line) }
    }

    /// The value, or a failure saying it was missing.
    func some<T>(_ value: T?, _ what: String, line: Int = #line) throws -> T {
        guard let value else { throw failure("\(what): got nil", line: line) }
        return value
    }

    /// Runs `body` and requires it to throw a `PlugboardError` with `code`.
    func throwsCode(_ code: PlugboardErrorCode, _ what: String, line: Int = #line, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let e as PlugboardError {
            if e.code != code {
                throw failure("\(what): threw \(e.code) (\(e.message)), expected \(code)", line: line)
            }
            return
        } catch {
            throw failure("\(what): threw a non-Plugboard error \(error), expected \(code)", line: line)
        }
        throw failure("\(what): did not throw, expected \(code)", line: line)
    }
}

import PlugboardKernel
typealias PlugboardErrorCode = PlugboardError.Code
