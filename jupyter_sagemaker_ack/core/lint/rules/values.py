"""Rules for the shapes of values that fail only at run time: IAM role ARNs and S3 URIs.

SageMaker checks them when a step starts, minutes or hours into a run. Placeholders and run-time
expressions are left to their own rules. Every shape is a full match: a trailing newline is not a role.
"""

from __future__ import annotations

import re

from ...names import ROLE_ARN
from ..positions import PathKey
from ..sink import Sink
from ..step_index import Owner
from .placeholders import has_placeholder

ROLE_KEYS = {"RoleArn", "ExecutionRoleArn", "roleARN"}
S3_KEYS = {"S3Uri", "S3OutputPath", "ModelDataUrl", "S3ModelArtifacts", "LocalModelDataUrl"}
_BUCKET = r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]"
S3_URI = re.compile(rf"s3://{_BUCKET}(?:/[^\n]*)?")


def is_role_arn(value: str) -> bool:
    return bool(ROLE_ARN.fullmatch(value))


def is_s3_uri(value: str) -> bool:
    if not S3_URI.fullmatch(value):
        return False
    bucket = value[5:].split("/", 1)[0]
    return ".." not in bucket and not re.fullmatch(r"\d+\.\d+\.\d+\.\d+", bucket)


def check_string(sink: Sink, text: str, path: list[PathKey], owner: Owner) -> None:
    """Role ARNs under role keys, S3 URIs under S3 keys or wherever a value starts with ``s3://``."""
    key = path[-1] if path and isinstance(path[-1], str) else None
    if key in ROLE_KEYS:
        if not is_role_arn(text) and not has_placeholder(text):
            here = tuple(path)
            step, parameter = owner(here)
            message = f"'{key}' is {text!r}, which is not an IAM role ARN."
            sink.add("SMA601", message, path=here, step=step, parameter=parameter)
    elif (
        (text.startswith("s3://") or (key in S3_KEYS and text))
        and not is_s3_uri(text)
        and not has_placeholder(text)
    ):
        here = tuple(path)
        step, parameter = owner(here)
        message = f"'{key or path[-1]}' is {text!r}, which is not a valid S3 URI."
        sink.add("SMA602", message, path=here, step=step, parameter=parameter)
