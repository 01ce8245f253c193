import PlugboardKernel

/// `plugboard doctor`: HeadBucket, without writing.
extension S3ObjectStore: HealthChecking {
    public func check() async -> HealthCheck {
        let place = "bucket \(addressing.bucket) at \(addressing.host) (region \(configuration.region))"
        do {
            let response = try await send("HeadBucket", .head, addressing.bucketURL, key: nil)
            if response.status == 200 { return .passed("HeadBucket: \(place) exists and the credentials may use it") }
            let e: PlugboardError
            if response.status == 404 {
                e = failure("HeadBucket", key: nil, response: response, assumedCode: "NoSuchBucket")
            } else {
                // A HEAD answer has no body, so no error code: a one-byte GET of a missing key
                // (read-only) gets the error document that tells a wrong secret from a denied permission.
                e = try await headFailure(key: "plugboard-doctor-check", response: response)
            }
            return .failed(e.message, hint: hint(e))
        } catch {
            let e = PlugboardError.wrap(error, adapter: Self.adapter)
            return .failed(e.message, hint: hint(e))
        }
    }

    private func hint(_ e: PlugboardError) -> String {
        switch e.code {
        case .notFound:
            return "create the bucket \(addressing.bucket), or check bucket, region and endpoint"
        case .unauthenticated:
            return "check access_key_id and secret_access_key (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)"
        case .permissionDenied:
            return "allow s3:ListBucket, s3:GetObject and s3:PutObject on the bucket for this key"
        case .invalidConfiguration:
            return "check region, endpoint and path_style for this bucket"
        default:
            return "is the S3 service reachable at \(addressing.host)? check endpoint"
        }
    }
}
