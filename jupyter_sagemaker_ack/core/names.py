"""Naming rules of Kubernetes and SageMaker, and names derived from one another.

Kubernetes wants lower-case RFC 1123 names; SageMaker pipeline names allow capitals but no ``_`` or ``.``.
Every pattern matches the whole text (``\\Z``: a trailing newline does not pass), and the ``check_*``
functions are where a name from a user (argument, setting, magic) is refused before it reaches a URL or a
request. Derived names are deterministic (re-rendering gives the same object) and never collide: whenever the
derivation loses information (case, characters, length) a short hash of the original is appended.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from .errors import UserError

K8S_NAME_MAX = 63
K8S_SUBDOMAIN_MAX = 253
RFC1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
RFC1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
SAGEMAKER_PIPELINE_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}\Z")
SAGEMAKER_DISPLAY_NAME = SAGEMAKER_PIPELINE_NAME
SAGEMAKER_EXECUTION_DISPLAY_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}\Z")
SAGEMAKER_STEP_NAME = re.compile(r"^[A-Za-z0-9\-_]{1,64}\Z")
ROLE_ARN = re.compile(r"^arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]{1,512}\Z")
EXECUTION_ARN = re.compile(
    r"^arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]{1,32}:\d{12}:pipeline/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}"
    r"/execution/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,63}\Z"
)
RUN_ID = re.compile(r"^[A-Za-z0-9](-*[A-Za-z0-9]){0,39}\Z")
EXECUTION_DISPLAY_NAME_MAX = 82
_SHOWN_MAX = 80
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


def is_execution_arn(text: str) -> bool:
    return bool(EXECUTION_ARN.match(text))


def shown(value: object) -> str:
    """``value`` quoted on one line (a newline shows as ``\\n``), cut to a readable length."""
    text = repr(value) if isinstance(value, str) else repr(str(value))
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 4] + "...'"


def _refuse(value: object, what: str, rule: str) -> UserError:
    return UserError(f"{shown(value)} is not a valid {what}.", f"Use {rule}.")


_K8S_RULE = (
    f"at most {K8S_SUBDOMAIN_MAX} lower-case letters, digits, '-' and '.', starting and ending with a "
    "letter or digit (RFC 1123), e.g. abalone-20240101-120000-ab12"
)
_NAMESPACE_RULE = (
    f"at most {K8S_NAME_MAX} lower-case letters, digits and '-', starting and ending with a letter or "
    "digit (RFC 1123 label), e.g. ml-pipelines"
)
_PIPELINE_RULE = "1-256 letters, digits and hyphens, starting with a letter or digit (no '_', '.' or '/')"
_ROLE_RULE = "an IAM role ARN, e.g. arn:aws:iam::123456789012:role/SageMakerRole"


def check_k8s_name(value: str, what: str = "Kubernetes object name") -> str:
    """``value`` when it is a Kubernetes object name, else a :class:`UserError` naming it and the rule."""
    if not isinstance(value, str) or len(value) > K8S_SUBDOMAIN_MAX or not RFC1123_SUBDOMAIN.match(value):
        raise _refuse(value, what, _K8S_RULE)
    return value


def check_namespace(value: str) -> str:
    if not isinstance(value, str) or len(value) > K8S_NAME_MAX or not RFC1123_LABEL.match(value):
        raise _refuse(value, "Kubernetes namespace", _NAMESPACE_RULE)
    return value


def check_pipeline_name(value: str) -> str:
    if not isinstance(value, str) or not SAGEMAKER_PIPELINE_NAME.match(value):
        raise _refuse(value, "SageMaker pipeline name", _PIPELINE_RULE)
    return value


def check_role_arn(value: str) -> str:
    if not isinstance(value, str) or not ROLE_ARN.match(value):
        raise _refuse(value, "IAM role ARN", _ROLE_RULE)
    return value


def check_run(value: str) -> str:
    """A run as users name it: its PipelineExecution's name, or its SageMaker execution ARN."""
    if isinstance(value, str) and value.startswith("arn:"):
        if not EXECUTION_ARN.match(value):
            raise _refuse(
                value,
                "pipeline execution ARN",
                "arn:aws:sagemaker:REGION:ACCOUNT:pipeline/NAME/execution/ID, or the run's name",
            )
        return value
    return check_k8s_name(value, "run name")


def check_run_id(value: str) -> str:
    """A run id (the part of an execution's name after the pipeline's): letters, digits and '-'."""
    if not isinstance(value, str) or not RUN_ID.match(value):
        raise _refuse(value, "run id", "1-40 letters, digits and '-', e.g. 20240101-120000-ab12")
    return value


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
