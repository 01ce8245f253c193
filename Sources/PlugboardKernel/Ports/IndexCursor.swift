import Foundation

/// The keyset cursor most adapters use: the last (sort value, id) returned.
/// Opaque to callers (base64url of a small JSON array).
public struct IndexCursor: Sendable, Hashable {
    public var sort: String
    public var id: String
    public init(sort: String, id: String) { self.sort = sort; self.id = id }

    public var encoded: String {
        let raw = JSON.array([.string(sort), .string(id)]).serializedBytes()
        return Data(raw).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public init(decoding s: String) throws {
        var b64 = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64),
              let v = try? JSONParser.parse([UInt8](data)),
              case .array(let a) = v, a.count == 2,
              let sort = a[0].stringValue, let id = a[1].stringValue
        else { throw PlugboardError.invalidInput("invalid cursor \"\(s.prefix(40))\"") }
        self.sort = sort
        self.id = id
    }
}
