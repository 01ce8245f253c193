import Foundation
import PlugboardKernel

/// One thing a customer did on the site or in the app, recorded for proactive support.
public struct ActivityEvent: Sendable, Hashable {
    /// The kinds of events; every one but `page_view` can signal a problem.
    public enum Kind: String, Sendable, CaseIterable {
        case pageView = "page_view"
        case faqSearch = "faq_search"
        case formError = "form_error"
        case loginFailed = "login_failed"
        case errorOccurred = "error_occurred"
        case timeoutOccurred = "timeout_occurred"

        /// Critical on its own; a FAQ search only when repeated (see `ProactiveSettings.repeatedSearches`).
        var alwaysCritical: Bool { self != .pageView && self != .faqSearch }
    }

    public var email: String
    public var kind: Kind
    /// Free-form JSON object (the page, the form field, the search text, the error code...).
    public var details: JSON
    /// ISO 8601; default now.
    public var at: String

    /// Validates the caller's values; every message names the field.
    public init(email: String, type: String, details: JSON = .object([:]), at: String? = nil) throws {
        let e = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard IntakeRequest.isEmail(e) else { throw PlugboardError.invalidInput("email: \"\(email)\" is not an e-mail address") }
        guard let k = Kind(rawValue: type) else {
            throw PlugboardError.invalidInput("type: unknown activity type \"\(type)\"; expected one of "
                                              + Kind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        switch details {
        case .object, .null: break
        default: throw PlugboardError.invalidInput("details: expected a JSON object, got \(details.typeName)")
        }
        var time = Timestamp.now()
        if let at {
            guard let n = Timestamp.normalize(at) else { throw PlugboardError.invalidInput("at: expected an ISO 8601 time, got \"\(at)\"") }
            time = n
        }
        self.email = e
        self.kind = k
        self.details = details.isNull ? .object([:]) : details
        self.at = time
    }

    /// Parses a `POST /activity` body: `{"email" | "user_email", "type", "details"?, "timestamp"?}`.
    public static func parse(_ json: JSON) throws -> ActivityEvent {
        guard case .object = json else { throw PlugboardError.invalidInput("expected a JSON object, got \(json.typeName)") }
        guard let email = (json["email"] ?? json["user_email"])?.stringValue else { throw PlugboardError.invalidInput("email: required") }
        guard let type = json["type"]?.stringValue else { throw PlugboardError.invalidInput("type: required") }
        return try ActivityEvent(email: email, type: type, details: json["details"] ?? .null,
                                 at: (json["timestamp"] ?? json["at"])?.stringValue)
    }
}

/// What logging one event did.
public struct ActivityOutcome: Sendable, Hashable {
    public var activityId: String
    /// Critical events of the contact within the detection window, this one included.
    public var criticalEvents: Int
    /// The proactive draft this event created, if it created one.
    public var draftId: String?
    /// Why no draft was created when the threshold was reached (cooldown, pending draft).
    public var note: String?

    public var json: JSON {
        ["activity_id": .string(activityId), "critical_events": JSON(criticalEvents),
         "draft_id": draftId.map(JSON.string) ?? .null, "note": note.map(JSON.string) ?? .null]
    }
}
