extension JSON {
    /// Equality as JSON Schema defines it for `enum`, `const` and `uniqueItems`:
    /// numbers by value (`1.0` equals `1`), strings code point by code point.
    /// (`==` compares strings the Swift way, where `"ä"` equals `"a\u{308}"`.)
    func schemaEquals(_ other: JSON) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.schemaEquals($1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (k, v) in a {
                // Keys found through the dictionary must also be the same code points.
                guard let i = b.index(forKey: k), b[i].key.utf8.elementsEqual(k.utf8), b[i].value.schemaEquals(v) else {
                    return false
                }
            }
            return true
        default:
            return false
        }
    }
}
