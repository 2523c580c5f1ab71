"""What a hand-off signature covers: every signed field changes the message; the record keeps its signature."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from jupyter_sagemaker_ack.core.handoff import (
    HandoffRecord,
    RecordedDefinition,
    RecordedObject,
    RecordSignature,
    parse_record,
)
from jupyter_sagemaker_ack.core.signing import SIGNED_FIELDS, load_public_key, statement, verify_offline


def _record(signature: RecordSignature | None = None) -> HandoffRecord:
    return HandoffRecord(
        pipeline_name="p",
        definition=RecordedDefinition("s3://b/k/definition.json", "v1", "sha", digest="sha256:d", size=3),
        artifacts=(RecordedObject("s3://b/code.py", "v2", "sha2"),),
        kms_key_arn="arn:aws:kms:us-east-1:1:key/k",
        versioning="Enabled",
        region="us-east-1",
        published_by="arn:aws:iam::1:user/u",
        published_at="2026-01-01T00:00:00Z",
        tool_version="0",
        signature=signature,
    )


@pytest.mark.parametrize("field", SIGNED_FIELDS)
def test_changing_any_signed_field_changes_the_message(field: str) -> None:
    raw = _record().unsigned_dict()
    changed: dict[str, Any] = copy.deepcopy(raw)
    changed[field] = "something else"
    assert statement(changed) != statement(raw)


def test_fields_outside_the_signature_do_not_change_it_and_key_order_does_not_matter() -> None:
    raw = _record().unsigned_dict()
    assert statement({**raw, "toolVersion": "9"}) == statement(raw)
    assert statement(dict(reversed(list(raw.items())))) == statement(raw)
    assert len(statement(raw)) < 4096  # what KMS signs RAW


def test_a_signed_record_round_trips_and_the_signature_stays_out_of_what_is_signed() -> None:
    signature = RecordSignature("arn:aws:kms:us-east-1:1:key/s", "ECDSA_SHA_256", "c2ln", SIGNED_FIELDS)
    record = _record(signature)
    parsed = parse_record(record.to_json())
    assert parsed is not None
    assert parsed.signature == signature
    assert "signature" not in record.unsigned_dict()
    assert "signature" not in _record().to_dict()


def test_offline_verification_accepts_only_the_signers_key() -> None:
    import base64

    signer, other = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    message = statement(_record().unsigned_dict())
    value = base64.b64encode(signer.sign(message, ec.ECDSA(hashes.SHA256()))).decode()
    der = signer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    other_pem = other.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert verify_offline(load_public_key(der, "k.der"), message, value, "ECDSA_SHA_256")
    assert not verify_offline(load_public_key(other_pem, "o.pem"), message, value, "ECDSA_SHA_256")
    assert not verify_offline(load_public_key(der, "k.der"), message + b"x", value, "ECDSA_SHA_256")
    assert not verify_offline(load_public_key(der, "k.der"), message, value, "RSASSA_PSS_SHA_256")
    assert not verify_offline(load_public_key(der, "k.der"), message, "not base64!", "ECDSA_SHA_256")
