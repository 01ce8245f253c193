#!/usr/bin/env python3
"""moto's server, with S3 signature checks that behave like S3's.

Usage: moto_server.py -H HOST -p PORT     (the arguments of `python -m moto.server`)

Stock moto (5.x), once SigV4 checking is on (Scripts/moto_auth.py), refuses
correct S3 requests in two cases, whatever the client (boto3 included):

1. It recomputes a header signature over werkzeug's re-quoted URL instead of
   the path as sent, so keys holding ! $ & ' ( ) * + , : ; = @ % or any
   non-ASCII character get SignatureDoesNotMatch. Fixed here: `request.url`
   keeps the raw request path, as S3 does (moto already reads keys from it).
2. A presigned URL (signature in the query, no Authorization header) makes it
   fail with HTTP 500 (KeyError HTTP_AUTHORIZATION). Fixed here: a WSGI layer
   checks the query signature as S3 does (SigV4, UNSIGNED-PAYLOAD, expiry at
   most 7 days) against the access key's secret in moto's IAM; a wrong or
   expired one gets S3's 403 error document, a good one is handed to moto as
   the same request signed in the header.
3. Concurrent requests on one object can fail with HTTP 500 (a PUT frees the
   object it replaces while another request still reads it: "I/O operation on
   closed file"). S3 replaces objects atomically; here S3 requests on one
   path take turns (different objects still run in parallel).

Everything else is moto as installed.
"""

import datetime
import hashlib
import hmac
import sys
import threading
from urllib.parse import quote, unquote

from werkzeug.wrappers.request import Request

import moto.server
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

_original_url = Request.url


def _raw_path(environ):
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not raw:
        return None
    path = raw.split("?", 1)[0]
    if "://" in path:  # absolute-form request line
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    return path or "/"


def _url(self):
    path = _raw_path(self.environ)
    if path is None:
        return _original_url.__get__(self, type(self))
    url = f"{self.scheme}://{self.host}{path}"
    if self.query_string:
        # As werkzeug quotes the query: unchanged for a well-encoded one.
        url += "?" + quote(self.query_string, safe="!$&'()*+,/:;=?@%")
    return url


Request.url = property(_url)


def _secret(access_key_id):
    from moto.iam.models import iam_backends

    for account in list(iam_backends.keys()):
        for partition in list(iam_backends[account].keys()):
            for user in iam_backends[account][partition].users.values():
                for key in user.access_keys:
                    if key.access_key_id == access_key_id:
                        return key.secret_access_key
    return None


def _hmac(key, text):
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


class Refused(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class PresignedURLs:
    """Checks SigV4 query signatures, then lets moto serve the request."""

    MAX_EXPIRES = 604800

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        query = environ.get("QUERY_STRING", "")
        if "X-Amz-Signature=" not in query or "HTTP_AUTHORIZATION" in environ:
            return self.app(environ, start_response)
        try:
            self._verify_and_sign_in_header(environ)
        except Refused as refused:
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>'
                % (refused.code, refused.message)
            ).encode("utf-8")
            start_response(
                "403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))]
            )
            return [body]
        return self.app(environ, start_response)

    def _verify_and_sign_in_header(self, environ):
        pairs = []
        for item in environ.get("QUERY_STRING", "").split("&"):
            if item:
                name, _, value = item.partition("=")
                pairs.append((unquote(name), unquote(value)))
        params = dict(pairs)
        for required in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                         "X-Amz-SignedHeaders", "X-Amz-Signature"):
            if required not in params:
                raise Refused("AuthorizationQueryParametersError", "Query-string authentication requires " + required)
        if params["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256":
            raise Refused("AuthorizationQueryParametersError", "X-Amz-Algorithm only supports AWS4-HMAC-SHA256")
        credential = params["X-Amz-Credential"].split("/")
        if len(credential) != 5 or credential[4] != "aws4_request":
            raise Refused("AuthorizationQueryParametersError", "malformed X-Amz-Credential")
        access_key_id, day, region, service, _ = credential
        secret = _secret(access_key_id)
        if secret is None:
            raise Refused("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
        try:
            signed_at = datetime.datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(
                tzinfo=datetime.timezone.utc)
            expires = int(params["X-Amz-Expires"])
        except ValueError:
            raise Refused("AuthorizationQueryParametersError", "malformed X-Amz-Date or X-Amz-Expires")
        if not 1 <= expires <= self.MAX_EXPIRES:
            raise Refused("AuthorizationQueryParametersError",
                          "X-Amz-Expires must be less than a week (in seconds) that is 604800")
        if datetime.datetime.now(datetime.timezone.utc) > signed_at + datetime.timedelta(seconds=expires):
            raise Refused("AccessDenied", "Request has expired")

        path = _raw_path(environ) or environ.get("PATH_INFO", "/")
        canonical_query = "&".join(
            sorted(
                "%s=%s" % (quote(k, safe="-_.~"), quote(v, safe="-_.~"))
                for k, v in pairs
                if k != "X-Amz-Signature"
            )
        )
        signed_headers = params["X-Amz-SignedHeaders"]
        canonical_headers = ""
        for name in signed_headers.split(";"):
            if name == "host":
                value = environ.get("HTTP_HOST", "")
            elif name in ("content-type", "content-length"):
                value = environ.get(name.upper().replace("-", "_"), "")
            else:
                value = environ.get("HTTP_" + name.upper().replace("-", "_"), "")
            canonical_headers += "%s:%s\n" % (name, " ".join(value.split()))
        canonical_request = "\n".join(
            [environ["REQUEST_METHOD"], path, canonical_query, canonical_headers, signed_headers, "UNSIGNED-PAYLOAD"]
        )
        scope = "/".join([day, region, service, "aws4_request"])
        string_to_sign = "\n".join(
            ["AWS4-HMAC-SHA256", params["X-Amz-Date"], scope,
             hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()]
        )
        key = _hmac(("AWS4" + secret).encode("utf-8"), day)
        for part in (region, service, "aws4_request"):
            key = _hmac(key, part)
        expected = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, params["X-Amz-Signature"]):
            raise Refused("SignatureDoesNotMatch",
                          "The request signature we calculated does not match the signature you provided. "
                          "Check your key and signing method.")

        # Good: the same request, minus the query signature, signed in the header for moto.
        from botocore.auth import S3SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        rest = "&".join(item for item in environ["QUERY_STRING"].split("&")
                        if item and not unquote(item.partition("=")[0]).startswith("X-Amz-"))
        environ["QUERY_STRING"] = rest
        raw = path + ("?" + rest if rest else "")
        environ["RAW_URI"] = raw
        environ["REQUEST_URI"] = raw
        request = AWSRequest(method=environ["REQUEST_METHOD"], url="http://%s%s" % (environ.get("HTTP_HOST", ""), raw),
                             headers={"Host": environ.get("HTTP_HOST", "")})
        S3SigV4Auth(Credentials(access_key_id, secret), service, region).add_auth(request)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Content-SHA256"):
            environ["HTTP_" + name.upper().replace("-", "_")] = request.headers[name]


_original_dispatcher_call = DomainDispatcherApplication.__call__
_path_locks = {}
_path_locks_guard = threading.Lock()


_dynamodb_lock = threading.Lock()


def _one_at_a_time_per_object(app):
    def call(environ, start_response):
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if "/dynamodb/aws4_request" in auth:
            # moto's DynamoDB backend checks a ConditionExpression and writes without a lock, so two
            # conditional writes to one item could both pass; a real table is linearizable per item.
            with _dynamodb_lock:
                return list(app(environ, start_response))
        if "/s3/aws4_request" not in auth:
            return app(environ, start_response)
        path = _raw_path(environ) or environ.get("PATH_INFO", "/")
        with _path_locks_guard:
            lock = _path_locks.setdefault(path, threading.Lock())
        with lock:
            # moto answers with the whole body built, so the object is not read after this.
            return list(app(environ, start_response))

    return call


def _dispatcher_call(self, environ, start_response):
    moto_app = _one_at_a_time_per_object(lambda e, s: _original_dispatcher_call(self, e, s))
    return PresignedURLs(moto_app)(environ, start_response)


DomainDispatcherApplication.__call__ = _dispatcher_call

if __name__ == "__main__":
    moto.server.main(sys.argv[1:])
