/// Keywords compiled for one pass over a `FoldedText`: every keyword is a
/// sequence of elements (a whole word, a word prefix `rembours*`, or any
/// number `{n}`), words are found through hash tables of folded bytes, and
/// keywords are indexed by their first element.
///
/// Each keyword belongs to a group (categories, sentiment, negators, ...).
/// Within a group, matches do not overlap: the longest match at the leftmost
/// position wins (`late delivery` hides `delivery`); identical spans all count.
struct KeywordIndex: Sendable {
    struct Keyword: Sendable {
        /// The keyword as written (shown as "matched").
        var text: String
        var group: Int
        var payload: Int
        var elements: [Int32]
    }

    struct Hit {
        var keyword: Int32
        var start: Int32
        var count: Int32
        var end: Int32 { start + count }
    }

    private(set) var keywords: [Keyword] = []
    private(set) var groupCount = 0
    private var words = ByteTable()
    private var prefixes = ByteTable()
    /// Bit `n` set when some prefix element has `n` bytes (so only those lengths are probed).
    private var prefixLengths: UInt64 = 0
    private var numberElement: Int32 = -1
    private var elementCount: Int32 = 0
    /// Keywords by first element, longest first: `byFirst[firstStart[e]..<firstStart[e+1]]`.
    private var firstStart: [Int32] = []
    private var byFirst: [Int32] = []

    static let numberPlaceholder = "{n}"

    /// Compiles `(text, group, payload)` keywords. Keywords that fold to no word are skipped
    /// (see `KeywordIndex.problem(with:)` to report them).
    init(_ entries: [(text: String, group: Int, payload: Int)]) {
        for e in entries {
            guard let parts = KeywordIndex.parse(e.text) else { continue }
            let elements = parts.map { element(for: $0) }
            keywords.append(Keyword(text: e.text, group: e.group, payload: e.payload, elements: elements))
            groupCount = max(groupCount, e.group + 1)
        }
        var lists = [[Int32]](repeating: [], count: Int(elementCount))
        for (i, k) in keywords.enumerated() { lists[Int(k.elements[0])].append(Int32(i)) }
        firstStart = [0]
        for var list in lists {
            list.sort { keywords[Int($0)].elements.count > keywords[Int($1)].elements.count }
            byFirst += list
            firstStart.append(Int32(byFirst.count))
        }
    }

    /// One element of a keyword before interning.
    enum Part: Equatable {
        case word([UInt8])
        case prefix([UInt8])
        case number
    }

    /// Why a keyword cannot be used, or nil when it can (for configuration errors).
    static func problem(with keyword: String) -> String? {
        guard let parts = parse(keyword) else { return "\"\(keyword)\" has no letters or digits to match" }
        for case .prefix(let p) in parts where p.count < 3 {
            return "\"\(keyword)\": a prefix before * needs at least 3 letters"
        }
        return nil
    }

    /// Splits a keyword into elements: whitespace-separated words, each folded like text
    /// (so `n'est` is `n` `est`); `{n}` is any number; a trailing `*` makes the last word a prefix.
    static func parse(_ keyword: String) -> [Part]? {
        var parts: [Part] = []
        for word in keyword.split(whereSeparator: \.isWhitespace) {
            if word == numberPlaceholder { parts.append(.number); continue }
            let isPrefix = word.hasSuffix("*")
            let folded = FoldedText(String(isPrefix ? word.dropLast() : word))
            for (i, t) in folded.tokens.enumerated() {
                let bytes = Array(folded.bytes[Int(t.start)..<Int(t.end)])
                parts.append(isPrefix && i == folded.tokens.count - 1 ? .prefix(bytes) : .word(bytes))
            }
        }
        return parts.isEmpty ? nil : parts
    }

    private mutating func element(for part: Part) -> Int32 {
        switch part {
        case .number:
            if numberElement < 0 { numberElement = newElement() }
            return numberElement
        case .word(let b):
            if let e = words.find(b[...]) { return e }
            let e = newElement()
            words.insert(b, e)
            return e
        case .prefix(let b):
            if let e = prefixes.find(b[...]) { return e }
            let e = newElement()
            prefixes.insert(b, e)
            if b.count < 64 { prefixLengths |= 1 << UInt64(b.count) }
            return e
        }
    }

    private mutating func newElement() -> Int32 {
        defer { elementCount += 1 }
        return elementCount
    }

    // MARK: - Matching

    /// Every match in `text`, overlaps within a group resolved, ordered by position.
    func hits(in text: FoldedText) -> [Hit] {
        let tokens = text.tokens
        guard !tokens.isEmpty, !keywords.isEmpty else { return [] }
        // The elements each token matches: candidates[candidateStart[i]..<candidateStart[i+1]].
        var candidates: [Int32] = []
        candidates.reserveCapacity(tokens.count)
        var candidateStart = [Int32](repeating: 0, count: tokens.count + 1)
        text.bytes.withUnsafeBufferPointer { bytes in
            for (i, t) in tokens.enumerated() {
                candidateStart[i] = Int32(candidates.count)
                var h = ByteTable.seed
                var length = 0
                for p in Int(t.start)..<Int(t.end) {
                    h = ByteTable.mix(h, bytes[p])
                    length += 1
                    if length < 64, prefixLengths & (1 << UInt64(length)) != 0,
                       let e = prefixes.find(hash: h, bytes[Int(t.start)..<p + 1]) {
                        candidates.append(e)
                    }
                }
                if let e = words.find(hash: h, bytes[Int(t.start)..<Int(t.end)]) { candidates.append(e) }
                if t.isNumber, numberElement >= 0 { candidates.append(numberElement) }
            }
            candidateStart[tokens.count] = Int32(candidates.count)
        }

        var hits: [Hit] = []
        for i in 0..<tokens.count {
            for c in Int(candidateStart[i])..<Int(candidateStart[i + 1]) {
                let e = Int(candidates[c])
                for k in Int(firstStart[e])..<Int(firstStart[e + 1]) {
                    let kw = Int(byFirst[k])
                    let elements = keywords[kw].elements
                    guard i + elements.count <= tokens.count else { continue }
                    var ok = true
                    var j = 1
                    while j < elements.count {
                        let t = i + j
                        var found = false
                        for x in Int(candidateStart[t])..<Int(candidateStart[t + 1]) where candidates[x] == elements[j] {
                            found = true
                            break
                        }
                        if !found { ok = false; break }
                        j += 1
                    }
                    if ok { hits.append(Hit(keyword: Int32(kw), start: Int32(i), count: Int32(elements.count))) }
                }
            }
        }
        return resolveOverlaps(hits)
    }

    /// Leftmost-longest per group; hits with the same span as a kept one are kept too.
    private func resolveOverlaps(_ hits: [Hit]) -> [Hit] {
        guard hits.count > 1 else { return hits }
        let sorted = hits.sorted { a, b in a.start != b.start ? a.start < b.start : a.count > b.count }
        var keptUntil = [Int32](repeating: -1, count: groupCount)
        var keptStart = [Int32](repeating: -1, count: groupCount)
        var keptCount = [Int32](repeating: 0, count: groupCount)
        var out: [Hit] = []
        out.reserveCapacity(sorted.count)
        for h in sorted {
            let g = keywords[Int(h.keyword)].group
            if h.start >= keptUntil[g] {
                keptUntil[g] = h.end
                keptStart[g] = h.start
                keptCount[g] = h.count
                out.append(h)
            } else if h.start == keptStart[g], h.count == keptCount[g] {
                out.append(h)
            }
        }
        return out
    }
}

/// An open-addressing hash table from byte strings to element ids (FNV-1a hashes).
struct ByteTable: Sendable {
    private var hashes: [UInt64] = []
    private var values: [Int32] = []
    private var keys: [[UInt8]] = []
    private var count = 0

    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325
    @inline(__always) static func mix(_ h: UInt64, _ b: UInt8) -> UInt64 { (h ^ UInt64(b)) &* 0x100_0000_01b3 }

    static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        bytes.reduce(seed, mix)
    }

    func find(_ bytes: ArraySlice<UInt8>) -> Int32? {
        bytes.withUnsafeBufferPointer { find(hash: ByteTable.hash($0), $0[...]) }
    }

    @inline(__always)
    func find(hash h: UInt64, _ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int32? {
        guard count > 0 else { return nil }
        let mask = hashes.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while values[slot] >= 0 {
            if hashes[slot] == h, keys[slot].elementsEqual(bytes) { return values[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }

    mutating func insert(_ bytes: [UInt8], _ value: Int32) {
        if (count + 1) * 2 > hashes.count { grow() }
        let h = ByteTable.hash(bytes)
        let mask = hashes.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while values[slot] >= 0 { slot = (slot + 1) & mask }
        hashes[slot] = h
        values[slot] = value
        keys[slot] = bytes
        count += 1
    }

    private mutating func grow() {
        let old = zip(keys, values).filter { $0.1 >= 0 }
        let capacity = max(16, hashes.count * 2)
        hashes = [UInt64](repeating: 0, count: capacity)
        values = [Int32](repeating: -1, count: capacity)
        keys = [[UInt8]](repeating: [], count: capacity)
        count = 0
        for (k, v) in old { insert(k, v) }
    }
}
