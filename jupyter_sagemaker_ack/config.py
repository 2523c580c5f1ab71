"""One settings object with one precedence order, shared by the CLI, the magics, the panel and the server.

explicit argument > ``%config SageMakerAck.x`` / jupyter_server config (traitlets) > environment > default.
``Settings.sources`` records where each value came from, so ``%sagemaker_ack config`` can say it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from traitlets import Unicode
from traitlets.config import Configurable

# setting name -> environment variables read for it, first match wins
ENVIRONMENT: dict[str, tuple[str, ...]] = {
    "bucket": ("SAGEMAKER_ACK_BUCKET",),
    "prefix": ("SAGEMAKER_ACK_PREFIX",),
    "kms_key": ("SAGEMAKER_ACK_KMS_KEY",),
    "region": ("SAGEMAKER_ACK_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"),
    "namespace": ("SAGEMAKER_ACK_NAMESPACE",),
    "kube_context": ("SAGEMAKER_ACK_KUBE_CONTEXT",),
    "kubeconfig": ("KUBECONFIG",),
    "role_arn": ("SAGEMAKER_ACK_ROLE_ARN",),
    "poll_policy": ("SAGEMAKER_ACK_POLL_POLICY",),
    "s3_endpoint": ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
    "kms_endpoint": ("AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL"),
    "sts_endpoint": ("AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"),
    "sagemaker_endpoint": ("AWS_ENDPOINT_URL_SAGEMAKER", "AWS_ENDPOINT_URL"),
}


@dataclass(frozen=True)
class Settings:
    bucket: str | None = None
    prefix: str = "sagemaker-ack"
    kms_key: str | None = None
    region: str | None = None
    namespace: str | None = None
    kube_context: str | None = None
    kubeconfig: str | None = None
    role_arn: str | None = None
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
        return Settings(
            **{**current, **given},
            sources={**self.sources, **dict.fromkeys(given, "argument")},
        )

    def describe(self) -> list[tuple[str, Any, str]]:
        """(name, value, where it came from) for every setting."""
        return [
            (f.name, getattr(self, f.name), self.sources.get(f.name, "default"))
            for f in fields(self)
            if f.name != "sources"
        ]


SETTING_NAMES = tuple(f.name for f in fields(Settings) if f.name != "sources")


class SageMakerAck(Configurable):
    """Traitlets face of :class:`Settings`: ``%config SageMakerAck.bucket = "..."`` or jupyter_server config."""

    bucket = Unicode(None, allow_none=True, help="S3 bucket definitions are published to.").tag(config=True)
    prefix = Unicode(None, allow_none=True, help="Key prefix inside the bucket.").tag(config=True)
    kms_key = Unicode(None, allow_none=True, help="KMS key id, ARN or alias for SSE-KMS.").tag(config=True)
    region = Unicode(None, allow_none=True, help="AWS region.").tag(config=True)
    namespace = Unicode(None, allow_none=True, help="Kubernetes namespace of the ACK resources.").tag(
        config=True
    )
    kube_context = Unicode(None, allow_none=True, help="kubeconfig context to use.").tag(config=True)
    kubeconfig = Unicode(None, allow_none=True, help="Path of the kubeconfig file.").tag(config=True)
    role_arn = Unicode(None, allow_none=True, help="SageMaker execution role for pipelines.").tag(config=True)
    poll_policy = Unicode(None, allow_none=True, help="Status polling policy: 'aws' or 'sandbox'.").tag(
        config=True
    )

    def configured(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.trait_names(config=True) if getattr(self, name)}


def resolve_settings(
    explicit: Mapping[str, Any] | None = None,
    traitlets_config: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Merge the sources in precedence order into one :class:`Settings`."""
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
    return Settings(**values, sources=sources)
