import Foundation
import PlugboardKernel

/// Downloads attachment URLs under the workflow's policy: http and https only,
/// hosts from the allowlist when one is set, and no loopback, private,
/// link-local or otherwise internal address unless `allow_private` (so a form
/// cannot make the server fetch its own admin pages or a cloud metadata
/// endpoint). Redirects are not followed; bodies over `max_bytes` are refused.
///
/// The host is resolved and checked before the request; a DNS answer that
/// changes between the check and libcurl's own lookup is not caught (pin hosts
/// with `allowed_hosts` where that matters).
public struct HTTPAttachmentFetcher: AttachmentFetching {
    public let transport: any HTTPTransport
    /// Resolves a host name to IP address strings (injected in tests).
    public let resolve: @Sendable (String) throws -> [String]

    public init(transport: any HTTPTransport, resolve: @escaping @Sendable (String) throws -> [String] = HTTPAttachmentFetcher.systemResolve) {
        self.transport = transport
        self.resolve = resolve
    }

    public func fetch(_ url: String, policy: AttachmentPolicy) async throws -> Data {
        try check(url, policy: policy)
        let response = try await transport.send(HTTPRequest(method: .get, url: url, maxResponseBytes: policy.maxBytes))
        guard (200..<300).contains(response.status) else {
            throw PlugboardError(httpStatus: response.status, message: "attachment \(HTTPAttachmentFetcher.redacted(url)): HTTP \(response.status)")
        }
        if response.body.count > policy.maxBytes {
            throw PlugboardError.invalidInput("attachment \(HTTPAttachmentFetcher.redacted(url)): over the \(policy.maxBytes)-byte limit")
        }
        return response.body
    }

    /// Refuses what the policy does not allow; throws `.invalidInput` or `.permissionDenied` naming the URL (without its query).
    public func check(_ url: String, policy: AttachmentPolicy) throws {
        let shown = HTTPAttachmentFetcher.redacted(url)
        guard let parts = URLParts(url), parts.scheme == "http" || parts.scheme == "https", !parts.host.isEmpty else {
            throw PlugboardError.invalidInput("attachment \(shown): only http and https URLs are fetched")
        }
        // The authority is what follows "scheme://" up to the next "/": user info there is refused.
        if let authority = url.components(separatedBy: "://").dropFirst().first?.split(separator: "/").first, authority.contains("@") {
            throw PlugboardError.invalidInput("attachment \(shown): URLs with credentials are refused")
        }
        let host = parts.host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if !policy.allowedHosts.isEmpty {
            let allowed = policy.allowedHosts.contains { rule in
                let r = rule.lowercased()
                return r.hasPrefix(".") ? host.hasSuffix(r) || host == String(r.dropFirst()) : host == r
            }
            if !allowed {
                throw PlugboardError(.permissionDenied, "attachment \(shown): host \(host) is not in workflow.attachments.allowed_hosts")
            }
        }
        guard !policy.allowPrivate else { return }
        let addresses = try IPAddressRules.isLiteral(host) ? [host] : resolve(host)
        if addresses.isEmpty { throw PlugboardError.invalidInput("attachment \(shown): host \(host) does not resolve") }
        for a in addresses where !IPAddressRules.isPublic(a) {
            throw PlugboardError(.permissionDenied,
                                 "attachment \(shown): \(host) is an internal address (\(a)); set workflow.attachments.allow_private to fetch it")
        }
    }

    static func redacted(_ url: String) -> String {
        String(url.split(separator: "?", maxSplits: 1).first ?? "").prefix(200).description
    }

    /// getaddrinfo, every address family.
    public static let systemResolve: @Sendable (String) throws -> [String] = { host in
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &result)
        guard rc == 0, let first = result else {
            throw PlugboardError(.unavailable, "cannot resolve \(host) (\(String(cString: gai_strerror(rc))))", retryable: true)
        }
        defer { freeaddrinfo(first) }
        var out: [String] = []
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let ai = p {
            var buf = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(ai.pointee.ai_addr, ai.pointee.ai_addrlen, &buf, socklen_t(buf.count), nil, 0, NI_NUMERICHOST) == 0 {
                out.append(String(decoding: buf.prefix(while: { $0 != 0 }).map(UInt8.init(bitPattern:)), as: UTF8.self))
            }
            p = ai.pointee.ai_next
        }
        return out
    }
}

/// Which IP addresses are on the public internet.
public enum IPAddressRules {
    public static func isLiteral(_ s: String) -> Bool { v4(s) != nil || v6(s) != nil }

    /// False for loopback, private (RFC 1918, ULA), link-local, CGNAT, unspecified, multicast, broadcast and documentation ranges.
    public static func isPublic(_ s: String) -> Bool {
        let addr = s.split(separator: "%").first.map(String.init) ?? s  // drop an IPv6 zone
        if let b = v4(addr) { return isPublicV4(b) }
        guard let b = v6(addr) else { return false }
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF { return isPublicV4(Array(b[12..<16])) }  // ::ffff:a.b.c.d
        if b.allSatisfy({ $0 == 0 }) { return false }                                  // ::
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return false }            // ::1
        if b[0] & 0xFE == 0xFC { return false }                                        // fc00::/7
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return false }                        // fe80::/10
        if b[0] == 0xFF { return false }                                               // multicast
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8 { return false } // 2001:db8::/32
        return true
    }

    static func isPublicV4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): return false
        case (100, 64...127): return false            // CGNAT
        case (169, 254): return false                 // link-local, cloud metadata
        case (172, 16...31): return false
        case (192, 168): return false
        case (192, 0) where b[2] == 0 || b[2] == 2: return false
        case (198, 18...19): return false             // benchmarking
        case (198, 51) where b[2] == 100: return false
        case (203, 0) where b[2] == 113: return false
        case (224...255, _): return false             // multicast, reserved, broadcast
        default: return true
        }
    }

    static func v4(_ s: String) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), let v = UInt8(p) else { return nil }
            out.append(v)
        }
        return out
    }

    static func v6(_ s: String) -> [UInt8]? {
        var addr = in6_addr()
        guard s.contains(":"), inet_pton(AF_INET6, s, &addr) == 1 else { return nil }
        return withUnsafeBytes(of: &addr) { Array($0) }
    }
}
