"""Publish against moto: the round trips a publish waits for, and its time beside a bare put_object.

1. Round trips, request by request. Every request is held ``RTT`` seconds before it is sent (a network round
   trip; the client sleeps, so side-by-side requests overlap and dependent ones do not, whatever the load),
   and the requests are grouped into the rounds they waited for (botocore ``before-send`` and
   ``response-received`` hooks on the project's own clients). Targets: a first publish writes in at most 2
   round trips after its checks (the checks and the reads of what is published now share round 1), and an
   unchanged republish is 1 round trip in all, writing nothing.
2. Time (the fastest of the repeats), as ratios to a bare ``put_object`` of the same bytes measured in the
   same run, interleaved:
   at the held round trip (what a user on a network feels; targets: a first publish <= 4x, three round
   trips and the client's work; an unchanged republish <= 2x, one round trip of 8 requests side by side)
   and on loopback (the client's own work, reported).

Both sides run in this process, each with a warm client, against a moto server in its own process.

    python benchmarks/bench_publish.py          # BENCH_SMOKE=1: one size, few repeats
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from _common import SMOKE, finish, report, sized

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jupyter_sagemaker_ack.adapters import s3_store  # noqa: E402
from jupyter_sagemaker_ack.adapters.aws_session import AwsClients  # noqa: E402
from jupyter_sagemaker_ack.config import resolve_settings  # noqa: E402
from jupyter_sagemaker_ack.examples.synthetic import chain_definition  # noqa: E402
from jupyter_sagemaker_ack.services.publish import publish  # noqa: E402
from tests.integration.publish.helpers import RequestLog  # noqa: E402

REGION = "us-east-1"
BUCKET = "sagemaker-ack-bench"
RTT = 0.05


@dataclass
class Captured:
    text: str
    pipeline_name: str
    artifacts: dict[str, str] = field(default_factory=dict)
    sdk_version: str | None = None


def _fastest(fn: Callable[[], Any], repeat: int) -> float:
    """The fastest of ``repeat`` runs: other work on the machine only ever adds time."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return min(samples)


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


class Bench:
    def __init__(self, url: str, settings: Any, code: Path) -> None:
        self.settings = settings
        self.code = code
        self.clients = AwsClients.from_settings(settings)
        self.log = RequestLog().attach(self.clients.s3, self.clients.kms, self.clients.sts)
        self.plain = boto3.client("s3", endpoint_url=url, region_name=REGION)
        self.plain_log = RequestLog().attach(self.plain)
        self.count = 0

    def held(self, seconds: float) -> None:
        self.log.latency = self.plain_log.latency = seconds

    def captured(self, text: str, name: str) -> Captured:
        uri = f"s3://{BUCKET}/{name}/code/{self.count}/preprocess.py"
        return Captured(text, name, artifacts={uri: str(self.code)})

    def first_publish(self, text: str) -> None:
        self.count += 1
        publish(self.captured(text, f"bench-{self.count}"), self.settings, clients=self.clients)

    def plain_put(self, body: bytes) -> None:
        self.plain.put_object(Bucket=BUCKET, Key="bench/plain.json", Body=body)


def round_trips(bench: Bench, text: str) -> list[bool]:
    bench.held(RTT)
    name = "bench-round-trips"
    captured = bench.captured(text, name)
    bench.log.clear()
    publish(captured, bench.settings, clients=bench.clients)
    first = bench.log.rounds()
    print(f"      first publish, {sum(len(r) for r in first)} requests: {bench.log.describe()}")
    bench.log.clear()
    again = publish(captured, bench.settings, clients=bench.clients)
    unchanged = bench.log.rounds()
    print(f"      unchanged republish, {sum(len(r) for r in unchanged)} requests: {bench.log.describe()}")
    checks_write = any(r.label.startswith("PutObject") for r in first[0])
    unchanged_writes = sum(r.label.startswith("PutObject") for group in unchanged for r in group)
    bench.held(0.0)
    return [
        report("round 1 of a first publish holds only checks and reads", float(checks_write), 0, "writes"),
        report("round trips of a first publish after its checks", len(first) - 1, 2, "round trips"),
        report("round trips of an unchanged republish", len(unchanged), 1, "round trips"),
        report("writes of an unchanged republish", unchanged_writes + (not again.unchanged), 0, "writes"),
    ]


def timing(bench: Bench, text: str, repeat: int, rounds: int) -> list[bool]:
    body = text.encode()
    republished = bench.captured(text, "bench-republish")
    publish(republished, bench.settings, clients=bench.clients)
    results = []
    for held, first_target, again_target in ((RTT, 4.0, 2.0), (0.0, None, None)):
        bench.held(held)
        bench.first_publish(text)
        bench.plain_put(body)  # warm every path
        ours = again = plain = 0.0
        for _ in range(rounds):  # interleaved, so any drift of the machine is shared
            ours += _fastest(lambda: bench.first_publish(text), repeat)
            again += _fastest(lambda: publish(republished, bench.settings, clients=bench.clients), repeat)
            plain += _fastest(lambda: bench.plain_put(body), repeat)
        where = f"{held * 1000:g} ms round trip" if held else "loopback"
        print(
            f"      {len(body):,} bytes, {where}: first publish {ours / rounds * 1000:.1f} ms, unchanged "
            f"republish {again / rounds * 1000:.1f} ms, bare put_object {plain / rounds * 1000:.1f} ms"
        )
        label = f"({len(body):,} bytes, {where})"
        if first_target is None or again_target is None:
            print(f"      ratios {label}: first {ours / plain:.2f}x, unchanged {again / plain:.2f}x")
            continue
        results.append(report(f"first publish / bare put_object {label}", ours / plain, first_target, "x"))
        results.append(
            report(f"unchanged republish / bare put_object {label}", again / plain, again_target, "x")
        )
    bench.held(0.0)
    return results


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
    results: list[bool] = []
    try:
        plain = boto3.client("s3", endpoint_url=url, region_name=REGION)
        plain.create_bucket(Bucket=BUCKET)
        plain.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        key = boto3.client("kms", endpoint_url=url, region_name=REGION).create_key()["KeyMetadata"]["Arn"]
        settings = resolve_settings({"bucket": BUCKET, "kms_key": key, "prefix": "bench"})
        with tempfile.TemporaryDirectory() as tmp:
            code = Path(tmp) / "preprocess.py"
            code.write_text("print('preprocess')\n")
            bench = Bench(url, settings, code)
            s3_store.preflight(bench.clients, BUCKET, key, enable_versioning=False)  # warm the clients
            print("    requests in round trips (each held %g ms):" % (RTT * 1000))
            results += round_trips(bench, json.dumps(chain_definition(50), indent=1))
            for steps in (3,) if SMOKE else (3, 50, 400):
                text = json.dumps(chain_definition(steps), indent=1)
                results += timing(bench, text, repeat=sized(9, 3), rounds=sized(3, 1))
    finally:
        server.terminate()
        server.wait(timeout=10)
    finish(results)


if __name__ == "__main__":
    main()
