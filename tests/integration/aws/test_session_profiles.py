"""One session strategy: after a profile change in a running process, S3 and SageMaker both sign with it.

The requests go over real HTTP to a loopback server that records the SigV4 ``Credential=`` of each
request, so the test sees the access key each client actually signed with.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from jupyter_sagemaker_ack.adapters.aws_session import AwsClients
from jupyter_sagemaker_ack.adapters.sagemaker_api import SageMakerApi
from jupyter_sagemaker_ack.config import resolve_settings
from jupyter_sagemaker_ack.core.errors import UserError

ARN = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/abc"
KEYS = {"alice": "AKIAALICE00000000001", "bob": "AKIABOB0000000000002"}


class _Recorder(BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        found = re.search(
            r"Credential=([A-Z0-9]+)/[^/]+/[^/]+/([a-z0-9]+)/", self.headers.get("Authorization", "")
        )
        if found:
            self.seen.append((found.group(2), found.group(1)))
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = _answer

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    seen: list[tuple[str, str]] = []
    handler = type("Recorder", (_Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def two_profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recorder: tuple[str, list]) -> str:
    config = tmp_path / "aws-config"
    config.write_text(
        "".join(
            f"[profile {name}]\nregion = us-east-1\naws_access_key_id = {key}\naws_secret_access_key = s-{name}\n"
            for name, key in KEYS.items()
        )
    )
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name in ("SAGEMAKER_ACK_PROFILE", "AWS_DEFAULT_PROFILE", "SAGEMAKER_ACK_REGION", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    url = recorder[0]
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for service in ("S3", "KMS", "STS", "SAGEMAKER"):
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", url)
    return url


def _signed_by(settings_profile: str | None, seen: list[tuple[str, str]]) -> dict[str, str]:
    seen.clear()
    settings = resolve_settings({"profile": settings_profile} if settings_profile else None)
    AwsClients.from_settings(settings).s3.head_object(Bucket="b", Key="k")
    SageMakerApi.from_settings(settings).describe_execution(ARN)
    return dict(seen)


@pytest.mark.parametrize("how", ["AWS_PROFILE", "settings.profile"])
def test_a_profile_change_reaches_s3_and_sagemaker(
    how: str, two_profiles: str, recorder: tuple[str, list], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = recorder[1]
    for profile in ("alice", "bob", "alice"):
        if how == "AWS_PROFILE":
            monkeypatch.setenv("AWS_PROFILE", profile)
            signed = _signed_by(None, seen)
        else:
            monkeypatch.delenv("AWS_PROFILE", raising=False)
            signed = _signed_by(profile, seen)
        assert signed == {"s3": KEYS[profile], "sagemaker": KEYS[profile]}


def test_an_edited_credentials_file_is_read_again(
    two_profiles: str, recorder: tuple[str, list], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "alice")
    assert _signed_by(None, recorder[1])["sagemaker"] == KEYS["alice"]
    config = tmp_path / "aws-config"
    config.write_text(config.read_text().replace(KEYS["alice"], "AKIAALICEROTATED0003"))
    assert _signed_by(None, recorder[1]) == {
        "s3": "AKIAALICEROTATED0003",
        "sagemaker": "AKIAALICEROTATED0003",
    }


def test_an_unknown_profile_is_one_clear_error(two_profiles: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "carol")
    for make in (AwsClients.from_settings, SageMakerApi.from_settings):
        with pytest.raises(UserError) as caught:
            make(resolve_settings())
        assert "'carol'" in caught.value.problem
        assert "environment $AWS_PROFILE" in caught.value.problem
        assert "aws configure --profile" in caught.value.fix
