import PlugboardKernel

extension S3ObjectStore {
    /// Where the bucket is and how to reach it.
    public struct Configuration: Sendable {
        /// `https://s3.<region>.amazonaws.com` when nil. Cloudflare R2:
        /// `https://<ACCOUNT_ID>.r2.cloudflarestorage.com`.
        public var endpoint: String?
        /// Signing region; `auto` for Cloudflare R2.
        public var region: String
        public var bucket: String
        public var credentials: AWSCredentials
        /// `https://endpoint/bucket/key` when true, `https://bucket.endpoint/key` when false.
        public var pathStyle: Bool
        /// When set, `url(for:)` is this plus `/` and the percent-encoded key (an R2
        /// public bucket, a CDN) instead of a presigned URL. No trailing `/`.
        public var publicBaseURL: String?
        /// Bodies of at least this many bytes go up as a multipart upload.
        public var multipartThreshold: Int
        /// Size of every multipart part but the last (R2 wants them equal).
        public var partSize: Int
        /// Parts in flight at once during a multipart upload.
        public var partConcurrency: Int
        /// The longest a presigned URL lives (seconds); a longer `expiresIn` is shortened to it.
        public var presignExpiry: Int
        /// Time allowed for one request (one part of a multipart upload).
        public var timeout: Duration

        public static let minimumPartSize = 5 << 20
        /// S3's largest single PUT, and largest part.
        public static let maximumPartSize = 5 << 30
        public static let maximumParts = 10_000
        public static let defaultMultipartThreshold = 16 << 20
        public static let defaultPartSize = 8 << 20

        public init(endpoint: String? = nil, region: String = "us-east-1", bucket: String, credentials: AWSCredentials,
                    pathStyle: Bool = false, publicBaseURL: String? = nil,
                    multipartThreshold: Int = Configuration.defaultMultipartThreshold,
                    partSize: Int = Configuration.defaultPartSize, partConcurrency: Int = 4,
                    presignExpiry: Int = SigV4Signer.maxPresignedExpiry, timeout: Duration = .seconds(120)) {
            self.endpoint = endpoint
            self.region = region
            self.bucket = bucket
            self.credentials = credentials
            self.pathStyle = pathStyle
            self.publicBaseURL = publicBaseURL
            self.multipartThreshold = multipartThreshold
            self.partSize = partSize
            self.partConcurrency = max(1, partConcurrency)
            self.presignExpiry = presignExpiry
            self.timeout = timeout
        }

        public var resolvedEndpoint: String { endpoint ?? "https://s3.\(region).amazonaws.com" }

        /// The addressing these settings give, or the first field that is wrong.
        func addressing() throws -> S3Addressing {
            if region.isEmpty { throw ConfigurationProblem(field: "region", what: "empty; use an AWS region, or auto for Cloudflare R2") }
            if endpoint == nil, region == "auto" {
                throw ConfigurationProblem(field: "endpoint", what: "region auto is Cloudflare R2's; set endpoint to "
                    + "https://<ACCOUNT_ID>.r2.cloudflarestorage.com")
            }
            if credentials.accessKeyID.isEmpty {
                throw ConfigurationProblem(field: "access_key_id", what: "required, not set (or set AWS_ACCESS_KEY_ID)")
            }
            if credentials.secretAccessKey.isEmpty {
                throw ConfigurationProblem(field: "secret_access_key", what: "required, not set (or set AWS_SECRET_ACCESS_KEY)")
            }
            let mib = "\(Configuration.minimumPartSize) (5 MiB)"
            let gib = "\(Configuration.maximumPartSize) (5 GiB)"
            if !(Configuration.minimumPartSize...Configuration.maximumPartSize).contains(multipartThreshold) {
                throw ConfigurationProblem(field: "multipart_threshold", what: "expected \(mib) to \(gib) bytes, got \(multipartThreshold)")
            }
            if !(Configuration.minimumPartSize...Configuration.maximumPartSize).contains(partSize) {
                throw ConfigurationProblem(field: "part_size", what: "expected \(mib) to \(gib) bytes, got \(partSize)")
            }
            if !(1...SigV4Signer.maxPresignedExpiry).contains(presignExpiry) {
                throw ConfigurationProblem(field: "presign_expiry",
                                           what: "expected 1 to \(SigV4Signer.maxPresignedExpiry) seconds (7 days), got \(presignExpiry)")
            }
            if timeout <= .zero { throw ConfigurationProblem(field: "timeout", what: "expected a positive number of seconds") }
            if let base = publicBaseURL, URLParts(base) == nil {
                throw ConfigurationProblem(field: "public_base_url", what: "expected an absolute http(s) URL, got \"\(base)\"")
            }
            return try S3Addressing(endpoint: resolvedEndpoint, bucket: bucket, pathStyle: pathStyle)
        }
    }

    /// A configuration value that cannot work: the field and what is wrong with it.
    struct ConfigurationProblem: Error {
        var field: String
        var what: String
    }

    // MARK: - Registry

    public static let descriptor = AdapterDescriptor(
        port: .objects, name: "s3",
        summary: "Amazon S3, Cloudflare R2 or any S3-compatible store (MinIO, moto, ...), signed with SigV4.",
        fields: [
            ConfigField("endpoint", .string, environment: "AWS_ENDPOINT_URL_S3",
                        "Service URL; default https://s3.<region>.amazonaws.com. Cloudflare R2: https://<ACCOUNT_ID>.r2.cloudflarestorage.com."),
            ConfigField("region", .string, default: "us-east-1", environment: "AWS_REGION",
                        "Region used in signing; auto for Cloudflare R2."),
            ConfigField("bucket", .string, required: true, "The bucket holding the objects."),
            ConfigField("access_key_id", .string, environment: "AWS_ACCESS_KEY_ID", "Access key id."),
            ConfigField("secret_access_key", .string, secret: true, environment: "AWS_SECRET_ACCESS_KEY", "Secret access key."),
            ConfigField("session_token", .string, secret: true, environment: "AWS_SESSION_TOKEN",
                        "Session token of temporary credentials (STS)."),
            ConfigField("path_style", .boolean, default: false,
                        "Address the bucket in the path (endpoint/bucket/key) rather than the host name (bucket.endpoint/key); "
                        + "moto, MinIO and most local or custom endpoints need true."),
            ConfigField("public_base_url", .string,
                        "A public URL of the bucket (an R2 public bucket, a CDN); url(for:) is this plus the key instead of a presigned URL."),
            ConfigField("multipart_threshold", .integer, default: .number(JSONNumber(Configuration.defaultMultipartThreshold)),
                        "Bodies of at least this many bytes are sent as a multipart upload (minimum 5 MiB)."),
            ConfigField("part_size", .integer, default: .number(JSONNumber(Configuration.defaultPartSize)),
                        "Bytes in each part of a multipart upload but the last (minimum 5 MiB; all equal, as R2 requires)."),
            ConfigField("presign_expiry", .integer, default: .number(JSONNumber(SigV4Signer.maxPresignedExpiry)),
                        "The longest a presigned URL lives, in seconds (at most 604800, 7 days); longer requests are shortened to it."),
            ConfigField("timeout", .number, default: 120, "Seconds allowed for one request (one part of a multipart upload)."),
        ],
        capabilities: ["presigned_urls", "public_urls", "multipart_upload"])

    public static let registryEntry = Registry.Entry(descriptor, .objects { settings, context in
        try S3ObjectStore(S3ObjectStore.configuration(from: settings), logger: context.logger)
    })

    /// Validates settings into a configuration; every error names the field.
    public static func configuration(from s: AdapterSettings) throws -> Configuration {
        func nonEmpty(_ name: String) -> String? { s.string(name).flatMap { $0.isEmpty ? nil : $0 } }
        var base = nonEmpty("public_base_url")
        while base?.hasSuffix("/") == true { base?.removeLast() }
        let seconds = s.double("timeout") ?? 120
        guard seconds.isFinite, seconds > 0 else { throw s.error("timeout", "expected a positive number of seconds, got \(seconds)") }
        let configuration = Configuration(
            endpoint: nonEmpty("endpoint"), region: nonEmpty("region") ?? "us-east-1", bucket: s.string("bucket") ?? "",
            credentials: AWSCredentials(accessKeyID: s.string("access_key_id") ?? "", secretAccessKey: s.string("secret_access_key") ?? "",
                                        sessionToken: s.string("session_token")),
            pathStyle: s.bool("path_style") ?? false, publicBaseURL: base,
            multipartThreshold: s.int("multipart_threshold") ?? Configuration.defaultMultipartThreshold,
            partSize: s.int("part_size") ?? Configuration.defaultPartSize,
            presignExpiry: s.int("presign_expiry") ?? SigV4Signer.maxPresignedExpiry,
            timeout: .milliseconds(Int64((seconds * 1000).rounded())))
        do {
            _ = try configuration.addressing()
        } catch let problem as ConfigurationProblem {
            throw s.error(problem.field, problem.what)
        }
        return configuration
    }
}
