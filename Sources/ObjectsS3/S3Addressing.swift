import PlugboardKernel

/// Where the requests for one bucket go: the bucket's URL and each object's,
/// path-style (`https://endpoint/bucket/key`) or virtual-hosted
/// (`https://bucket.endpoint/key`).
///
/// Keys are percent-encoded once with `ObjectKey.percentEncoded` (every byte
/// outside RFC 3986's unreserved set escaped, `/` kept), which is also S3's
/// canonical URI, so the path sent is exactly the path signed.
struct S3Addressing: Sendable, Hashable {
    /// `http` or `https`.
    let scheme: String
    /// The host requests go to: the endpoint's, prefixed with the bucket when virtual-hosted.
    let host: String
    let port: Int?
    /// The endpoint's own path (a gateway mounted under a prefix), without a trailing `/`; usually empty.
    let basePath: String
    let bucket: String
    let pathStyle: Bool

    /// - Throws: `S3ObjectStore.ConfigurationProblem` naming the field when the endpoint
    ///   is not an http(s) URL or virtual-hosted addressing cannot work with it.
    init(endpoint: String, bucket: String, pathStyle: Bool) throws {
        guard let parts = URLParts(endpoint), parts.query == nil else {
            throw S3Addressing.problem("endpoint", "expected an http:// or https:// URL without a query, got \"\(endpoint)\"")
        }
        if let why = S3Addressing.bucketNameProblem(bucket) { throw S3Addressing.problem("bucket", why) }
        if !pathStyle {
            if S3Addressing.isIPLiteral(parts.host) {
                throw S3Addressing.problem("path_style", "virtual-hosted addressing puts the bucket in the host name, "
                    + "which an IP address (\(parts.host)) cannot take; set path_style: true (moto, MinIO and local servers need it)")
            }
            if bucket.contains("."), parts.scheme == "https" {
                throw S3Addressing.problem("path_style", "bucket \"\(bucket)\" has dots, so \(bucket).\(parts.host) does not "
                    + "match the server's TLS certificate; set path_style: true")
            }
            if bucket != bucket.lowercased() || bucket.contains("_") {
                throw S3Addressing.problem("path_style", "bucket \"\(bucket)\" is not a valid host name label "
                    + "(uppercase or _); set path_style: true")
            }
        }
        var base = parts.path
        while base.hasSuffix("/") { base.removeLast() }
        self.scheme = parts.scheme
        self.host = pathStyle ? parts.host : "\(bucket).\(parts.host)"
        self.port = parts.port
        self.basePath = base
        self.bucket = bucket
        self.pathStyle = pathStyle
    }

    /// `scheme://host[:port]`, the port shown only when it is not the scheme's default.
    var origin: String {
        let defaultPort = scheme == "https" ? 443 : 80
        return "\(scheme)://\(host)\(port.map { $0 == defaultPort ? "" : ":\($0)" } ?? "")"
    }

    /// The bucket itself (HeadBucket, CreateBucket): `/bucket` path-style, `/` virtual-hosted.
    var bucketURL: String {
        pathStyle ? "\(origin)\(basePath)/\(URIEncoding.encode(bucket))" : "\(origin)\(basePath)/"
    }

    /// One object, with an optional query (`uploads`, `partNumber=1&uploadId=...`) already encoded.
    func objectURL(_ key: String, query: String? = nil) -> String {
        let bucketPath = pathStyle ? "/\(URIEncoding.encode(bucket))" : ""
        return "\(origin)\(basePath)\(bucketPath)/\(ObjectKey.percentEncoded(key))\(query.map { "?\($0)" } ?? "")"
    }

    /// Why `bucket` cannot be a bucket name, or nil. Loose on purpose (legacy
    /// buckets and other S3-compatible stores allow more than AWS's current rules):
    /// it only refuses what would break the URL.
    static func bucketNameProblem(_ bucket: String) -> String? {
        if bucket.isEmpty { return "required, not set" }
        if bucket.utf8.count > 255 { return "longer than 255 characters" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")
        if let bad = bucket.first(where: { !allowed.contains($0) }) {
            return "\"\(bucket)\" contains \"\(bad)\"; bucket names use letters, digits, ., - and _"
        }
        return nil
    }

    static func isIPLiteral(_ host: String) -> Bool {
        if host.hasPrefix("[") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }

    private static func problem(_ field: String, _ what: String) -> S3ObjectStore.ConfigurationProblem {
        S3ObjectStore.ConfigurationProblem(field: field, what: what)
    }
}
