"""Test helpers that prove a capture is hermetic: AWS endpoints on a closed port, and a socket watch.

Every AWS endpoint is pointed at a closed 127.0.0.1 port with fake credentials, so any AWS call would
fail there; on top of that an audit hook records every outgoing connection and every name lookup made
while a block runs (in any thread: SDK v3 sends telemetry from a background thread), so the tests can
assert that nothing at all left the process.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_lock = threading.Lock()
_recordings: list[tuple[int, list[str]]] = []
_hook_installed = False


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def closed_aws_environment(scratch: Path) -> Iterator[int]:
    """Every AWS endpoint at a closed local port, fake credentials, a region, no shared config; the port."""
    port = closed_port()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv("AWS_CONFIG_FILE", str(scratch / "no-aws-config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(scratch / "no-aws-credentials"))
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        patch.delenv("AWS_PROFILE", raising=False)
        for name in [key for key in os.environ if key.startswith("AWS_ENDPOINT_URL_")]:
            patch.delenv(name)
        yield port


@pytest.fixture
def closed_aws(tmp_path: Path) -> Iterator[int]:
    with closed_aws_environment(tmp_path) as port:
        yield port


@contextmanager
def watch_network(aws_port: int) -> Iterator[list[str]]:
    """Record outgoing connections and name lookups, in any thread, while the block runs.

    Loopback connections to ports other than ``aws_port`` are left out: other tests' local servers may
    be talking to each other in the background. Everything else (the AWS port, any public address,
    any lookup of a name other than localhost) is recorded.
    """
    _install_hook()
    events: list[str] = []
    entry = (aws_port, events)
    with _lock:
        _recordings.append(entry)
    try:
        yield events
    finally:
        with _lock:
            _recordings.remove(entry)


def _install_hook() -> None:
    global _hook_installed
    with _lock:
        if not _hook_installed:
            sys.addaudithook(_audit)
            _hook_installed = True


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event not in ("socket.connect", "socket.getaddrinfo") or not _recordings:
        return
    if event == "socket.connect":
        address = args[1]
        host, port = (address[0], address[1]) if isinstance(address, tuple) else (str(address), None)
    else:
        host, port = args[0], args[1]
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    with _lock:
        for aws_port, events in _recordings:
            if host in _LOOPBACK and port != aws_port:
                continue
            events.append(f"{event} {host}:{port}")
