"""How many round trips a publish waits for, request by request, against moto over HTTP.

Each request is held 0.2 s before it is sent (a slow network), so requests that run side by side overlap
and requests that wait for one another do not; the rounds are read from those timings. A user feels them
as the publish's latency on a real network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from jupyter_sagemaker_ack.adapters import s3_store
from jupyter_sagemaker_ack.adapters.aws_session import AwsClients
from jupyter_sagemaker_ack.core.errors import UserError
from jupyter_sagemaker_ack.services.publish import publish
from tests.fixtures.moto_server import AwsTestBed

from .helpers import PIPELINE, Captured, RequestLog, _Raw, all_versions, definition_text

LATENCY = 0.2
CHECKS = {
    "HeadBucket",
    "DescribeKey",
    "GetBucketVersioning",
    "GetCallerIdentity",
    "GetBucketEncryption",
    "GetPublicAccessBlock",
}


def _captured(aws: AwsTestBed, tmp_path: Path, **kwargs: object) -> Captured:
    script = tmp_path / "preprocess.py"
    script.write_text("print('preprocess')\n")
    uri = f"s3://{aws.bucket}/{PIPELINE}/code/abc123/preprocess.py"
    return Captured(text=definition_text(**kwargs), artifacts={uri: str(script)})


def _logged_clients(aws: AwsTestBed) -> tuple[AwsClients, RequestLog]:
    clients = AwsClients.from_settings(aws.settings)
    log = RequestLog(latency=LATENCY).attach(clients.s3, clients.kms, clients.sts)
    return clients, log


def _labels(log: RequestLog) -> list[list[str]]:
    return [[r.label for r in group] for group in log.rounds()]


def test_first_publish_checks_and_reads_in_one_round_then_writes_in_two(
    aws: AwsTestBed, tmp_path: Path
) -> None:
    clients, log = _logged_clients(aws)
    publication = publish(_captured(aws, tmp_path), aws.settings, clients=clients)

    checks, writes, record = _labels(log)
    assert set(checks) == CHECKS | {"HeadObject definition.json", "GetObject handoff-record.json"}, checks
    assert writes == ["PutObject definition.json", "PutObject preprocess.py"], log.describe()
    assert record == ["PutObject handoff-record.json"], log.describe()
    assert not publication.unchanged
    assert len(all_versions(aws.client("s3"), aws.bucket)) == 3


def test_first_publish_with_a_reused_preflight_reads_then_writes(aws: AwsTestBed) -> None:
    clients, log = _logged_clients(aws)
    checked = s3_store.preflight(clients, aws.bucket, aws.key_alias, enable_versioning=False)
    assert [set(labels) for labels in _labels(log)] == [CHECKS]  # the checks themselves: one round trip
    log.clear()

    publish(Captured(text=definition_text()), aws.settings, clients=clients, preflight=checked)

    assert _labels(log) == [
        ["GetObject handoff-record.json", "HeadObject definition.json"],
        ["PutObject definition.json"],  # S3's answer carries VersionId, key and checksum: no read-back
        ["PutObject handoff-record.json"],
    ], log.describe()


def test_unchanged_republish_is_one_round_trip_that_writes_nothing(aws: AwsTestBed, tmp_path: Path) -> None:
    first = publish(_captured(aws, tmp_path), aws.settings)
    before = all_versions(aws.client("s3"), aws.bucket)
    clients, log = _logged_clients(aws)

    again = publish(_captured(aws, tmp_path), aws.settings, clients=clients)

    [only] = _labels(log)
    assert set(only) == CHECKS | {"HeadObject definition.json", "GetObject handoff-record.json"}, only
    assert again.unchanged
    assert again.version_id == first.version_id
    assert all_versions(aws.client("s3"), aws.bucket) == before


def test_changed_definition_reuses_its_code_in_the_same_round_as_the_definition(
    aws: AwsTestBed, tmp_path: Path
) -> None:
    first = publish(_captured(aws, tmp_path), aws.settings)
    clients, log = _logged_clients(aws)

    second = publish(_captured(aws, tmp_path, threshold=0.9), aws.settings, clients=clients)

    assert _labels(log)[1:] == [
        ["HeadObject preprocess.py", "PutObject definition.json"],  # the recorded code version still holds it
        ["PutObject handoff-record.json"],
    ], log.describe()
    assert second.artifacts[0].version_id == first.artifacts[0].version_id
    assert second.version_id != first.version_id


@pytest.mark.parametrize("holds_same_bytes", [True, False])
def test_code_already_at_its_key_but_not_recorded_is_checked_before_it_is_reused(
    aws: AwsTestBed, tmp_path: Path, holds_same_bytes: bool
) -> None:
    captured = _captured(aws, tmp_path)
    code_key = f"{PIPELINE}/code/abc123/preprocess.py"
    body = b"print('preprocess')\n" if holds_same_bytes else b"print('someone else')\n"
    s3 = aws.client("s3")
    existing = s3.put_object(
        Bucket=aws.bucket,
        Key=code_key,
        Body=body,
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=aws.key_arn,
        ChecksumAlgorithm="SHA256",
    )["VersionId"]

    publication = publish(captured, aws.settings)

    [artifact] = publication.artifacts
    assert (artifact.version_id == existing) is holds_same_bytes
    stored = s3.get_object(Bucket=aws.bucket, Key=code_key, VersionId=artifact.version_id)["Body"].read()
    assert stored == b"print('preprocess')\n"


def test_checks_side_by_side_keep_their_order_of_verdicts(aws: AwsTestBed) -> None:
    """A missing bucket and an unknown key at once: the bucket is named, as when checks ran in turn."""
    settings = aws.settings.with_values(bucket="no-such-bucket-here", kms_key="alias/nope")
    with pytest.raises(UserError, match="Bucket 'no-such-bucket-here' does not exist"):
        publish(Captured(text=definition_text()), settings)


def _sts_denied(request: Any, **_: Any) -> AWSResponse:
    body = (
        b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
        b"<Message>injected</Message></Error></ErrorResponse>"
    )
    return AWSResponse(request.url, 403, {"Content-Type": "text/xml"}, _Raw(body))


def test_enable_versioning_waits_for_every_other_check(aws: AwsTestBed) -> None:
    """Enabling versioning is a write: when another check fails, the bucket is left as it was."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="unversioned-bucket")
    settings = aws.settings.with_values(bucket="unversioned-bucket")
    clients = AwsClients.from_settings(settings, max_attempts=1)
    clients.sts.meta.events.register("before-send.sts.GetCallerIdentity", _sts_denied)
    with pytest.raises(UserError, match="Access denied: could not identify the caller"):
        publish(Captured(text=definition_text()), settings, enable_versioning=True, clients=clients)
    assert "Status" not in s3.get_bucket_versioning(Bucket="unversioned-bucket")
    assert all_versions(s3, "unversioned-bucket") == []
