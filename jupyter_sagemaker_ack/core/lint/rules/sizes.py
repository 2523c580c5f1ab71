"""Size limits a hand-off meets only at apply time: SageMaker's, etcd's and client-side kubectl's."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ...ack import MAX_DEFINITION_CHARS, MAX_LAST_APPLIED_BYTES, MAX_OBJECT_BYTES
from ..positions import JsonPath
from ..sink import Sink

S3_DEFINITION_THRESHOLD = 100 * 1024  # the SageMaker SDK uploads a definition to S3 above this


def check_definition_size(sink: Sink, text_length: int, path: JsonPath = ()) -> None:
    if text_length > MAX_DEFINITION_CHARS:
        sink.add(
            "SMA701",
            f"The definition has {text_length:,} characters; "
            f"SageMaker takes at most {MAX_DEFINITION_CHARS:,}.",
            path=path,
        )
    elif text_length > S3_DEFINITION_THRESHOLD:
        sink.add(
            "SMA704",
            f"The definition has {text_length:,} characters, over 100 KiB: the SageMaker SDK would "
            "upload it to S3; inline it goes into the CR and every apply.",
            path=path,
        )


def check_object_size(sink: Sink, document: Mapping[str, Any]) -> None:
    """The object as kubectl sends it (JSON), against etcd's limit and client-side apply's annotation."""
    try:
        size = len(json.dumps(document, separators=(",", ":"), default=str).encode("utf-8"))
    except (TypeError, ValueError, RecursionError):
        return
    kind = document.get("kind") or "object"
    if size > MAX_OBJECT_BYTES:
        sink.add(
            "SMA702",
            f"The {kind} is {size:,} bytes; Kubernetes stores at most {MAX_OBJECT_BYTES:,} bytes per object.",
            path=(),
        )
    elif size > MAX_LAST_APPLIED_BYTES:
        sink.add(
            "SMA703",
            f"The {kind} is {size:,} bytes; client-side `kubectl apply` copies it into an annotation "
            "that holds "
            f"at most {MAX_LAST_APPLIED_BYTES:,} bytes.",
            path=(),
        )
