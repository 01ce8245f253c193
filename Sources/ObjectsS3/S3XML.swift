/// The little XML S3 speaks to this adapter: a few text elements read from
/// responses (`UploadId`, `ETag`, `Code`, `Message`) and one request body
/// written (`CompleteMultipartUpload`). Responses are flat and machine-made,
/// so a text scan suffices; a full parser would add nothing but a dependency.
enum S3XML {
    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    /// The text of the first `<name>` element (with or without attributes),
    /// entities decoded; nil when there is none. `<name/>` is the empty string.
    static func text(of name: String, in xml: String) -> String? {
        var searchFrom = xml.startIndex
        while let open = xml.range(of: "<\(name)", range: searchFrom..<xml.endIndex) {
            searchFrom = open.upperBound
            guard let close = xml[open.upperBound...].firstIndex(of: ">") else { return nil }
            let between = xml[open.upperBound..<close]
            // `<NameSuffix>` is another element: the name must end at `>`, `/` or a space.
            guard between.isEmpty || between.first == " " || between.first == "/" || between.first == "\t"
                    || between.first == "\n" || between.first == "\r" else { continue }
            if between.hasSuffix("/") { return "" }
            let contentStart = xml.index(after: close)
            guard let end = xml.range(of: "</\(name)>", range: contentStart..<xml.endIndex) else { return nil }
            return decoded(String(xml[contentStart..<end.lowerBound]))
        }
        return nil
    }

    /// Whether the document's root element is `name` (after any `<?xml ...?>` declaration).
    static func rootIs(_ name: String, in xml: String) -> Bool {
        var rest = xml[...].drop(while: { $0.isWhitespace })
        if rest.hasPrefix("<?"), let end = rest.range(of: "?>") { rest = rest[end.upperBound...].drop(while: { $0.isWhitespace }) }
        guard rest.hasPrefix("<\(name)") else { return false }
        let after = rest.dropFirst(name.count + 1).first
        return after == ">" || after == " " || after == "/" || after == "\n" || after == "\r" || after == "\t"
    }

    /// Text escaped for an element's content or an attribute value.
    static func escaped(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }

    /// Decodes the five named entities and numeric character references.
    static func decoded(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == "&", let semi = s[i...].prefix(12).firstIndex(of: ";") {
                let entity = s[s.index(after: i)..<semi]
                var replacement: String?
                switch entity {
                case "amp": replacement = "&"
                case "lt": replacement = "<"
                case "gt": replacement = ">"
                case "quot": replacement = "\""
                case "apos": replacement = "'"
                default:
                    if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                        replacement = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
                    } else if entity.hasPrefix("#") {
                        replacement = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
                    }
                }
                if let replacement {
                    out += replacement
                    i = s.index(after: semi)
                    continue
                }
            }
            out.append(s[i])
            i = s.index(after: i)
        }
        return out
    }

    /// The body of CompleteMultipartUpload: every part, ascending, with its ETag as returned (quotes included).
    static func completeMultipartUpload(_ parts: [(number: Int, etag: String)]) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUpload xmlns=\"\(namespace)\">"
        for part in parts.sorted(by: { $0.number < $1.number }) {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(escaped(part.etag))</ETag></Part>"
        }
        return xml + "</CompleteMultipartUpload>"
    }
}
