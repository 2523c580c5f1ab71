"""A signed hand-off against moto's KMS: publish --sign-key, then verify --require-signature, and every way
verification must fail (unsigned, another key, a record changed in S3), through KMS and offline."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.manifests import PipelineOptions, dump_yaml, render_pipeline
from jupyter_sagemaker_ack.faces.cli import cli
from jupyter_sagemaker_ack.services.publish import Publication, publish
from jupyter_sagemaker_ack.services.signature_check import CHECK, Signer
from jupyter_sagemaker_ack.services.verify import verify
from tests.fixtures.moto_server import AwsTestBed

from .helpers import PIPELINE, ROLE_ARN, Captured, definition_text

RECORD_KEY = f"handoff/{PIPELINE}/handoff-record.json"


def _signing_key(aws: AwsTestBed, alias: str, spec: str = "ECC_NIST_P256") -> str:
    kms = aws.client("kms")
    key = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec=spec, Description=alias)["KeyMetadata"]
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    return str(key["Arn"])


def _render(publication: Publication, folder: Path, text: str) -> Path:
    doc = render_pipeline(
        parse_definition(text),
        PipelineOptions(pipeline_name=PIPELINE, role_arn=ROLE_ARN, provenance=publication.provenance()),
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pipeline.yaml"
    path.write_text(dump_yaml([doc]))
    return path


def _signed(aws: AwsTestBed, tmp_path: Path, spec: str = "ECC_NIST_P256") -> tuple[Publication, Path, str]:
    arn = _signing_key(aws, "alias/publisher", spec)
    text = definition_text()
    publication = publish(Captured(text=text), aws.settings, sign_key="alias/publisher")
    return publication, _render(publication, tmp_path / "out", text), arn


def _record(aws: AwsTestBed) -> dict[str, Any]:
    body = aws.client("s3").get_object(Bucket=aws.bucket, Key=RECORD_KEY)["Body"].read()
    return dict(json.loads(body))


def _signature_check(report: Any) -> Any:
    return next(c for c in report.checks if c.name == CHECK)


@pytest.mark.parametrize("spec", ["ECC_NIST_P256", "RSA_2048"])
def test_a_signed_publish_verifies_through_kms(aws: AwsTestBed, tmp_path: Path, spec: str) -> None:
    publication, path, arn = _signed(aws, tmp_path, spec)
    record = _record(aws)
    assert record["signature"]["keyArn"] == arn
    assert record["signature"]["algorithm"] == (
        "ECDSA_SHA_256" if spec.startswith("ECC") else "RSASSA_PSS_SHA_256"
    )
    assert {"definition", "artifacts", "publishedBy", "publishedAt"} <= set(
        record["signature"]["signedFields"]
    )
    assert publication.signature_key_arn == arn
    annotations = publication.provenance().annotations()
    assert annotations["sagemaker-ack.io/signature-key"] == arn
    assert "sagemaker-ack.io/signature-key" in path.read_text()

    report = verify(path, aws.settings, signer=Signer(key="alias/publisher"))
    assert report.ok, report.table()
    result = CliRunner().invoke(
        cli, ["verify", str(path), "--require-signature", "--signer", "alias/publisher"]
    )
    assert result.exit_code == 0, result.output
    assert CHECK in result.output


def test_an_unsigned_publish_has_no_signature_annotations(aws: AwsTestBed, tmp_path: Path) -> None:
    text = definition_text()
    publication = publish(Captured(text=text), aws.settings)
    assert "signature" not in _record(aws)
    assert not any("signature" in k for k in publication.provenance().annotations())
    path = _render(publication, tmp_path, text)
    _signing_key(aws, "alias/publisher")
    result = CliRunner().invoke(
        cli, ["verify", str(path), "--require-signature", "--signer", "alias/publisher"]
    )
    assert result.exit_code == 1, result.output
    assert "unsigned" in result.output
    # Without --require-signature the same YAML still verifies: signing is opt-in.
    assert CliRunner().invoke(cli, ["verify", str(path)]).exit_code == 0


def test_republishing_with_a_sign_key_signs_an_unchanged_definition(aws: AwsTestBed, tmp_path: Path) -> None:
    text = definition_text()
    first = publish(Captured(text=text), aws.settings)
    _signing_key(aws, "alias/publisher")
    second = publish(Captured(text=text), aws.settings, sign_key="alias/publisher")
    assert second.version_id == first.version_id  # the definition is not written again
    assert second.record_version_id != first.record_version_id  # the record is, now signed
    path = _render(second, tmp_path, text)
    assert verify(path, aws.settings, signer=Signer(key="alias/publisher")).ok


def test_another_keys_signature_fails(aws: AwsTestBed, tmp_path: Path) -> None:
    _, path, _ = _signed(aws, tmp_path)
    other = _signing_key(aws, "alias/someone-else")
    report = verify(path, aws.settings, signer=Signer(key="alias/someone-else"))
    assert not report.ok
    assert "another key" in _signature_check(report).detail
    assert other in _signature_check(report).detail
    result = CliRunner().invoke(cli, ["verify", str(path), "--signer", "alias/someone-else"])
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("publishedBy", "arn:aws:iam::123456789012:user/mallory"),
        ("publishedAt", "2020-01-01T00:00:00Z"),
        ("artifacts", [{"uri": "s3://x/y.py", "versionId": "v", "sha256": "AAAA"}]),
    ],
)
def test_a_record_changed_in_s3_fails(aws: AwsTestBed, tmp_path: Path, field: str, value: Any) -> None:
    _, path, _ = _signed(aws, tmp_path)
    record = _record(aws)
    record[field] = value
    aws.client("s3").put_object(
        Bucket=aws.bucket,
        Key=RECORD_KEY,
        Body=json.dumps(record).encode(),
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=aws.key_arn,
    )
    report = verify(path, aws.settings, signer=Signer(key="alias/publisher"))
    assert not report.ok
    assert "does not match" in _signature_check(report).detail


def test_a_record_whose_signature_value_was_swapped_fails(aws: AwsTestBed, tmp_path: Path) -> None:
    _, path, _ = _signed(aws, tmp_path)
    record = _record(aws)
    record["definition"]["versionId"] = record["definition"]["versionId"]  # same pin, forged signature
    record["signature"]["value"] = base64.b64encode(b"\x30\x06\x02\x01\x01\x02\x01\x01").decode()
    aws.client("s3").put_object(Bucket=aws.bucket, Key=RECORD_KEY, Body=json.dumps(record).encode())
    assert not verify(path, aws.settings, signer=Signer(key="alias/publisher")).ok


@pytest.mark.parametrize("encoding", ["der", "pem"])
def test_offline_verification_with_the_public_key(aws: AwsTestBed, tmp_path: Path, encoding: str) -> None:
    _, path, arn = _signed(aws, tmp_path)
    der = aws.client("kms").get_public_key(KeyId=arn)["PublicKey"]
    key_file = tmp_path / f"signer.{encoding}"
    if encoding == "der":
        key_file.write_bytes(der)
    else:
        lines = [base64.b64encode(der).decode()[i : i + 64] for i in range(0, len(base64.b64encode(der)), 64)]
        key_file.write_text(
            "-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n"
        )
    ok = CliRunner().invoke(
        cli, ["verify", str(path), "--require-signature", "--signer-public-key", str(key_file)]
    )
    assert ok.exit_code == 0, ok.output

    other = _signing_key(aws, "alias/someone-else")
    other_file = tmp_path / "other.der"
    other_file.write_bytes(aws.client("kms").get_public_key(KeyId=other)["PublicKey"])
    wrong = CliRunner().invoke(cli, ["verify", str(path), "--signer-public-key", str(other_file)])
    assert wrong.exit_code == 1, wrong.output
    assert "does not match" in wrong.output


def test_the_sign_key_setting_signs_every_publish(aws: AwsTestBed, tmp_path: Path) -> None:
    arn = _signing_key(aws, "alias/team-signer")
    settings = aws.settings.with_values(sign_key="alias/team-signer")
    text = definition_text()
    publication = publish(Captured(text=text), settings)  # what the panel and the magics call
    assert _record(aws)["signature"]["keyArn"] == arn
    path = _render(publication, tmp_path, text)
    assert verify(path, aws.settings, signer=Signer(key=arn)).ok


def test_render_from_s3_annotates_a_signed_version_and_verify_accepts_it(
    aws: AwsTestBed, tmp_path: Path
) -> None:
    publication, _, arn = _signed(aws, tmp_path)
    out = tmp_path / "from-s3"
    rendered = CliRunner().invoke(
        cli,
        [
            "render",
            "--from",
            publication.pinned_uri,
            "--pipeline-name",
            PIPELINE,
            "--role-arn",
            ROLE_ARN,
            "-o",
            str(out),
        ],
    )
    assert rendered.exit_code == 0, rendered.output
    text = (out / "pipeline.yaml").read_text()
    assert f"sagemaker-ack.io/signature-key: {arn}" in text
    assert "sagemaker-ack.io/signature-algorithm: ECDSA_SHA_256" in text
    result = CliRunner().invoke(cli, ["verify", str(out), "--signer", arn])
    assert result.exit_code == 0, result.output
