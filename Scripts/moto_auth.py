#!/usr/bin/env python3
"""Turn on SigV4 checking in a fresh moto_server and prove it is on.

Usage: moto_auth.py ENDPOINT        (e.g. http://127.0.0.1:15000)

moto accepts any signature until auth is reset. This creates an IAM user with
an access key and a policy allowing dynamodb:* and s3:* (through moto's own IAM
API, while auth is still off), then POSTs "0" to /moto-api/reset-auth, so every
later request must be signed with that key. It then checks that a wrong secret
gets 403 and the right key succeeds, for DynamoDB and for S3, and exits non-zero
if not. On success it prints "ACCESS_KEY_ID SECRET_ACCESS_KEY" on stdout.
"""

import json
import sys
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = "us-east-1"
USER = "plugboard-test"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["dynamodb:*", "s3:*"], "Resource": "*"}],
}
# One attempt: a 403 must not be retried, and a refused connection should fail fast.
CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, s3={"addressing_style": "path"})


def client(service, endpoint, key_id, secret):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=CONFIG,
    )


def create_key(endpoint):
    # Auth is still off: any credentials are accepted for these calls.
    iam = client("iam", endpoint, "bootstrap", "bootstrap")
    iam.create_user(UserName=USER)
    arn = iam.create_policy(PolicyName=USER + "-dynamodb-s3", PolicyDocument=json.dumps(POLICY))["Policy"]["Arn"]
    iam.attach_user_policy(UserName=USER, PolicyArn=arn)
    key = iam.create_access_key(UserName=USER)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def enable_auth(endpoint):
    # The body is the number of requests still allowed unsigned; the content
    # type must be text/plain or moto ignores the body.
    request = urllib.request.Request(
        endpoint + "/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.status != 200:
            raise SystemExit("moto_auth: reset-auth answered HTTP %d" % response.status)


def calls(endpoint, key_id, secret):
    dynamodb = client("dynamodb", endpoint, key_id, secret)
    s3 = client("s3", endpoint, key_id, secret)
    return [("dynamodb ListTables", dynamodb.list_tables), ("s3 ListBuckets", s3.list_buckets)]


def verify(endpoint, key_id, secret):
    failures = []
    for name, call in calls(endpoint, key_id, secret[:-1] + ("x" if secret[-1] != "x" else "y")):
        try:
            call()
            failures.append("%s with a wrong secret succeeded (auth is not on)" % name)
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status != 403:
                failures.append("%s with a wrong secret gave HTTP %s, expected 403" % (name, status))
    for name, call in calls(endpoint, key_id, secret):
        try:
            call()
        except ClientError as error:
            failures.append("%s with the right key failed: %s" % (name, error))
    return failures


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: moto_auth.py ENDPOINT")
    endpoint = sys.argv[1].rstrip("/")
    key_id, secret = create_key(endpoint)
    enable_auth(endpoint)
    failures = verify(endpoint, key_id, secret)
    if failures:
        raise SystemExit("moto_auth: SigV4 checking is not working:\n  " + "\n  ".join(failures))
    print(key_id, secret)


if __name__ == "__main__":
    main()
