"""Publish against moto: wall time of a first publish vs a plain put_object of the same bytes (<= 1.5x,
preflight excluded), and the S3 requests an unchanged republish makes (<= 2).

Both sides run interleaved in this process, each with a warm client, against the same moto server in its
own process (so the server's work does not compete with the client's for this interpreter's GIL).
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from _common import finish, report

from jupyter_sagemaker_ack.adapters import s3_store
from jupyter_sagemaker_ack.adapters.aws_session import AwsClients
from jupyter_sagemaker_ack.config import resolve_settings
from jupyter_sagemaker_ack.examples.synthetic import chain_definition
from jupyter_sagemaker_ack.services.publish import publish

REGION = "us-east-1"
BUCKET = "sagemaker-ack-bench"
REPEAT = 25


@dataclass
class Captured:
    text: str
    pipeline_name: str
    artifacts: dict[str, str] = field(default_factory=dict)
    sdk_version: str | None = None


def _median(fn: Callable[[], Any], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _start_moto() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=1):
                return server, url
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("moto server did not start") from None
            time.sleep(0.1)


def main() -> None:
    server, url = _start_moto()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION=REGION,
        AWS_ENDPOINT_URL_S3=url,
        AWS_ENDPOINT_URL_KMS=url,
        AWS_ENDPOINT_URL_STS=url,
    )
    results = []
    try:
        plain = boto3.client("s3", endpoint_url=url, region_name=REGION)
        plain.create_bucket(Bucket=BUCKET)
        plain.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        key = boto3.client("kms", endpoint_url=url, region_name=REGION).create_key()["KeyMetadata"]["Arn"]
        settings = resolve_settings({"bucket": BUCKET, "kms_key": key, "prefix": "bench"})
        clients = AwsClients.from_settings(settings)
        checked = s3_store.preflight(clients, BUCKET, key, enable_versioning=False)  # excluded from timing

        for steps in (3, 50, 400):
            text = json.dumps(chain_definition(steps), indent=1)
            body = text.encode()
            counter = iter(range(10**6))

            def first_publish(text: str = text, counter: Any = counter) -> None:
                name = f"bench-{len(text)}-{next(counter)}"
                publish(Captured(text, name), settings, clients=clients, preflight=checked)

            def plain_put(body: bytes = body) -> None:
                plain.put_object(Bucket=BUCKET, Key="bench/plain.json", Body=body)

            first_publish()
            plain_put()  # warm both paths
            ours = plain_s = 0.0
            for _ in range(3):  # interleave to share any drift of the machine
                ours += _median(first_publish, REPEAT)
                plain_s += _median(plain_put, REPEAT)
            ratio = ours / plain_s
            print(
                f"      {steps} steps, {len(body):,} bytes: first publish {ours / 3 * 1000:.2f} ms, "
                f"plain put_object {plain_s / 3 * 1000:.2f} ms"
            )
            results.append(report(f"first publish / plain put_object ({len(body):,} bytes)", ratio, 1.5, "x"))

        calls: list[str] = []
        clients.s3.meta.events.register(
            "before-send.s3",
            lambda request, **_: calls.append(f"{request.method} {request.url.split('/')[-1]}"),
        )
        captured = Captured(json.dumps(chain_definition(50)), "bench-republish")
        publish(captured, settings, clients=clients, preflight=checked)
        print(f"      a first publish makes {len(calls)} S3 requests: {', '.join(calls)}")
        print(
            "      (HEAD current -> PUT definition -> PUT record beside HEAD confirm: 3 round trips in a row)"
        )
        calls.clear()
        again = publish(captured, settings, clients=clients, preflight=checked)
        assert again.unchanged
        results.append(report("S3 requests of an unchanged republish", len(calls), 2, "requests"))
    finally:
        server.terminate()
        server.wait(timeout=10)
    finish(results)


if __name__ == "__main__":
    main()
