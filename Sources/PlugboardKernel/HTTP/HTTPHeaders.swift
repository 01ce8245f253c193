/// HTTP header fields in the order they were added, with case-insensitive lookup.
///
/// Repeated names are kept as separate fields (the SigV4 signer joins them);
/// `description` redacts the values of fields that carry secrets, so headers
/// can be printed in errors and logs without leaking a credential.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// One header field as given (name case preserved).
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) { self.name = name; self.value = value }
    }

    public private(set) var fields: [Field]

    public init() { fields = [] }
    public init(_ pairs: [(String, String)]) { fields = pairs.map { Field(name: $0.0, value: $0.1) } }
    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    /// The first value of `name` (case-insensitive), nil when absent.
    public subscript(name: String) -> String? {
        let n = name.lowercased()
        return fields.first { $0.name.lowercased() == n }?.value
    }

    /// Every value of `name` (case-insensitive), in order.
    public func values(for name: String) -> [String] {
        let n = name.lowercased()
        return fields.filter { $0.name.lowercased() == n }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// Appends a field, keeping any others of the same name.
    public mutating func add(_ name: String, _ value: String) { fields.append(Field(name: name, value: value)) }

    /// Sets `name` to one value: replaces the first field of that name in place
    /// and removes the rest, or appends when absent.
    public mutating func replaceOrAdd(_ name: String, _ value: String) {
        let n = name.lowercased()
        guard let i = fields.firstIndex(where: { $0.name.lowercased() == n }) else {
            add(name, value)
            return
        }
        fields[i].value = value
        var j = fields.count - 1
        while j > i {
            if fields[j].name.lowercased() == n { fields.remove(at: j) }
            j -= 1
        }
    }

    public mutating func remove(_ name: String) {
        let n = name.lowercased()
        fields.removeAll { $0.name.lowercased() == n }
    }

    public func makeIterator() -> AnyIterator<(name: String, value: String)> {
        var it = fields.makeIterator()
        return AnyIterator { it.next().map { (name: $0.name, value: $0.value) } }
    }

    // MARK: - Redaction

    /// Whether a header's value is a credential and must never be printed.
    public static func isSensitive(_ name: String) -> Bool {
        let n = name.lowercased()
        if sensitiveNames.contains(n) { return true }
        return sensitiveFragments.contains { n.contains($0) }
    }

    private static let sensitiveNames: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key",
        "x-amz-security-token", "x-goog-api-key",
    ]
    private static let sensitiveFragments = ["token", "secret", "password", "signature", "api-key", "apikey", "auth"]

    /// `Name: value` lines with secret values shown as `***`.
    public var description: String {
        fields.map { "\($0.name): \(HTTPHeaders.isSensitive($0.name) ? "***" : $0.value)" }.joined(separator: "\n")
    }
}
