"""The one settings object and its one precedence order, free of traitlets so any layer above the core can use it.

explicit argument > ``%config SageMakerAck.x`` / jupyter_server config (traitlets) > environment > default.
``Settings.sources`` records where each value came from, so ``%sagemaker_ack config`` can say it, and a bad
value is refused here, once, naming where it was set. The traitlets face lives in :mod:`.config`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

from .core import names
from .core.errors import UserError

# setting name -> environment variables read for it, first match wins
ENVIRONMENT: dict[str, tuple[str, ...]] = {
    "bucket": ("SAGEMAKER_ACK_BUCKET",),
    "prefix": ("SAGEMAKER_ACK_PREFIX",),
    "kms_key": ("SAGEMAKER_ACK_KMS_KEY",),
    "trusted_buckets": ("SAGEMAKER_ACK_TRUSTED_BUCKETS",),
    "region": ("SAGEMAKER_ACK_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"),
    "profile": ("SAGEMAKER_ACK_PROFILE", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"),
    "namespace": ("SAGEMAKER_ACK_NAMESPACE",),
    "kube_context": ("SAGEMAKER_ACK_KUBE_CONTEXT",),
    "kubeconfig": ("KUBECONFIG",),
    "role_arn": ("SAGEMAKER_ACK_ROLE_ARN",),
    "policy": ("SAGEMAKER_ACK_POLICY",),
    "sign_key": ("SAGEMAKER_ACK_SIGN_KEY",),
    "poll_policy": ("SAGEMAKER_ACK_POLL_POLICY",),
    "s3_endpoint": ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
    "kms_endpoint": ("AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL"),
    "sts_endpoint": ("AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"),
    "sagemaker_endpoint": ("AWS_ENDPOINT_URL_SAGEMAKER", "AWS_ENDPOINT_URL"),
}

# setting name -> what it is, for the traits' --help and the README's table
HELP: dict[str, str] = {
    "bucket": "S3 bucket definitions are published to.",
    "prefix": "Key prefix inside the bucket.",
    "kms_key": "KMS key id, ARN or alias for SSE-KMS.",
    "trusted_buckets": "Other S3 buckets verification may read, comma-separated (the bucket is always trusted).",
    "region": "AWS region.",
    "profile": "AWS profile (from ~/.aws/config) whose credentials S3, KMS, STS and SageMaker use.",
    "namespace": "Kubernetes namespace of the ACK resources.",
    "kube_context": "kubeconfig context to use.",
    "kubeconfig": "Path of the kubeconfig file.",
    "role_arn": "SageMaker execution role for pipelines.",
    "policy": "PipelinePolicy files every lint, publish, render and apply checks, comma-separated.",
    "sign_key": "KMS asymmetric key (ARN or alias) that signs each published hand-off record.",
    "poll_policy": "Status polling policy: 'aws' or 'sandbox'.",
    "s3_endpoint": "S3 endpoint URL (default: AWS's for the region).",
    "kms_endpoint": "KMS endpoint URL (default: AWS's for the region).",
    "sts_endpoint": "STS endpoint URL (default: AWS's for the region).",
    "sagemaker_endpoint": "SageMaker endpoint URL (default: AWS's for the region).",
}

ENDPOINT_SETTINGS = ("s3_endpoint", "kms_endpoint", "sts_endpoint", "sagemaker_endpoint")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")
_HOST = re.compile(r"[A-Za-z0-9._-]+")
_PROFILE = re.compile(r"[A-Za-z0-9_.@+=,:/-]+")


@dataclass(frozen=True)
class Settings:
    bucket: str | None = None
    prefix: str = "sagemaker-ack"
    kms_key: str | None = None
    trusted_buckets: str | None = None
    region: str | None = None
    profile: str | None = None
    namespace: str | None = None
    kube_context: str | None = None
    kubeconfig: str | None = None
    role_arn: str | None = None
    policy: str | None = None
    sign_key: str | None = None
    poll_policy: str = "aws"
    s3_endpoint: str | None = None
    kms_endpoint: str | None = None
    sts_endpoint: str | None = None
    sagemaker_endpoint: str | None = None
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def with_values(self, **values: Any) -> Settings:
        """A copy with the given non-None values set (recorded as explicit arguments)."""
        given = {k: v for k, v in values.items() if v is not None}
        current = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "sources"}
        changed = Settings(
            **{**current, **given},
            sources={**self.sources, **dict.fromkeys(given, "argument")},
        )
        check_settings(changed)
        return changed

    @property
    def policy_paths(self) -> tuple[str, ...]:
        """The files of ``policy`` (comma-separated), without blanks."""
        return tuple(p.strip() for p in (self.policy or "").split(",") if p.strip())

    @property
    def trusted_bucket_names(self) -> tuple[str, ...]:
        """The buckets of ``trusted_buckets`` (comma-separated), without blanks."""
        return tuple(b.strip() for b in (self.trusted_buckets or "").split(",") if b.strip())

    def describe(self) -> list[tuple[str, Any, str]]:
        """(name, value, where it came from) for every setting."""
        return [
            (f.name, getattr(self, f.name), self.sources.get(f.name, "default"))
            for f in fields(self)
            if f.name != "sources"
        ]


SETTING_NAMES = tuple(f.name for f in fields(Settings) if f.name != "sources")


def _where(settings: Settings, name: str) -> str:
    source = settings.sources.get(name, "default")
    if source.startswith("%config"):
        return f"%config SageMakerAck.{name} (or c.SageMakerAck.{name} in the server config)"
    return source


def _how_to_set(name: str) -> str:
    variables = ENVIRONMENT.get(name, ())
    env = f" or ${variables[0]}" if variables else ""
    return f"%config SageMakerAck.{name} = '...'{env}"


SHAPED_SETTINGS: dict[str, tuple[Callable[[str], str], str]] = {
    "namespace": (names.check_namespace, "a Kubernetes namespace"),
    "role_arn": (names.check_role_arn, "an IAM role ARN"),
}
"""Settings with a shape of their own: a bad value is refused as not being that (a namespace, a role ARN)."""


def check_settings(settings: Settings) -> None:
    """Refuse a value no AWS client could use, naming the setting, where it was set and the fix."""
    for name in SETTING_NAMES:
        value = getattr(settings, name)
        if value is not None and not isinstance(value, str):
            raise UserError(
                f"The setting {name} from {_where(settings, name)} is a {type(value).__name__}, not text.",
                f"Set it as text: {_how_to_set(name)}.",
            )
        shape = SHAPED_SETTINGS.get(name)
        if isinstance(value, str) and shape is not None:
            check, what = shape
            try:
                check(value)
            except UserError as exc:  # named by what it should be, not only by the stray character
                raise UserError(
                    f"{names.shown(value)} is not {what} (the settings' {name}, from {_where(settings, name)}).",
                    f"{exc.fix.rstrip('.')}; set it with {_how_to_set(name)}.",
                ) from None
        if isinstance(value, str) and (value != value.strip() or any(c in value for c in "\r\n\t\0")):
            raise UserError(
                f"The setting {name} from {_where(settings, name)} holds whitespace or control characters: "
                f"{value!r}.",
                f"Set it without them: {_how_to_set(name)}.",
            )
    for name in ENDPOINT_SETTINGS:
        url = getattr(settings, name)
        if url is None:
            continue
        try:
            parts = urlsplit(url)
            port_ok = parts.port is None or 0 < parts.port < 65536
        except ValueError:
            parts, port_ok = None, False
        host = parts.hostname if parts is not None else None
        host_ok = bool(host) and (_HOST.fullmatch(host or "") is not None or ":" in (host or ""))
        if parts is None or parts.scheme not in ("http", "https") or not host_ok or not port_ok or " " in url:
            raise UserError(
                f"The {name.replace('_endpoint', '').upper()} endpoint {url!r} from {_where(settings, name)} "
                "is not an http(s) URL.",
                f"Set a URL such as https://host or http://127.0.0.1:5000: {_how_to_set(name)}, "
                "or unset it to use AWS's endpoint.",
            )
    if settings.region is not None and not _REGION.fullmatch(settings.region):
        raise UserError(
            f"The region {settings.region!r} from {_where(settings, 'region')} is not an AWS region name.",
            f"Use a name such as us-east-1 or eu-west-1: {_how_to_set('region')}.",
        )
    if settings.profile is not None and not _PROFILE.fullmatch(settings.profile):
        raise UserError(
            f"The AWS profile name {settings.profile!r} from {_where(settings, 'profile')} is not valid.",
            f"Use the name of a [profile ...] section of ~/.aws/config: {_how_to_set('profile')}.",
        )


def resolve_settings(
    explicit: Mapping[str, Any] | None = None,
    traitlets_config: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Merge the sources in precedence order into one checked :class:`Settings`."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name in SETTING_NAMES:
        for var in ENVIRONMENT.get(name, ()):
            if env.get(var):
                values[name], sources[name] = env[var], f"environment ${var}"
                break
    for layer, label in ((traitlets_config, "%config SageMakerAck"), (explicit, "argument")):
        for name, value in (layer or {}).items():
            if name in SETTING_NAMES and value is not None and value != "":
                values[name], sources[name] = value, label
    settings = Settings(**values, sources=sources)
    check_settings(settings)
    return settings
