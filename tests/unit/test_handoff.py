"""The hand-off's pure rules: key layout, the record's schema (written and read back), and when a record
already describes a publish."""

from __future__ import annotations

import json

import pytest

from jupyter_sagemaker_ack.core.handoff import (
    RECORD_SCHEMA,
    HandoffRecord,
    RecordedDefinition,
    RecordedObject,
    definition_key,
    parse_record,
    record_key,
    record_key_beside,
)

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DEF_URI = "s3://bucket/handoff/churn/definition.json"
CODE_URI = "s3://bucket/churn/code/abc/preprocess.py"


def _record(**changes: object) -> HandoffRecord:
    values: dict[str, object] = {
        "pipeline_name": "churn",
        "definition": RecordedDefinition(DEF_URI, "v1", "c2hh", digest="sha256:abc", size=120),
        "artifacts": (RecordedObject(CODE_URI, "c1", "Y29kZQ=="),),
        "kms_key_arn": KEY,
        "versioning": "Enabled",
        "region": "us-east-1",
        "published_by": "arn:aws:iam::123456789012:user/ana",
        "published_at": "2026-12-04T03:00:00Z",
        "tool_version": "0.1.0",
        "source_notebook": "churn.ipynb",
        "git_commit": "0123abc",
        "sdk_version": "2.257.0",
    }
    values.update(changes)
    return HandoffRecord(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (None, "churn/definition.json"),
        ("", "churn/definition.json"),
        ("handoff", "handoff/churn/definition.json"),
        ("/team/handoff/", "team/handoff/churn/definition.json"),
    ],
)
def test_definition_and_record_keys_share_one_folder_per_pipeline(prefix: str | None, expected: str) -> None:
    assert definition_key(prefix, "churn") == expected
    assert record_key(prefix, "churn") == expected.replace("definition.json", "handoff-record.json")
    assert record_key_beside(expected) == record_key(prefix, "churn")


@pytest.mark.parametrize("key", ["churn/mydefinition.json", "churn/definition.json.bak", "churn/other.json"])
def test_only_a_definition_key_has_a_record_beside_it(key: str) -> None:
    assert record_key_beside(key) is None


def test_record_reads_back_as_written_with_the_v1_field_names() -> None:
    record = _record()
    body = record.to_json()
    stored = json.loads(body)
    assert stored["schema"] == RECORD_SCHEMA
    assert stored["definition"] == {
        "uri": DEF_URI,
        "versionId": "v1",
        "sha256": "c2hh",
        "digest": "sha256:abc",
        "bytes": 120,
    }
    assert stored["artifacts"] == [{"uri": CODE_URI, "versionId": "c1", "sha256": "Y29kZQ=="}]
    assert stored["kmsKeyArn"] == KEY
    assert list(stored) == sorted(stored)  # sorted keys: the same record is the same bytes
    assert parse_record(body) == record


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{not json",
        b"[1, 2]",
        json.dumps({"schema": "someone-else/v1"}).encode(),
        json.dumps({"schema": RECORD_SCHEMA}).encode(),
        json.dumps({"schema": RECORD_SCHEMA, "definition": {"uri": DEF_URI}}).encode(),
        json.dumps(
            {"schema": RECORD_SCHEMA, "definition": {"uri": DEF_URI, "versionId": "v1"}, "artifacts": [{}]}
        ).encode(),
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["empty", "not-json", "a-list", "other-schema", "no-definition", "no-version", "bad-code", "deep"],
)
def test_a_body_that_is_no_v1_record_is_none_so_it_gets_replaced(body: bytes) -> None:
    assert parse_record(body) is None


def test_a_record_pins_only_the_same_definition_version_key_and_code() -> None:
    record = _record()
    code = {CODE_URI: "Y29kZQ=="}
    assert record.pins(DEF_URI, "v1", KEY, code)
    assert not record.pins(DEF_URI, "v2", KEY, code)
    assert not record.pins(DEF_URI, None, KEY, code)
    assert not record.pins("s3://bucket/other/definition.json", "v1", KEY, code)
    assert not record.pins(DEF_URI, "v1", KEY.replace("1234abcd", "9999abcd"), code)
    assert not record.pins(DEF_URI, "v1", KEY, {CODE_URI: "Y2hhbmdlZA=="})  # same URI, new contents
    assert not record.pins(DEF_URI, "v1", KEY, {})
    assert not record.pins(DEF_URI, "v1", KEY, {**code, "s3://bucket/churn/code/x/train.py": "eA=="})
