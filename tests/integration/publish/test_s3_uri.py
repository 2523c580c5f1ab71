"""S3 URIs with pinned versions, and the checksum format S3 uses (pure helpers of the S3 adapter)."""

from __future__ import annotations

import pytest

from jupyter_sagemaker_ack.adapters.s3_store import S3Location, parse_s3_uri, sha256_b64
from jupyter_sagemaker_ack.core.errors import UserError


def test_pinned_uri_round_trips() -> None:
    location = S3Location("bucket", "a/b/definition.json", "v1+/=x")
    assert parse_s3_uri(location.pinned_uri) == location
    assert parse_s3_uri("s3://bucket/a/b.json") == S3Location("bucket", "a/b.json", None)


@pytest.mark.parametrize("uri", ["https://bucket/key", "s3://bucket", "s3://bucket/", "bucket/key"])
def test_not_an_object_uri(uri: str) -> None:
    with pytest.raises(UserError, match="is not an S3 object URI"):
        parse_s3_uri(uri)


def test_checksum_is_base64_sha256() -> None:
    assert sha256_b64(b"") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
