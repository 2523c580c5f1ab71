"""Hermetic capture of a SageMaker pipeline definition: from an SDK object or from data, with no AWS call.

``capture(pipeline)`` calls ``pipeline.definition()`` with the SDK's bucket lookup, code upload and
telemetry switched off and any other AWS call refused, and returns the exact JSON text plus the code
files the SDK would have uploaded (for the publisher to upload, encrypted and versioned). Importing this
package imports neither the SDK nor boto3: they are imported only when a pipeline object from the SDK is
captured.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .offline import PLACEHOLDER_BUCKET, OfflineCallBlocked, offline_sdk
from .result import CapturedDefinition

__all__ = [
    "PLACEHOLDER_BUCKET",
    "CapturedDefinition",
    "OfflineCallBlocked",
    "capture",
    "offline_sdk",
]


def capture(
    pipeline_or_data: Any,
    *,
    allow_online: bool = False,
    bucket: str = PLACEHOLDER_BUCKET,
) -> CapturedDefinition:
    """Capture a pipeline definition.

    ``pipeline_or_data`` is a SageMaker SDK ``Pipeline`` (v2 or v3; anything with ``definition()`` and
    ``name``), a dict, a JSON string, bytes, or the path of a JSON file (str or ``Path``).

    ``bucket`` is the bucket name the definition uses where the SDK would have asked AWS for the session's
    default bucket (a session with its own ``default_bucket`` keeps it). ``allow_online`` lets the SDK
    make the AWS lookups some steps insist on (uploads and telemetry stay off).

    Raises :class:`~jupyter_sagemaker_ack.core.errors.UserError` for anything the user can fix.
    """
    if isinstance(pipeline_or_data, (Mapping, str, bytes, os.PathLike)):
        from .inputs import capture_data

        return capture_data(pipeline_or_data)
    from .sdk_objects import capture_object

    return capture_object(pipeline_or_data, allow_online=allow_online, bucket=bucket)
