import Foundation
import PlugboardKernel
import Synchronization

/// The `s3` object store: Amazon S3, Cloudflare R2 or any S3-compatible store
/// (MinIO, moto, ...), over S3's REST API signed with SigV4.
///
/// - Requests are signed by the kernel's `SigV4Signer` in S3 mode, with the
///   real SHA-256 of every body in `x-amz-content-sha256`, so the server
///   checks what it received.
/// - Addressing is virtual-hosted (`https://bucket.s3.<region>.amazonaws.com/key`)
///   or path-style (`https://endpoint/bucket/key`, `path_style: true`), which
///   moto, MinIO and most custom endpoints need. Cloudflare R2 is
///   `endpoint: https://<ACCOUNT_ID>.r2.cloudflarestorage.com`, `region: auto`.
/// - Bodies of at least `multipart_threshold` bytes go up as a multipart upload
///   in equal parts of `part_size` (the last may be smaller), a few at a time;
///   any failure aborts the upload before the error is rethrown, so no parts
///   are left behind (and billed).
/// - `url(for:)` is `public_base_url` plus the key when configured, else a
///   presigned GET URL (at most 7 days, and at most `presign_expiry`).
/// - Errors are mapped in one place (`S3ObjectStore+Errors.swift`); the adapter
///   never retries: the kernel's policy layer does, from `isRetryable`.
public final class S3ObjectStore: ObjectStore {
    public let configuration: Configuration
    let addressing: S3Addressing
    let signer: SigV4Signer
    let transport: any HTTPTransport
    let logger: Logger
    let now: @Sendable () -> Date
    /// Set once a response has shown that the bucket exists: from then on a 404
    /// to HEAD (which has no body to tell a missing key from a missing bucket)
    /// means the key is missing, without asking HeadBucket again.
    let bucketSeen = Mutex<Bool>(false)

    static let adapter = "s3"
    /// Stored when `put` is given no content type (and never the form type curl would add to a bare POST).
    static let defaultContentType = "application/octet-stream"

    /// - Parameters:
    ///   - transport: defaults to a libcurl transport with a connection per part in flight.
    ///   - now: the clock requests are signed with (tests pin it).
    /// - Throws: `.invalidConfiguration` naming the field that cannot work.
    public init(_ configuration: Configuration, transport: (any HTTPTransport)? = nil,
                logger: Logger = Logger(label: "plugboard.s3"), now: @escaping @Sendable () -> Date = { Date() }) throws {
        do {
            self.addressing = try configuration.addressing()
        } catch let problem as ConfigurationProblem {
            throw PlugboardError.invalidConfiguration("\(problem.field): \(problem.what)", adapter: Self.adapter)
        }
        self.configuration = configuration
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region, service: "s3", options: .s3)
        self.transport = transport ?? CurlTransport(.init(timeout: configuration.timeout,
                                                          maxConnections: configuration.partConcurrency + 2, logger: logger))
        self.logger = logger
        self.now = now
    }

    // MARK: - ObjectStore

    public func put(key: String, data: Data, contentType: String?) async throws -> ObjectInfo {
        try validate(key)
        let type = contentType ?? Self.defaultContentType
        if data.count >= configuration.multipartThreshold {
            return try await putMultipart(key: key, data: data, contentType: type)
        }
        let response = try await send("PutObject", .put, addressing.objectURL(key), headers: ["Content-Type": type],
                                      body: [UInt8](data), key: key)
        guard response.isSuccess else { throw failure("PutObject", key: key, response: response) }
        bucketSeen.withLock { $0 = true }
        return ObjectInfo(key: key, size: data.count, contentType: type, etag: Self.unquoted(response.header("ETag")))
    }

    public func get(key: String) async throws -> Data {
        try validate(key)
        // The caller asked for the whole object: no response-size limit but the object's own.
        let response = try await send("GetObject", .get, addressing.objectURL(key), key: key, maxResponseBytes: Int.max)
        guard response.status == 200 else { throw failure("GetObject", key: key, response: response) }
        bucketSeen.withLock { $0 = true }
        return response.body
    }

    public func head(key: String) async throws -> ObjectInfo? {
        try validate(key)
        let response = try await send("HeadObject", .head, addressing.objectURL(key), key: key)
        switch response.status {
        case 200:
            bucketSeen.withLock { $0 = true }
            return ObjectInfo(key: key, size: response.header("Content-Length").flatMap { Int($0) } ?? 0,
                              contentType: response.header("Content-Type"), etag: Self.unquoted(response.header("ETag")))
        case 404:
            try await checkBucketExists()
            return nil
        default:
            throw try await headFailure(key: key, response: response)
        }
    }

    public func delete(key: String) async throws {
        try validate(key)
        let response = try await send("DeleteObject", .delete, addressing.objectURL(key), key: key)
        // S3 answers 204 for a missing key too; some compatible stores say NoSuchKey, which is the same outcome.
        guard response.isSuccess || Self.serviceError(in: response)?.code == "NoSuchKey" else {
            throw failure("DeleteObject", key: key, response: response)
        }
    }

    /// `public_base_url` + `/` + the percent-encoded key when configured; else a
    /// presigned GET URL valid for `expiresIn` (whole seconds, rounded up),
    /// shortened to `presign_expiry`. More than 7 days is refused with `.invalidInput`.
    public func url(for key: String, expiresIn: Duration) async throws -> String? {
        try validate(key)
        if let base = configuration.publicBaseURL { return base + "/" + ObjectKey.percentEncoded(key) }
        let (seconds, attoseconds) = expiresIn.components
        let requested = seconds + (attoseconds > 0 ? 1 : 0)
        guard requested >= 1, requested <= Int64(SigV4Signer.maxPresignedExpiry) else {
            throw PlugboardError.invalidInput(
                "presigned URL of \(ObjectKey.quoted(key)): expiry must be 1 second to 7 days (\(SigV4Signer.maxPresignedExpiry) s), "
                + "got \(expiresIn)", adapter: Self.adapter)
        }
        let lifetime = min(Int(requested), configuration.presignExpiry)
        do {
            return try signer.presign(HTTPRequest(method: .get, url: addressing.objectURL(key)), expires: lifetime, date: now())
        } catch {
            throw PlugboardError.wrap(error, adapter: Self.adapter)
        }
    }

    // MARK: - Requests

    /// Signs and sends one request; returns whatever the server answered.
    /// Network failures come back as `PlugboardError`s naming the operation.
    func send(_ operation: String, _ method: HTTPMethod, _ url: String, headers: HTTPHeaders = [:], body: [UInt8] = [],
              key: String?, maxResponseBytes: Int? = nil) async throws -> HTTPResponse {
        let request = HTTPRequest(method: method, url: url, headers: headers, body: body, timeout: configuration.timeout,
                                  maxResponseBytes: maxResponseBytes)
        let signed: HTTPRequest
        do {
            signed = try signer.sign(request, date: now(), payload: .body)
        } catch {
            throw PlugboardError.wrap(error, adapter: Self.adapter)
        }
        let started = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try await transport.send(signed)
        } catch {
            throw transportFailure(error, operation: operation, key: key)
        }
        logger.debug("s3 \(operation) \(key.map(ObjectKey.quoted) ?? addressing.bucket) -> \(response.status) "
                     + "in \((ContinuousClock.now - started).milliseconds) ms")
        return response
    }

    /// HeadBucket, once: a HEAD 404 cannot say whether the key or the whole bucket is missing.
    func checkBucketExists() async throws {
        if bucketSeen.withLock({ $0 }) { return }
        let response = try await send("HeadBucket", .head, addressing.bucketURL, key: nil)
        guard response.status == 200 else {
            if response.status == 404 {
                throw failure("HeadBucket", key: nil, response: response, assumedCode: "NoSuchBucket")
            }
            throw failure("HeadBucket", key: nil, response: response)
        }
        bucketSeen.withLock { $0 = true }
    }

    /// The error of a failed HEAD. Its response has no body, so no error code:
    /// the same question asked as a one-byte GET gets the error document that
    /// tells a wrong secret from a denied permission or a wrong region.
    func headFailure(key: String, response: HTTPResponse) async throws -> PlugboardError {
        guard (400..<500).contains(response.status), Self.serviceError(in: response) == nil else {
            return failure("HeadObject", key: key, response: response)
        }
        let probe = try await send("HeadObject", .get, addressing.objectURL(key), headers: ["Range": "bytes=0-0"], key: key,
                                   maxResponseBytes: 64 << 10)
        if !probe.isSuccess, Self.serviceError(in: probe) != nil {
            return failure("HeadObject", key: key, response: probe)
        }
        return failure("HeadObject", key: key, response: response)
    }

    func validate(_ key: String) throws {
        try ObjectKey.validate(key, adapter: Self.adapter)
    }

    /// An ETag without its surrounding quotes.
    static func unquoted(_ etag: String?) -> String? {
        guard var e = etag else { return nil }
        if e.hasPrefix("W/") { e.removeFirst(2) }
        if e.count >= 2, e.hasPrefix("\""), e.hasSuffix("\"") { e = String(e.dropFirst().dropLast()) }
        return e
    }
}
