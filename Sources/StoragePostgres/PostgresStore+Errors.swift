import Foundation
import PlugboardKernel

/// The one place where PostgreSQL's errors (SQLSTATE codes, libpq connection
/// failures) become `PlugboardError`s.
extension PostgresStore {
    /// The kernel code and retryability for a SQLSTATE; `nil` state means libpq
    /// failed without a server error (connection lost, out of memory).
    static func classify(sqlstate: String?, connectionLost: Bool = false) -> (code: PlugboardError.Code, retryable: Bool) {
        guard let state = sqlstate, state.utf8.count == 5 else {
            return connectionLost ? (.unavailable, true) : (.internal, false)
        }
        switch state {
        case "23505": return (.conflict, false)                      // unique_violation
        case "40001", "40P01": return (.conflict, true)              // serialization_failure, deadlock_detected
        case "28P01", "28000": return (.unauthenticated, false)      // invalid_password, invalid_authorization_specification
        case "3D000": return (.invalidConfiguration, false)          // invalid_catalog_name (unknown database)
        case "42501": return (.permissionDenied, false)              // insufficient_privilege
        case "57014": return (.unavailable, true)                    // query_canceled (statement_timeout)
        case "57P01", "57P02", "57P03": return (.unavailable, true)  // admin / crash shutdown, cannot_connect_now
        default: break
        }
        switch state.prefix(2) {
        case "08": return (.unavailable, true)   // connection exceptions
        case "53": return (.unavailable, true)   // insufficient resources (too many connections, disk full)
        case "22": return (.invalidInput, false) // data exceptions
        case "28": return (.unauthenticated, false)
        default: return (.internal, false)
        }
    }

    /// An error of a statement. `context` says what was being done
    /// (`put tickets/T1 in schema public`); never contains parameter values
    /// beyond ids, so no secret can leak.
    static func error(sqlstate: String?, serverMessage: String, context: String, endpoint: String,
                      connectionLost: Bool) -> PlugboardError {
        let (code, retryable) = classify(sqlstate: sqlstate, connectionLost: connectionLost)
        let cause = sqlstate.map { "SQLSTATE \($0)" } ?? (connectionLost ? "connection lost" : "libpq")
        var message = "\(context) at \(endpoint): \(serverMessage)"
        if code == .conflict && retryable { message += " (retry the transaction)" }
        if connectionLost { message = "lost the connection to PostgreSQL at \(endpoint) during \(context): \(serverMessage)" }
        return PlugboardError(code, message, adapter: "postgres", cause: cause, retryable: retryable)
    }

    /// A refused or failed connection attempt, from libpq's message. In
    /// verbose mode libpq writes the server's SQLSTATE after the severity
    /// (`FATAL:  28P01: password authentication failed for user "x"`).
    static func connectFailure(libpqMessage: String, host: String, port: String, database: String, user: String) -> PlugboardError {
        let (sqlstate, reason) = parseConnectionMessage(libpqMessage)
        let (code, retryable) = classify(sqlstate: sqlstate, connectionLost: sqlstate == nil)
        let place = "PostgreSQL at \(host):\(port)"
        let message: String
        switch code {
        case .unauthenticated:
            message = "\(place) refused user \"\(user)\": \(reason) (check user and password)"
        case .invalidConfiguration where sqlstate == "3D000":
            message = "\(place) has no database \"\(database)\" (create it, or fix the url / database field)"
        case .unavailable:
            message = "cannot connect to \(place): \(reason)"
        default:
            message = "cannot connect to \(place) as \"\(user)\" to database \"\(database)\": \(reason)"
        }
        return PlugboardError(code, message, adapter: "postgres", cause: sqlstate.map { "SQLSTATE \($0)" } ?? "libpq",
                              retryable: retryable)
    }

    /// No answer within the connect timeout.
    static func connectTimeout(host: String, port: String, seconds: Int) -> PlugboardError {
        PlugboardError(.unavailable, "cannot connect to PostgreSQL at \(host):\(port): no answer within \(seconds) s (connect_timeout)",
                       adapter: "postgres", cause: "timeout", retryable: true)
    }

    /// Splits libpq's connection message into the SQLSTATE (if the server sent
    /// one) and a one-line reason without libpq's `connection to server ... failed:` prefix.
    static func parseConnectionMessage(_ raw: String) -> (sqlstate: String?, reason: String) {
        var line = raw.split(separator: "\n").first.map(String.init) ?? raw
        if let r = line.range(of: "failed: ") { line = String(line[r.upperBound...]) }
        var sqlstate: String?
        for severity in ["FATAL:  ", "ERROR:  "] {
            guard let r = line.range(of: severity) else { continue }
            let rest = line[r.upperBound...]
            let code = rest.prefix(5)
            if code.count == 5, code.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) }),
               rest.dropFirst(5).hasPrefix(": ") {
                sqlstate = String(code)
                line = String(rest.dropFirst(7))
            } else {
                line = String(rest)
            }
            break
        }
        return (sqlstate, line.trimmingCharacters(in: .whitespaces))
    }
}
