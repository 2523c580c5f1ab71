"""The Python handle on the emulator: start it on a free loopback port, tune it, stop it."""

from __future__ import annotations

import json
import urllib.request
from types import TracebackType
from typing import Any

from .backend import SageMakerBackend
from .config import EmulatorConfig
from .server import ServerThread, build_app


class SageMakerEmulator:
    """A SageMaker Pipelines stand-in served over HTTP from a background thread.

    >>> emu = SageMakerEmulator(port=0).start()
    >>> boto3.client("sagemaker", endpoint_url=emu.url, ...)
    >>> emu.stop()
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        account_id: str = "123456789012",
        region: str = "us-east-1",
        config: dict[str, Any] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.account_id = account_id
        self.region = region
        self.backend = SageMakerBackend(account_id=account_id, default_region=region, config=EmulatorConfig())
        if config:
            self.backend.config.update(config)
        self._server: ServerThread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return f"http://{self.host}:{self._server.bound_port}"

    def start(self) -> SageMakerEmulator:
        """Serve in a background thread; returns once the port accepts connections."""
        if self._server is None:
            server = ServerThread(build_app(self.backend), self.host, self.port)
            server.start()
            self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def configure(
        self,
        settings: dict[str, Any] | None = None,
        *,
        durations: dict[str, Any] | None = None,
        failures: dict[str, str | dict[str, Any] | None] | None = None,
        condition_outcomes: dict[str, bool | None] | None = None,
        throttle: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Merge settings (JSON shape of ``POST /_emulator/config``); returns the settings now in force."""
        update: dict[str, Any] = dict(settings or {})
        for key, value in (
            ("durations", durations),
            ("failures", failures),
            ("conditionOutcomes", condition_outcomes),
            ("throttle", throttle),
        ):
            if value is not None:
                update[key] = value
        self.backend.config.update(update)
        return self.backend.config.to_dict()

    def reset(self) -> None:
        """Forget every pipeline and execution and restore the default settings."""
        self.backend.reset()
        self.backend.config.reset()

    def __enter__(self) -> SageMakerEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def configure_remote(url: str, settings: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
    """Send settings to an emulator in another process (``POST /_emulator/config``)."""
    if not url.startswith(("http://127.0.0.1", "http://localhost")):
        raise ValueError("the emulator only listens on the loopback interface")
    request = urllib.request.Request(  # noqa: S310 - loopback http only, checked above
        url.rstrip("/") + "/_emulator/config",
        data=json.dumps(settings).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        answer: dict[str, Any] = json.loads(response.read())
    return answer
