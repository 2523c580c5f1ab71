"""``POST /sagemaker-ack/review``: the review of an ACK YAML file, as JSON for the JupyterLab review view.

The review itself (lint + DAG + S3 verification) is ``services.review``; this face only puts it on the
wire. It trusts the configured bucket (``c.SageMakerAck.bucket`` / ``SAGEMAKER_ACK_BUCKET``) for
verification, and no bucket named only by the file under review.
"""

from __future__ import annotations

from typing import Any

from ...config import Settings
from ...services.review import review_text as review


def review_text(text: str, path: str, settings: Settings) -> dict[str, Any]:
    """``{"findings": [...], "dag": <dag>|None, "verification": {...}|None}`` for one YAML file's text."""
    return review(text, path, settings).to_wire()
