import Foundation
import PlugboardKernel

/// The one place S3 errors become `PlugboardError`s.
extension S3ObjectStore {
    /// An S3 error document: `<Error><Code>…</Code><Message>…</Message>…</Error>`.
    struct ServiceError: Sendable, Hashable {
        var code: String
        var message: String
        /// Where a redirect says the bucket lives (`PermanentRedirect`).
        var endpoint: String?
    }

    /// The error document of a response, nil when the body is not one (HEAD
    /// responses have no body; a 200 to CompleteMultipartUpload may be one).
    static func serviceError(in response: HTTPResponse) -> ServiceError? {
        guard !response.body.isEmpty else { return nil }
        let text = response.text
        guard S3XML.rootIs("Error", in: text), let code = S3XML.text(of: "Code", in: text) else { return nil }
        return ServiceError(code: code, message: S3XML.text(of: "Message", in: text) ?? "",
                            endpoint: S3XML.text(of: "Endpoint", in: text))
    }

    /// The error of a response that did not succeed (or a 200 carrying an error document).
    ///
    /// - Parameter assumedCode: the code to map when the response has no body
    ///   (HEAD), from what the status means for that request.
    func failure(_ operation: String, key: String?, response: HTTPResponse, assumedCode: String? = nil) -> PlugboardError {
        let parsed = Self.serviceError(in: response)
        let code = parsed?.code ?? assumedCode ?? ""
        let serverMessage = parsed?.message ?? ""
        let cause = code.isEmpty ? "HTTP \(response.status)" : "\(code) (HTTP \(response.status))"
        let place = "\(operation)\(key.map { " of \(ObjectKey.quoted($0))" } ?? "") in bucket \(addressing.bucket) at \(addressing.host)"
        let detail = serverMessage.isEmpty ? (code.isEmpty ? "HTTP \(response.status)" : code) : "\(code): \(serverMessage)"
        let accessKey = configuration.credentials.accessKeyID
        func make(_ kind: PlugboardError.Code, _ message: String, retryable: Bool? = nil) -> PlugboardError {
            var retryAfter: Duration?
            if kind == .rateLimited || kind == .unavailable, let value = response.header("Retry-After") {
                retryAfter = PlugboardError.retryAfter(value)
            }
            return PlugboardError(kind, "s3 \(place): \(message)", adapter: Self.adapter, cause: cause,
                                  retryable: retryable, retryAfter: retryAfter)
        }

        switch code {
        case "NoSuchKey":
            return make(.notFound, "no such object")
        case "NoSuchBucket":
            return make(.notFound, "bucket \(addressing.bucket) does not exist (region \(configuration.region)); "
                        + "create it, or check bucket and endpoint")
        case "NoSuchUpload":
            // The upload was aborted or completed by someone else (a lifecycle rule):
            // putting the object again starts a new one.
            return make(.unavailable, "the multipart upload no longer exists (\(detail))", retryable: true)
        case "SignatureDoesNotMatch":
            return make(.unauthenticated, "the request signature was rejected (access key \(accessKey)): \(detail); "
                        + "check secret_access_key (or AWS_SECRET_ACCESS_KEY)")
        case "InvalidAccessKeyId":
            return make(.unauthenticated, "access key \(accessKey) is unknown to the server (\(detail)); "
                        + "check access_key_id (or AWS_ACCESS_KEY_ID) and endpoint")
        case "InvalidToken", "ExpiredToken", "TokenRefreshRequired", "InvalidSecurity":
            return make(.unauthenticated, "the session token was rejected (access key \(accessKey)): \(detail); "
                        + "refresh session_token (or AWS_SESSION_TOKEN)")
        case "RequestTimeTooSkewed":
            return make(.unauthenticated, "this machine's clock is more than 15 minutes off the server's; fix the clock (\(detail))")
        case "AccessDenied", "AllAccessDisabled", "AccountProblem", "InvalidObjectState":
            return make(.permissionDenied, "access denied for access key \(accessKey) (\(detail))")
        case "PermanentRedirect", "TemporaryRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
            return make(.invalidConfiguration, "the bucket is not served at this region or endpoint (\(detail))"
                        + (parsed?.endpoint.map { "; the server points to \($0)" } ?? "")
                        + (response.header("x-amz-bucket-region").map { "; the bucket is in region \($0)" } ?? "")
                        + "; check region and endpoint")
        case "InvalidBucketName":
            return make(.invalidConfiguration, "bucket name \(addressing.bucket) is refused (\(detail))")
        case "SlowDown", "Throttling", "ThrottlingException", "TooManyRequests":
            return make(.rateLimited, "the server asks to slow down (\(detail))", retryable: true)
        case "ServiceUnavailable", "InternalError", "RequestTimeout", "OperationAborted", "XAmzContentSHA256Mismatch",
             "BadDigest", "IncompleteBody":
            return make(.unavailable, detail, retryable: true)
        case "EntityTooLarge", "EntityTooSmall", "InvalidPart", "InvalidPartOrder", "KeyTooLongError", "InvalidArgument",
             "InvalidRequest", "MalformedXML", "InvalidRange":
            return make(.invalidInput, detail, retryable: false)
        case "NotImplemented":
            return make(.unsupported, "the server does not implement this request (\(detail))", retryable: false)
        default:
            break
        }
        switch response.status {
        case 301, 307, 308:
            return make(.invalidConfiguration, "redirected (HTTP \(response.status)): the bucket is not served at this region or endpoint"
                        + (response.header("x-amz-bucket-region").map { "; the bucket is in region \($0)" } ?? "")
                        + "; check region and endpoint")
        case 503:
            return make(.unavailable, "service unavailable (\(detail))", retryable: true)
        case 200..<300:
            // A 2xx whose body says it failed (CompleteMultipartUpload) without a code we know.
            return make(.unavailable, "the server reported a failure in a \(response.status) response (\(detail))", retryable: true)
        default:
            var mapped = PlugboardError(httpStatus: response.status, message: "s3 \(place): \(detail)", adapter: Self.adapter,
                                        headers: response.headers)
            mapped.cause = cause
            return mapped
        }
    }

    /// A request that got no response (connection, TLS, timeout), named after the operation.
    func transportFailure(_ error: any Error, operation: String, key: String?) -> PlugboardError {
        var e = PlugboardError.wrap(error, adapter: Self.adapter)
        let place = "\(operation)\(key.map { " of \(ObjectKey.quoted($0))" } ?? "") in bucket \(addressing.bucket)"
        e.message = "s3 \(place): \(e.message)"
        return e
    }
}
