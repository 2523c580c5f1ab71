"""The sandbox's AWS side for S3, KMS, STS and IAM: moto in server mode, plus a ready versioned bucket and KMS key.

The bucket and key are created through boto3 over HTTP, exactly as a user's account would have them, so
the publisher's preflight checks (versioning, key state) find a realistic setup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
BUCKET = "sagemaker-ack-sandbox"
KMS_ALIAS = "alias/sagemaker-ack-sandbox"
ROLE_NAME = "SageMakerExecutionRole"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/{ROLE_NAME}"
# moto accepts any credentials; these are placeholders, not secrets.
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox"}


@dataclass(frozen=True)
class AwsResources:
    bucket: str
    kms_key_arn: str
    kms_alias: str
    role_arn: str


class MotoServer:
    """moto's threaded server on a free 127.0.0.1 port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        from moto.server import ThreadedMotoServer

        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self.url = ""

    def start(self) -> None:
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"

    def stop(self) -> None:
        self._server.stop()


def _client(service: str, endpoint: str) -> Any:
    import boto3

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def bootstrap(endpoint: str) -> AwsResources:
    """Create the versioned bucket, the KMS key with its alias, and the SageMaker execution role."""
    s3 = _client("s3", endpoint)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(
        Bucket=BUCKET,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    kms = _client("kms", endpoint)
    key_arn = kms.create_key(Description="sagemaker-ack sandbox definitions")["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName=KMS_ALIAS, TargetKeyId=key_arn)
    s3.put_bucket_encryption(
        Bucket=BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}}
            ]
        },
    )
    iam = _client("iam", endpoint)
    iam.create_role(
        RoleName=ROLE_NAME,
        AssumeRolePolicyDocument=(
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
            '"Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
        ),
    )
    return AwsResources(bucket=BUCKET, kms_key_arn=key_arn, kms_alias=KMS_ALIAS, role_arn=ROLE_ARN)


def main(argv: list[str] | None = None) -> None:
    """Run moto with the bootstrapped resources until SIGTERM; write ``{"url", ...}`` to the ready file."""
    import argparse
    import json
    import os
    import signal
    import threading
    from dataclasses import asdict
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m jupyter_sagemaker_ack.sandbox.aws")
    parser.add_argument("--ready-file", type=Path, required=True)
    args = parser.parse_args(argv)
    done = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: done.set())
    server = MotoServer()
    server.start()
    try:
        resources = bootstrap(server.url)
        tmp = args.ready_file.with_name(args.ready_file.name + ".tmp")
        tmp.write_text(json.dumps({"url": server.url, "pid": os.getpid(), **asdict(resources)}))
        tmp.replace(args.ready_file)
        done.wait()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
