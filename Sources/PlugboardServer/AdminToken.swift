import Foundation
import CCrypto

/// The bearer token that opens the admin routes, compared in constant time.
struct AdminToken: Sendable {
    let token: [UInt8]?

    init(_ token: String?) { self.token = token.map { Array($0.utf8) } }

    /// nil when the request may pass; otherwise the reason (never the token sent).
    func check(_ authorization: String?) -> String? {
        guard let token else { return "admin routes are disabled: no admin token is configured (PLUGBOARD_ADMIN_TOKEN)" }
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else {
            return "admin route: send Authorization: Bearer <token>"
        }
        let given = Array(authorization.dropFirst(7).trimmingCharacters(in: .whitespaces).utf8)
        // Compare at the token's length whatever was sent, so timing says nothing about it.
        var padded = given
        if padded.count != token.count { padded = [UInt8](repeating: 0, count: token.count) }
        let same = CRYPTO_memcmp(padded, token, token.count) == 0
        return same && given.count == token.count ? nil : "invalid admin token"
    }
}
