"""The traitlets face of the settings: ``%config SageMakerAck.x = ...`` in a kernel, ``c.SageMakerAck.x`` in
jupyter_server config. One trait per :class:`~.settings.Settings` field, none more, none fewer.

The pure settings object and its precedence order live in :mod:`.settings`; they are re-exported here
because every face imports them from this module.
"""

from __future__ import annotations

from typing import Any

from traitlets import Unicode
from traitlets.config import Configurable

from .settings import ENVIRONMENT, HELP, SETTING_NAMES, Settings, check_settings, resolve_settings

__all__ = [
    "ENVIRONMENT",
    "SETTING_NAMES",
    "SageMakerAck",
    "Settings",
    "check_settings",
    "resolve_settings",
]


def _setting(name: str) -> Any:
    return Unicode(None, allow_none=True, help=HELP[name]).tag(config=True)


class SageMakerAck(Configurable):
    """``%config SageMakerAck.bucket = "..."`` or ``c.SageMakerAck.bucket = "..."`` in jupyter_server config."""

    bucket = _setting("bucket")
    prefix = _setting("prefix")
    kms_key = _setting("kms_key")
    trusted_buckets = _setting("trusted_buckets")
    region = _setting("region")
    profile = _setting("profile")
    namespace = _setting("namespace")
    kube_context = _setting("kube_context")
    kubeconfig = _setting("kubeconfig")
    role_arn = _setting("role_arn")
    policy = _setting("policy")
    sign_key = _setting("sign_key")
    poll_policy = _setting("poll_policy")
    s3_endpoint = _setting("s3_endpoint")
    kms_endpoint = _setting("kms_endpoint")
    sts_endpoint = _setting("sts_endpoint")
    sagemaker_endpoint = _setting("sagemaker_endpoint")

    def configured(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.trait_names(config=True) if getattr(self, name)}
