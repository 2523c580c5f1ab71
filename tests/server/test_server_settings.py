"""Every setting reaches the server extension from jupyter_server config (``c.SageMakerAck.*``)."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_sagemaker_ack.config import SETTING_NAMES

ENDPOINTS = {
    "s3_endpoint": "http://127.0.0.1:9101",
    "kms_endpoint": "http://127.0.0.1:9102",
    "sts_endpoint": "http://127.0.0.1:9103",
    "sagemaker_endpoint": "http://127.0.0.1:9104",
    "profile": "ml-dev",
    "bucket": "server-bucket",
}


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyter_sagemaker_ack": True}},
        "SageMakerAck": dict(ENDPOINTS),
    }


def _extension(serverapp: Any) -> Any:
    for extension in serverapp.extension_manager.extension_apps.get("jupyter_sagemaker_ack", ()):
        return extension
    pytest.fail("the jupyter_sagemaker_ack server extension is not loaded")


def test_server_config_sets_endpoints_and_profile(jp_serverapp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "SAGEMAKER_ACK_BUCKET"):
        monkeypatch.delenv(name, raising=False)
    settings = _extension(jp_serverapp).ack_settings()
    for name, value in ENDPOINTS.items():
        assert name in SETTING_NAMES
        assert getattr(settings, name) == value
        assert settings.sources[name] == "%config SageMakerAck"
