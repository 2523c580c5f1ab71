"""`sagemaker-ack publish` under mistakes and faults: one error/fix pair, exit 2, and not a byte left in S3.

Faults are injected over HTTP: the CLI talks to moto through a small proxy that answers chosen requests
with the error AWS would send (S3 XML, KMS JSON, STS XML), by request, at the Nth matching request.
After every refused or failed publish, ListObjectVersions shows no object version and no hand-off record.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from jupyter_sagemaker_ack.core.errors import UserError
from jupyter_sagemaker_ack.services.publish import publish
from tests.fixtures.moto_server import BUCKET, AwsTestBed
from tests.integration.publish.helpers import PIPELINE, Captured, all_versions, definition_text

from .conftest import assert_user_error, cli

S3_XML = "<Error><Code>{code}</Code><Message>injected {code}</Message></Error>"
STS_XML = (
    "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>injected</Message></Error>"
    "</ErrorResponse>"
)
KMS_JSON = '{{"__type": "{code}", "message": "injected {code}"}}'
DEFINITION = f"/{BUCKET}/handoff/{PIPELINE}/definition.json"
RECORD = f"/{BUCKET}/handoff/{PIPELINE}/handoff-record.json"


@dataclass
class Fault:
    """Answer the ``nth`` request (1-based) whose description contains ``match`` (and every later one
    when ``persistent``) with ``status`` and an AWS error body; the others go to moto."""

    match: str
    status: int
    code: str
    body: str = S3_XML
    nth: int = 1
    persistent: bool = True
    seen: int = 0
    answered: int = 0

    def applies(self, described: str) -> bool:
        if self.match not in described:
            return False
        self.seen += 1
        hit = self.seen == self.nth or (self.persistent and self.seen > self.nth)
        self.answered += hit
        return hit


@dataclass
class FaultProxy:
    """An HTTP proxy in front of moto that injects :class:`Fault` answers."""

    upstream: str
    faults: list[Fault] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self
        target = urlsplit(self.upstream)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                return

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                described = (
                    f"{self.command} {self.path} {self.headers.get('X-Amz-Target', '')} "
                    f"{body[:120].decode('latin-1') if self.command == 'POST' else ''}"
                )
                with proxy._lock:
                    proxy.log.append(described)
                    fault = next((f for f in proxy.faults if f.applies(described)), None)
                if fault is not None:
                    answer = fault.body.format(code=fault.code).encode()
                    kind = "application/x-amz-json-1.1" if fault.body == KMS_JSON else "application/xml"
                    self.send_response(fault.status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer if self.command != "HEAD" else b"")
                    return
                conn = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "expect")}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                response = conn.getresponse()
                data = response.read()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in (
                        "transfer-encoding",
                        "connection",
                        "content-length",
                        "server",
                        "date",
                    ):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _relay

        return Handler


@pytest.fixture
def proxy(aws: AwsTestBed) -> Iterator[tuple[FaultProxy, str]]:
    faults = FaultProxy(aws.url)
    server = ThreadingHTTPServer(("127.0.0.1", 0), faults.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield faults, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _definition(tmp_path: Path, text: str | None = None) -> Path:
    path = tmp_path / f"{PIPELINE}.json"
    path.write_text(definition_text() if text is None else text)
    return path


def _nothing_in(aws: AwsTestBed, *buckets: str) -> None:
    s3 = aws.client("s3")
    for bucket in buckets or (aws.bucket,):
        assert all_versions(s3, bucket) == [], bucket


def _unversioned(aws: AwsTestBed) -> list[str]:
    aws.client("s3").create_bucket(Bucket="unversioned-bucket")
    return ["--bucket", "unversioned-bucket"]


def _disabled_key(aws: AwsTestBed) -> list[str]:
    aws.client("kms").disable_key(KeyId=aws.key_arn.split("/")[-1])
    return []


def _other_region(aws: AwsTestBed) -> list[str]:
    aws.client("s3", region="eu-west-1").create_bucket(
        Bucket="bucket-in-ireland", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    return ["--bucket", "bucket-in-ireland"]


def _key_of_other_region(aws: AwsTestBed) -> list[str]:
    key = aws.client("kms", region="eu-west-1").create_key()["KeyMetadata"]["Arn"]
    return ["--kms-key", key]


def _asymmetric_key(aws: AwsTestBed) -> list[str]:
    key = aws.client("kms").create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
    return ["--kms-key", key]


SETUPS: dict[str, Callable[[AwsTestBed], list[str]]] = {
    "bucket-without-versioning": _unversioned,
    "unknown-kms-key": lambda aws: ["--kms-key", "alias/nope"],
    "disabled-kms-key": _disabled_key,
    "bucket-in-another-region": _other_region,
    "kms-key-of-another-region": _key_of_other_region,
    "asymmetric-kms-key": _asymmetric_key,
    "missing-bucket": lambda aws: ["--bucket", "no-such-bucket-here"],
    "invalid-pipeline-name": lambda aws: ["--pipeline-name", "churn_pipeline.v2"],
}
MENTIONS = {
    "bucket-without-versioning": ("versioning is disabled", "--enable-versioning"),
    "unknown-kms-key": ("alias/nope", "does not exist"),
    "disabled-kms-key": ("disabled", "enable"),
    "bucket-in-another-region": ("eu-west-1", "AWS_REGION=eu-west-1"),
    "kms-key-of-another-region": ("eu-west-1", "region"),
    "asymmetric-kms-key": ("asymmetric", "symmetric"),
    "missing-bucket": ("no-such-bucket-here", "does not exist"),
    "invalid-pipeline-name": ("churn_pipeline.v2", "letters, digits and hyphens"),
}
BUCKETS = {
    "bucket-without-versioning": ("unversioned-bucket",),
    "bucket-in-another-region": ("bucket-in-ireland",),
}


@pytest.mark.parametrize("case", sorted(SETUPS))
def test_a_publish_refused_by_its_checks_writes_nothing(aws: AwsTestBed, tmp_path: Path, case: str) -> None:
    extra = SETUPS[case](aws)
    outcome = cli("publish", str(_definition(tmp_path)), *extra)
    assert_user_error(outcome, *MENTIONS[case])
    _nothing_in(aws, aws.bucket, *BUCKETS.get(case, ()))


FAULTS: dict[str, tuple[list[Fault], tuple[str, ...]]] = {
    "put-definition-internal-error": (
        [Fault(f"PUT {DEFINITION}", 500, "InternalError")],
        ("InternalError", "Nothing was published"),
    ),
    "put-record-access-denied": (
        [Fault("handoff-record.json", 403, "AccessDenied", nth=2)],  # 1: the GET of round 1
        ("Access denied", "handoff-record.json", "Nothing was published"),
    ),
    "put-definition-throttled": (
        [Fault(f"PUT {DEFINITION}", 503, "SlowDown")],
        ("throttling", "Nothing was published"),
    ),
    "put-record-and-undo-both-denied": (
        [
            Fault(f"PUT {RECORD}", 403, "AccessDenied"),
            Fault(f"DELETE {DEFINITION}", 403, "AccessDenied"),
        ],
        ("could not be removed", "referenced by no record"),
    ),
    "kms-key-not-usable-at-put": (
        [Fault(f"PUT {DEFINITION}", 400, "KMS.DisabledException")],
        ("KMS key is disabled", "Nothing was published"),
    ),
    "head-bucket-denied": (
        [Fault(f"HEAD /{BUCKET} ", 403, "AccessDenied")],
        ("Access denied", BUCKET),
    ),
    "describe-key-denied": (
        [Fault("TrentService.DescribeKey", 400, "AccessDeniedException", body=KMS_JSON)],
        ("Access denied", "kms"),
    ),
    "caller-identity-denied": (
        [Fault("Action=GetCallerIdentity", 403, "AccessDenied", body=STS_XML)],
        ("Access denied", "GetCallerIdentity"),
    ),
    "versioning-read-denied": (
        [Fault(f"GET /{BUCKET}?versioning", 403, "AccessDenied")],
        ("Access denied", "versioning"),
    ),
    "head-definition-denied": (
        [Fault(f"HEAD {DEFINITION}", 403, "AccessDenied")],
        ("Access denied", "definition.json"),
    ),
}


@pytest.mark.parametrize("case", sorted(FAULTS))
def test_a_publish_failing_over_http_leaves_no_version_and_no_record(
    aws: AwsTestBed, tmp_path: Path, proxy: tuple[FaultProxy, str], case: str
) -> None:
    faults, url = proxy
    injected, mentions = FAULTS[case]
    faults.faults.extend(injected)
    endpoints = {"AWS_ENDPOINT_URL_S3": url, "AWS_ENDPOINT_URL_KMS": url, "AWS_ENDPOINT_URL_STS": url}

    outcome = cli("publish", str(_definition(tmp_path)), env=endpoints)

    assert all(f.answered for f in injected), (faults.log, injected)
    assert_user_error(outcome, *mentions)
    if case == "put-record-and-undo-both-denied":  # the one version left is named, and no record exists
        [left] = all_versions(aws.client("s3"), aws.bucket)
        assert left["Key"].endswith("definition.json")
        assert left["VersionId"] in outcome.output
    else:
        _nothing_in(aws)


def test_a_brief_throttle_is_retried_and_publishes_once(
    aws: AwsTestBed, tmp_path: Path, proxy: tuple[FaultProxy, str]
) -> None:
    faults, url = proxy
    throttle = Fault(f"PUT /{BUCKET}/handoff", 503, "SlowDown", persistent=False)
    faults.faults.append(throttle)
    outcome = cli("publish", str(_definition(tmp_path)), env={"AWS_ENDPOINT_URL_S3": url})
    assert outcome.exit_code == 0, outcome.output
    assert throttle.answered == 1
    keys = sorted(v["Key"] for v in all_versions(aws.client("s3"), aws.bucket))
    assert keys == [f"handoff/{PIPELINE}/definition.json", f"handoff/{PIPELINE}/handoff-record.json"]


@pytest.mark.parametrize(
    ("case", "text", "mentions"),
    [
        ("not-json", "{ not json", ("json",)),
        ("empty-file", "", ("json",)),
        ("not-a-definition", "[1, 2, 3]", ("definition",)),
    ],
)
def test_a_definition_that_is_not_one_writes_nothing(
    aws: AwsTestBed, tmp_path: Path, case: str, text: str, mentions: tuple[str, ...]
) -> None:
    outcome = cli("publish", str(_definition(tmp_path, text)))
    assert_user_error(outcome, *mentions)
    _nothing_in(aws)


@pytest.mark.parametrize("case", ["missing-file", "a-directory"])
def test_a_definition_path_that_is_no_file_writes_nothing(aws: AwsTestBed, tmp_path: Path, case: str) -> None:
    path = tmp_path / "nothing-here.json"
    if case == "a-directory":
        path.mkdir()
    outcome = cli("publish", str(path))
    assert_user_error(outcome, "is not a file")
    _nothing_in(aws)


@pytest.mark.parametrize("missing", ["first", "second"])
def test_a_missing_code_file_stops_the_publish_before_any_request(
    aws: AwsTestBed, tmp_path: Path, missing: str
) -> None:
    """Code is only reachable through the Python API (a captured SDK pipeline); the CLI publishes JSON."""
    present = tmp_path / "present.py"
    present.write_text("print(1)\n")
    gone = tmp_path / "gone.py"
    files = {"first": [gone, present], "second": [present, gone]}[missing]
    artifacts = {f"s3://{aws.bucket}/{PIPELINE}/code/{i}/{p.name}": str(p) for i, p in enumerate(files)}
    with pytest.raises(UserError) as error:
        publish(Captured(text=definition_text(), artifacts=artifacts), aws.settings)
    assert "gone.py" in error.value.problem
    assert "cannot be read" in error.value.problem
    assert error.value.fix
    _nothing_in(aws)


def test_json_output_of_a_refused_publish_is_still_one_error(aws: AwsTestBed, tmp_path: Path) -> None:
    outcome = cli("publish", str(_definition(tmp_path)), "--json", "--kms-key", "alias/nope")
    assert_user_error(outcome, "alias/nope")
    assert not outcome.stdout.strip() or json.loads(outcome.stdout) is None
    _nothing_in(aws)
