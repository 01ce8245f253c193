import Foundation

/// AWS Signature Version 4: signs requests in the `Authorization` header or
/// as presigned URLs, for S3 (and S3-compatible stores) and every other AWS
/// JSON/query service (DynamoDB, ...).
///
/// The stages are small functions named after the spec (`canonicalRequest`,
/// `stringToSign`, `signingKey`, `signature`), and the date is a parameter, so
/// tests pin it and compare every stage with AWS's published suites.
public struct SigV4Signer: Sendable {
    /// How canonicalization differs between S3 and the other services.
    public struct Options: Sendable, Hashable {
        /// Remove `.`/`..` segments and repeated slashes from the path before signing
        /// (all services but S3, whose keys may contain them).
        public var normalizesPath: Bool
        /// URI-encode the (already encoded) request path again: all services but S3.
        /// When false, the path is decoded and encoded exactly once.
        public var encodesPathTwice: Bool
        /// Send and sign `x-amz-content-sha256` (S3 requires it on header-signed requests).
        public var addsContentSHA256Header: Bool
        /// Sign `X-Amz-Security-Token` (true for almost every service); when false
        /// it is added after signing.
        public var signsSessionToken: Bool

        public init(normalizesPath: Bool, encodesPathTwice: Bool, addsContentSHA256Header: Bool,
                    signsSessionToken: Bool = true) {
            self.normalizesPath = normalizesPath
            self.encodesPathTwice = encodesPathTwice
            self.addsContentSHA256Header = addsContentSHA256Header
            self.signsSessionToken = signsSessionToken
        }

        /// DynamoDB and every service but S3.
        public static let standard = Options(normalizesPath: true, encodesPathTwice: true, addsContentSHA256Header: false)
        /// S3, R2 and other S3-compatible stores.
        public static let s3 = Options(normalizesPath: false, encodesPathTwice: false, addsContentSHA256Header: true)
    }

    /// What the last line of the canonical request says about the body.
    public enum Payload: Sendable, Hashable {
        /// The hex SHA-256 of the request body.
        case body
        /// `UNSIGNED-PAYLOAD` (S3 over HTTPS, presigned URLs).
        case unsigned
        /// A value computed elsewhere (a hex SHA-256, or a literal such as
        /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`).
        case precomputed(String)

        func hash(of body: [UInt8]) -> String {
            switch self {
            case .body: return Digest.hex(Digest.sha256(body))
            case .unsigned: return "UNSIGNED-PAYLOAD"
            case .precomputed(let h): return h
            }
        }
    }

    /// A signed request with the intermediate strings, for tests and diagnostics.
    public struct Signing: Sendable {
        /// The request to send: signed headers added (header signing), or the
        /// presigned URL in `url` (query signing).
        public var request: HTTPRequest
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
        /// `;`-joined lowercase names of the signed headers.
        public var signedHeaders: String
    }

    public static let algorithm = "AWS4-HMAC-SHA256"
    /// Presigned URLs live at most 7 days.
    public static let maxPresignedExpiry = 604_800

    public var credentials: AWSCredentials
    public var region: String
    public var service: String
    public var options: Options

    /// - Parameter options: defaults to `.s3` for service `s3`, else `.standard`.
    public init(credentials: AWSCredentials, region: String, service: String, options: Options? = nil) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.options = options ?? (service == "s3" ? .s3 : .standard)
    }

    // MARK: - Header signing

    /// The request with `X-Amz-Date`, `Host`, `Authorization` (and, as configured,
    /// `x-amz-content-sha256` and `X-Amz-Security-Token`) set.
    public func sign(_ request: HTTPRequest, date: Date = Date(), payload: Payload = .body) throws -> HTTPRequest {
        try signing(request, date: date, payload: payload).request
    }

    /// Header signing, returning every stage.
    public func signing(_ request: HTTPRequest, date: Date, payload: Payload = .body) throws -> Signing {
        let parts = try urlParts(request.url)
        var headers = request.headers
        headers.remove("Authorization")
        headers.replaceOrAdd("X-Amz-Date", SigV4Signer.amzDate(date))
        if !headers.contains("Host") { headers.add("Host", parts.authority) }
        let payloadHash = payload.hash(of: request.body)
        if options.addsContentSHA256Header { headers.replaceOrAdd("x-amz-content-sha256", payloadHash) }
        let token = credentials.sessionToken
        if let token, options.signsSessionToken {
            headers.replaceOrAdd("X-Amz-Security-Token", token)
        } else {
            headers.remove("X-Amz-Security-Token")
        }

        let (canonicalHeaders, signedHeaders) = SigV4Signer.canonicalHeaders(headers)
        let creq = SigV4Signer.canonicalRequest(
            method: request.method.rawValue, canonicalURI: canonicalURI(parts.path),
            canonicalQuery: SigV4Signer.canonicalQuery(SigV4Signer.queryParameters(parts.query)),
            canonicalHeaders: canonicalHeaders, signedHeaders: signedHeaders, payloadHash: payloadHash)
        let sts = stringToSign(canonicalRequest: creq, date: date)
        let sig = signature(stringToSign: sts, signingKey: signingKey(date: date))

        headers.add("Authorization", "\(SigV4Signer.algorithm) Credential=\(credentials.accessKeyID)/\(credentialScope(date)), "
                    + "SignedHeaders=\(signedHeaders), Signature=\(sig)")
        if let token, !options.signsSessionToken { headers.add("X-Amz-Security-Token", token) }
        var signed = request
        signed.headers = headers
        return Signing(request: signed, canonicalRequest: creq, stringToSign: sts, signature: sig, signedHeaders: signedHeaders)
    }

    // MARK: - Query signing (presigned URLs)

    /// A presigned URL for `request`, valid `expires` seconds from `date`
    /// (1 s to 7 days). Headers of `request` other than `Host` are signed too,
    /// and the client must send them unchanged.
    public func presign(_ request: HTTPRequest, expires: Int, date: Date = Date(),
                        payload: Payload = .unsigned) throws -> String {
        try presigning(request, expires: expires, date: date, payload: payload).request.url
    }

    /// Query signing, returning every stage.
    public func presigning(_ request: HTTPRequest, expires: Int, date: Date, payload: Payload = .unsigned) throws -> Signing {
        guard (1...SigV4Signer.maxPresignedExpiry).contains(expires) else {
            throw PlugboardError.invalidInput(
                "presigned URL expiry must be between 1 and \(SigV4Signer.maxPresignedExpiry) seconds (7 days), got \(expires)")
        }
        let parts = try urlParts(request.url)
        var headers = request.headers
        for name in ["Authorization", "X-Amz-Date", "X-Amz-Security-Token"] { headers.remove(name) }
        if !headers.contains("Host") { headers.add("Host", parts.authority) }
        let (canonicalHeaders, signedHeaders) = SigV4Signer.canonicalHeaders(headers)

        var parameters = SigV4Signer.queryParameters(parts.query)
        parameters += [
            ("X-Amz-Algorithm", SigV4Signer.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(credentialScope(date))"),
            ("X-Amz-Date", SigV4Signer.amzDate(date)),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", signedHeaders),
        ]
        let token = credentials.sessionToken
        if let token, options.signsSessionToken { parameters.append(("X-Amz-Security-Token", token)) }
        let query = SigV4Signer.canonicalQuery(parameters)
        let uri = canonicalURI(parts.path)
        let creq = SigV4Signer.canonicalRequest(
            method: request.method.rawValue, canonicalURI: uri, canonicalQuery: query,
            canonicalHeaders: canonicalHeaders, signedHeaders: signedHeaders, payloadHash: payload.hash(of: request.body))
        let sts = stringToSign(canonicalRequest: creq, date: date)
        let sig = signature(stringToSign: sts, signingKey: signingKey(date: date))

        // S3 reads the path decoded once, which is exactly its canonical URI;
        // other services get the path as written, made safe for the wire.
        let wirePath = options.encodesPathTwice ? URIEncoding.wireSafePath(parts.path.isEmpty ? "/" : parts.path) : uri
        var url = "\(parts.scheme)://\(parts.host)\(parts.port.map { ":\($0)" } ?? "")\(wirePath)?\(query)&X-Amz-Signature=\(sig)"
        if let token, !options.signsSessionToken { url += "&X-Amz-Security-Token=" + URIEncoding.encode(token) }
        var signed = request
        signed.url = url
        signed.headers = headers
        return Signing(request: signed, canonicalRequest: creq, stringToSign: sts, signature: sig, signedHeaders: signedHeaders)
    }

    private func urlParts(_ url: String) throws -> URLParts {
        guard let parts = URLParts(url) else {
            let shown = url.split(separator: "?", maxSplits: 1).first.map { String($0.prefix(80)) } ?? ""
            throw PlugboardError.invalidInput("cannot sign \"\(shown)\": not an http(s) URL")
        }
        return parts
    }
}
