"""Publishing to moto over HTTP: what lands in S3, idempotence, preflight errors, all-or-nothing failures."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from jupyter_sagemaker_ack.adapters.aws_session import AwsClients
from jupyter_sagemaker_ack.core.definition import digest
from jupyter_sagemaker_ack.core.errors import UserError
from jupyter_sagemaker_ack.services.publish import publish
from tests.fixtures.moto_server import ACCESS_KEY_ID, SECRET_ACCESS_KEY, AwsTestBed

from .helpers import PIPELINE, Captured, CountRequests, FailRequests, all_versions, definition_text

DEF_KEY = f"handoff/{PIPELINE}/definition.json"
RECORD_KEY = f"handoff/{PIPELINE}/handoff-record.json"


def _captured_with_code(aws: AwsTestBed, tmp_path: Path, **kwargs: object) -> Captured:
    script = tmp_path / "preprocess.py"
    script.write_text("print('preprocess')\n")
    uri = f"s3://{aws.bucket}/{PIPELINE}/code/abc123/preprocess.py"
    return Captured(text=definition_text(**kwargs), artifacts={uri: str(script)})


def _record(aws: AwsTestBed) -> dict:
    body = aws.client("s3").get_object(Bucket=aws.bucket, Key=RECORD_KEY)["Body"].read()
    return json.loads(body)


def test_first_publish_stores_exact_bytes_encrypted_with_the_key_arn(aws: AwsTestBed, tmp_path: Path) -> None:
    captured = _captured_with_code(aws, tmp_path)
    publication = publish(captured, aws.settings, source_notebook="churn.ipynb", git_commit="0123abc")

    s3 = aws.client("s3")
    head = s3.head_object(
        Bucket=aws.bucket, Key=DEF_KEY, VersionId=publication.version_id, ChecksumMode="ENABLED"
    )
    body = s3.get_object(Bucket=aws.bucket, Key=DEF_KEY, VersionId=publication.version_id)["Body"].read()
    assert body == captured.text.encode()  # the SDK's bytes, not a re-serialisation
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == aws.key_arn  # the alias was resolved, not echoed
    assert publication.kms_key_arn == aws.key_arn
    assert head["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert head["Metadata"]["sagemaker-ack-definition-digest"] == digest(captured.text)
    assert head["Metadata"]["sagemaker-ack-pipeline-name"] == PIPELINE
    assert head["Metadata"]["sagemaker-ack-sdk-version"] == "2.257.0"
    assert not publication.unchanged

    record = _record(aws)
    assert record["definition"]["versionId"] == publication.version_id
    assert record["definition"]["digest"] == publication.digest == digest(captured.text)
    assert record["kmsKeyArn"] == aws.key_arn
    assert record["publishedBy"] == publication.published_by
    assert publication.published_by.startswith("arn:aws:")
    assert record["sourceNotebook"] == "churn.ipynb"
    assert record["gitCommit"] == "0123abc"
    assert record["versioning"] == "Enabled"
    [artifact] = record["artifacts"]
    code = s3.head_object(
        Bucket=aws.bucket, Key=f"{PIPELINE}/code/abc123/preprocess.py", ChecksumMode="ENABLED"
    )
    assert artifact["versionId"] == code["VersionId"]
    assert code["SSEKMSKeyId"] == aws.key_arn
    record_head = s3.head_object(Bucket=aws.bucket, Key=RECORD_KEY)
    assert record_head["SSEKMSKeyId"] == aws.key_arn
    assert record_head["VersionId"] == publication.record_version_id


def test_provenance_pins_uri_version_digest_key_and_publisher(aws: AwsTestBed) -> None:
    publication = publish(Captured(text=definition_text()), aws.settings)
    annotations = publication.provenance().annotations()
    assert annotations["sagemaker-ack.io/definition-uri"] == f"s3://{aws.bucket}/{DEF_KEY}"
    assert annotations["sagemaker-ack.io/definition-version-id"] == publication.version_id
    assert annotations["sagemaker-ack.io/definition-digest"] == publication.digest
    assert annotations["sagemaker-ack.io/kms-key-arn"] == aws.key_arn
    assert annotations["sagemaker-ack.io/published-by"] == publication.published_by
    assert annotations["sagemaker-ack.io/published-at"] == publication.published_at


def test_unchanged_republish_writes_nothing_in_two_requests(aws: AwsTestBed, tmp_path: Path) -> None:
    captured = _captured_with_code(aws, tmp_path)
    first = publish(captured, aws.settings)
    clients = AwsClients.from_settings(aws.settings)
    counter = CountRequests()
    clients.s3.meta.events.register("before-send.s3", counter)
    from jupyter_sagemaker_ack.adapters import s3_store

    checked = s3_store.preflight(clients, aws.bucket, aws.key_alias, enable_versioning=False)
    counter.calls.clear()

    again = publish(captured, aws.settings, clients=clients, preflight=checked)

    assert again.unchanged
    assert again.version_id == first.version_id
    assert again.record_version_id == first.record_version_id
    assert [a.version_id for a in again.artifacts] == [a.version_id for a in first.artifacts]
    assert len(counter.calls) <= 2, counter.calls
    assert len(all_versions(aws.client("s3"), aws.bucket)) == 3  # definition, record, code: one each


def test_changed_definition_gets_a_new_version_and_reuses_unchanged_code(
    aws: AwsTestBed, tmp_path: Path
) -> None:
    first = publish(_captured_with_code(aws, tmp_path), aws.settings)
    second = publish(_captured_with_code(aws, tmp_path, instance_type="ml.c5.2xlarge"), aws.settings)
    assert not second.unchanged
    assert second.version_id != first.version_id
    assert second.digest != first.digest
    assert second.artifacts[0].version_id == first.artifacts[0].version_id
    keys = [v["Key"] for v in all_versions(aws.client("s3"), aws.bucket)]
    assert keys.count(DEF_KEY) == 2
    assert keys.count(RECORD_KEY) == 2
    assert keys.count(f"{PIPELINE}/code/abc123/preprocess.py") == 1
    assert _record(aws)["definition"]["versionId"] == second.version_id


def test_versioning_off_is_refused_with_the_fix(aws: AwsTestBed) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="unversioned-bucket")
    settings = aws.settings.with_values(bucket="unversioned-bucket")
    with pytest.raises(UserError) as error:
        publish(Captured(text=definition_text()), settings)
    assert "Versioning is disabled on bucket 'unversioned-bucket'" in error.value.problem
    assert "--enable-versioning" in error.value.fix
    assert all_versions(s3, "unversioned-bucket") == []


def test_enable_versioning_turns_it_on_and_publishes(aws: AwsTestBed) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="unversioned-bucket")
    settings = aws.settings.with_values(bucket="unversioned-bucket")
    publication = publish(Captured(text=definition_text()), settings, enable_versioning=True)
    assert s3.get_bucket_versioning(Bucket="unversioned-bucket")["Status"] == "Enabled"
    assert publication.preflight is not None
    assert publication.preflight.versioning_enabled_now
    assert publication.version_id not in ("", "null")


def test_disabled_kms_key_is_a_clear_error(aws: AwsTestBed) -> None:
    aws.client("kms").disable_key(KeyId=aws.key_arn.split("/")[-1])
    with pytest.raises(UserError) as error:
        publish(Captured(text=definition_text()), aws.settings)
    assert "is Disabled" in error.value.problem
    assert aws.key_arn in error.value.problem
    assert all_versions(aws.client("s3"), aws.bucket) == []


def test_unknown_kms_key_is_a_clear_error(aws: AwsTestBed) -> None:
    with pytest.raises(UserError, match="alias/nope' does not exist"):
        publish(Captured(text=definition_text()), aws.settings.with_values(kms_key="alias/nope"))


def test_missing_bucket_is_a_clear_error(aws: AwsTestBed) -> None:
    with pytest.raises(UserError, match="Bucket 'no-such-bucket-here' does not exist"):
        publish(Captured(text=definition_text()), aws.settings.with_values(bucket="no-such-bucket-here"))


def test_bucket_in_another_region_is_a_clear_error(aws: AwsTestBed) -> None:
    aws.client("s3", region="eu-west-1").create_bucket(
        Bucket="bucket-in-ireland", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    with pytest.raises(UserError) as error:
        publish(Captured(text=definition_text()), aws.settings.with_values(bucket="bucket-in-ireland"))
    assert "is in region eu-west-1, but the configured region is us-east-1" in error.value.problem
    assert "AWS_REGION=eu-west-1" in error.value.fix


def test_access_denied_by_bucket_policy_is_clear_and_leaves_nothing(aws: AwsTestBed, tmp_path: Path) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{aws.bucket}/handoff/*",
            }
        ],
    }
    aws.client("s3").put_bucket_policy(Bucket=aws.bucket, Policy=json.dumps(policy))
    with pytest.raises(UserError) as error:
        publish(_captured_with_code(aws, tmp_path), aws.settings)
    assert "Access denied" in error.value.problem
    assert f"s3://{aws.bucket}/{DEF_KEY}" in error.value.problem
    assert "Nothing was published" in error.value.problem
    assert all_versions(aws.client("s3"), aws.bucket) == []  # the code uploaded first was taken back


def _failing_clients(aws: AwsTestBed, hook: FailRequests, max_attempts: int = 2) -> AwsClients:
    clients = AwsClients.from_settings(aws.settings, max_attempts=max_attempts)
    clients.s3.meta.events.register("before-send.s3.PutObject", hook)
    return clients


def test_failed_code_upload_leaves_nothing_half_published(aws: AwsTestBed, tmp_path: Path) -> None:
    first = publish(_captured_with_code(aws, tmp_path), aws.settings)
    before = all_versions(aws.client("s3"), aws.bucket)
    changed = _captured_with_code(aws, tmp_path, instance_type="ml.p3.2xlarge")
    changed.artifacts[f"s3://{aws.bucket}/{PIPELINE}/code/def456/train.py"] = str(tmp_path / "preprocess.py")
    hook = FailRequests(key="code/def456/train.py", status=500, code="InternalError")
    with pytest.raises(UserError, match=r"Publishing failed.*Nothing was published"):
        publish(changed, aws.settings, clients=_failing_clients(aws, hook))
    assert hook.failed == 2  # botocore retried the 5xx once (2 attempts in all) before giving up
    assert all_versions(aws.client("s3"), aws.bucket) == before
    assert _record(aws)["definition"]["versionId"] == first.version_id


def test_failed_record_upload_takes_back_the_definition_version(aws: AwsTestBed, tmp_path: Path) -> None:
    first = publish(_captured_with_code(aws, tmp_path), aws.settings)
    before = all_versions(aws.client("s3"), aws.bucket)
    hook = FailRequests(key="handoff-record.json", status=403, code="AccessDenied")
    with pytest.raises(UserError) as error:
        publish(
            _captured_with_code(aws, tmp_path, threshold=0.9),
            aws.settings,
            clients=_failing_clients(aws, hook),
        )
    assert "Access denied" in error.value.problem
    assert "handoff-record.json" in error.value.problem
    s3 = aws.client("s3")
    assert all_versions(s3, aws.bucket) == before
    current = s3.head_object(Bucket=aws.bucket, Key=DEF_KEY)
    assert current["VersionId"] == first.version_id  # the record still points at what is current
    assert _record(aws)["definition"]["versionId"] == first.version_id


def test_brief_throttling_is_retried_and_the_publish_succeeds(aws: AwsTestBed) -> None:
    hook = FailRequests(key="definition.json", status=503, code="SlowDown", times=1)
    publication = publish(Captured(text=definition_text()), aws.settings, clients=_failing_clients(aws, hook))
    assert hook.failed == 1
    assert not publication.unchanged
    assert aws.client("s3").head_object(Bucket=aws.bucket, Key=DEF_KEY)["VersionId"] == publication.version_id


def test_persistent_throttling_fails_cleanly(aws: AwsTestBed, tmp_path: Path) -> None:
    hook = FailRequests(key="definition.json", status=503, code="SlowDown")
    with pytest.raises(UserError) as error:
        publish(_captured_with_code(aws, tmp_path), aws.settings, clients=_failing_clients(aws, hook))
    assert "throttling" in error.value.problem
    assert "Nothing was published" in error.value.problem
    assert all_versions(aws.client("s3"), aws.bucket) == []


def test_credentials_never_reach_s3(aws: AwsTestBed, tmp_path: Path) -> None:
    publish(_captured_with_code(aws, tmp_path), aws.settings, source_notebook="n.ipynb")
    s3 = aws.client("s3")
    for version in all_versions(s3, aws.bucket):
        obj = s3.get_object(Bucket=aws.bucket, Key=version["Key"], VersionId=version["VersionId"])
        seen = obj["Body"].read().decode() + json.dumps(obj["Metadata"])
        assert ACCESS_KEY_ID not in seen
        assert SECRET_ACCESS_KEY not in seen


def test_code_outside_the_publish_bucket_is_refused_before_writing(aws: AwsTestBed, tmp_path: Path) -> None:
    captured = Captured(
        text=definition_text(),
        artifacts={"s3://sagemaker-ack-placeholder/p/code/x.py": str(tmp_path / "x.py")},
    )
    with pytest.raises(UserError, match="outside the publish bucket"):
        publish(captured, aws.settings)
    assert all_versions(aws.client("s3"), aws.bucket) == []


def test_changed_code_at_a_fixed_uri_is_published_again(aws: AwsTestBed, tmp_path: Path) -> None:
    first = publish(_captured_with_code(aws, tmp_path), aws.settings)
    changed = _captured_with_code(aws, tmp_path)
    (tmp_path / "preprocess.py").write_text("print('preprocess, now faster')\n")
    second = publish(changed, aws.settings)
    assert not second.unchanged
    assert second.version_id == first.version_id  # the definition itself did not change
    assert second.artifacts[0].version_id != first.artifacts[0].version_id
    body = aws.client("s3").get_object(Bucket=aws.bucket, Key=f"{PIPELINE}/code/abc123/preprocess.py")["Body"]
    assert body.read() == b"print('preprocess, now faster')\n"
    assert _record(aws)["artifacts"][0]["versionId"] == second.artifacts[0].version_id
    assert publish(changed, aws.settings).unchanged


def test_definition_captured_with_the_placeholder_bucket_is_refused(aws: AwsTestBed) -> None:
    placeholder = "sagemaker-ack-placeholder-bucket"
    text = definition_text().replace("s3://data/input", f"s3://{placeholder}/churn/input")
    captured = Captured(text=text, placeholder_bucket=placeholder)
    with pytest.raises(UserError, match="placeholder bucket 'sagemaker-ack-placeholder-bucket'"):
        publish(captured, aws.settings)
    assert all_versions(aws.client("s3"), aws.bucket) == []


def test_inline_code_is_uploaded_like_files(aws: AwsTestBed) -> None:
    uri = f"s3://{aws.bucket}/{PIPELINE}/code/inline/requirements.txt"
    publication = publish(
        Captured(text=definition_text(), inline_artifacts={uri: "scikit-learn==1.5\n"}), aws.settings
    )
    [artifact] = publication.artifacts
    obj = aws.client("s3").get_object(
        Bucket=aws.bucket, Key=f"{PIPELINE}/code/inline/requirements.txt", VersionId=artifact.version_id
    )
    assert obj["Body"].read() == b"scikit-learn==1.5\n"
    assert obj["SSEKMSKeyId"] == aws.key_arn


def test_versions_that_cannot_be_removed_are_named(aws: AwsTestBed) -> None:
    clients = AwsClients.from_settings(aws.settings, max_attempts=1)
    clients.s3.meta.events.register(
        "before-send.s3.PutObject", FailRequests(key="handoff-record.json", status=403, code="AccessDenied")
    )
    clients.s3.meta.events.register(
        "before-send.s3.DeleteObject", FailRequests(key="definition.json", status=403, code="AccessDenied")
    )
    with pytest.raises(UserError) as error:
        publish(Captured(text=definition_text()), aws.settings, clients=clients)
    [left] = [v for v in all_versions(aws.client("s3"), aws.bucket) if v["Key"] == DEF_KEY]
    assert "could not be removed and are referenced by no record" in error.value.problem
    assert left["VersionId"] in error.value.problem


def test_content_overwritten_with_copied_metadata_is_published_again(aws: AwsTestBed) -> None:
    first = publish(Captured(text=definition_text()), aws.settings)
    s3 = aws.client("s3")
    head = s3.head_object(Bucket=aws.bucket, Key=DEF_KEY)
    s3.put_object(
        Bucket=aws.bucket,
        Key=DEF_KEY,
        Body=definition_text(threshold=0.1).encode(),
        Metadata=head["Metadata"],
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=aws.key_arn,
    )
    again = publish(Captured(text=definition_text()), aws.settings)
    assert not again.unchanged
    assert again.version_id != first.version_id
    body = s3.get_object(Bucket=aws.bucket, Key=DEF_KEY, VersionId=again.version_id)["Body"].read()
    assert body == definition_text().encode()


def test_preflight_reports_default_encryption_and_public_access_block(aws: AwsTestBed) -> None:
    s3 = aws.client("s3")
    s3.put_public_access_block(
        Bucket=aws.bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": False,
        },
    )
    s3.put_bucket_encryption(
        Bucket=aws.bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": aws.key_arn,
                    }
                }
            ]
        },
    )
    publication = publish(Captured(text=definition_text()), aws.settings)
    assert publication.preflight is not None
    report = dict(publication.preflight.report())
    assert report["default encryption"] == f"aws:kms ({aws.key_arn})"
    assert report["public access block"] == "partly off: RestrictPublicBuckets"
    assert report["versioning"] == "Enabled"
