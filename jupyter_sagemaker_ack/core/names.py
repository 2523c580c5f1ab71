"""Naming rules of Kubernetes and SageMaker, and names derived from one another.

Kubernetes wants lower-case RFC 1123 names; SageMaker pipeline names allow capitals but no ``_`` or ``.``.
Derived names are deterministic (re-rendering gives the same object) and never collide: whenever the
derivation loses information (case, characters, length) a short hash of the original is appended.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

K8S_NAME_MAX = 63
RFC1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
RFC1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
SAGEMAKER_PIPELINE_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$")
SAGEMAKER_DISPLAY_NAME = SAGEMAKER_PIPELINE_NAME
SAGEMAKER_EXECUTION_DISPLAY_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}$")
SAGEMAKER_STEP_NAME = re.compile(r"^[A-Za-z0-9\-_]{1,64}$")
ROLE_ARN = re.compile(r"^arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$")
EXECUTION_DISPLAY_NAME_MAX = 82
_HASH_LEN = 8


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:_HASH_LEN]


def _kebab(text: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", text)
    text = re.sub(r"[^a-z0-9]+", "-", text.lower())
    return text.strip("-")


def k8s_name(text: str, max_length: int = K8S_NAME_MAX) -> str:
    """A valid RFC 1123 label for ``text``: ``AbalonePipeline`` -> ``abalone-pipeline-<hash>``.

    Already valid names are kept as they are; any lossy change appends a hash of the original.
    """
    if RFC1123_LABEL.match(text) and len(text) <= max_length:
        return text
    base = _kebab(text) or "pipeline"
    suffix = "-" + _short_hash(text)
    base = base[: max_length - len(suffix)].rstrip("-") or "p"
    return base + suffix


def is_k8s_name(text: str) -> bool:
    return bool(RFC1123_SUBDOMAIN.match(text)) and len(text) <= 253


def is_sagemaker_pipeline_name(text: str) -> bool:
    return bool(SAGEMAKER_PIPELINE_NAME.match(text))


def new_run_id(now: datetime, entropy: bytes) -> str:
    """A sortable, unique run id: UTC time to the second plus 4 hex digits of caller-supplied entropy."""
    return now.strftime("%Y%m%d-%H%M%S") + "-" + entropy.hex()[:4]


def execution_name(pipeline_name: str, run_id: str) -> str:
    """The PipelineExecution CR name of one run: ``<pipeline k8s name>-<run id>``, at most 63 chars."""
    run = _kebab(run_id) or _short_hash(run_id)
    budget = K8S_NAME_MAX - len(run) - 1
    return k8s_name(pipeline_name, max_length=max(budget, 12))[:budget].rstrip("-") + "-" + run


def execution_display_name(pipeline_name: str, run_id: str) -> str:
    """A SageMaker execution display name (alnum and ``-``, at most 82 chars) for one run."""
    clean = re.sub(r"[^A-Za-z0-9]+", "-", f"{pipeline_name}-{run_id}").strip("-")
    clean = re.sub(r"-+", "-", clean)
    if len(clean) > EXECUTION_DISPLAY_NAME_MAX:
        suffix = "-" + _short_hash(clean)
        clean = clean[: EXECUTION_DISPLAY_NAME_MAX - len(suffix)].rstrip("-") + suffix
    return clean or "run"
