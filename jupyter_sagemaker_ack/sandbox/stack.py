"""The whole local stack in one background process: moto, SageMaker and Kubernetes API emulators, ACK controller.

``up`` starts a supervisor process on free 127.0.0.1 ports and returns once every server answers; the
supervisor writes a kubeconfig and a shell env file so that boto3, the Kubernetes client and the real
``kubectl`` use the sandbox. ``down`` stops that one process, which stops every server it started, so
nothing is left running or listening.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import UserError
from . import aws

STATE_FILE = "sandbox.json"
ENV_FILE = "env"
KUBECONFIG_FILE = "kubeconfig"
LOG_FILE = "sandbox.log"


def default_state_dir() -> Path:
    configured = os.environ.get("SAGEMAKER_ACK_SANDBOX_DIR")
    return Path(configured) if configured else Path.home() / ".sagemaker-ack" / "sandbox"


@dataclass(frozen=True)
class SandboxInfo:
    """What a running sandbox offers: its process, endpoints and the files that point clients at it."""

    state_dir: Path
    pid: int
    endpoints: Mapping[str, str]
    env: Mapping[str, str]

    @property
    def kubeconfig(self) -> Path:
        return self.state_dir / KUBECONFIG_FILE

    @property
    def env_file(self) -> Path:
        return self.state_dir / ENV_FILE

    def to_json(self) -> dict[str, Any]:
        return {
            "stateDir": str(self.state_dir),
            "pid": self.pid,
            "endpoints": dict(self.endpoints),
            "env": dict(self.env),
        }


def sandbox_env(state_dir: Path, endpoints: Mapping[str, str], resources: aws.AwsResources) -> dict[str, str]:
    """The environment that points boto3, the Kubernetes client, kubectl and sagemaker-ack at the sandbox."""
    return {
        **aws.FAKE_CREDENTIALS,
        "AWS_DEFAULT_REGION": aws.REGION,
        "AWS_REGION": aws.REGION,
        "AWS_ENDPOINT_URL_S3": endpoints["aws"],
        "AWS_ENDPOINT_URL_KMS": endpoints["aws"],
        "AWS_ENDPOINT_URL_STS": endpoints["aws"],
        "AWS_ENDPOINT_URL_IAM": endpoints["aws"],
        "AWS_ENDPOINT_URL_SAGEMAKER": endpoints["sagemaker"],
        "KUBECONFIG": str(state_dir / KUBECONFIG_FILE),
        "SAGEMAKER_ACK_BUCKET": resources.bucket,
        "SAGEMAKER_ACK_KMS_KEY": resources.kms_alias,
        "SAGEMAKER_ACK_ROLE_ARN": resources.role_arn,
        "SAGEMAKER_ACK_NAMESPACE": "default",
        "SAGEMAKER_ACK_POLL_POLICY": "sandbox",
        "SAGEMAKER_ACK_SANDBOX_DIR": str(state_dir),
    }


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _spawn(module: str, ready_file: Path, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    ready_file.unlink(missing_ok=True)
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", module, "--ready-file", str(ready_file), *extra],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            close_fds=True,
        )


def _wait_ready(
    proc: subprocess.Popen[bytes], ready_file: Path, what: str, timeout: float = 60.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready_file.exists():
            data: dict[str, Any] = json.loads(ready_file.read_text())
            return data
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} while starting")
        time.sleep(0.02)
    raise RuntimeError(f"{what} was not ready within {timeout:.0f} s")


def serve(state_dir: Path, realistic: bool = False) -> None:
    """Run the sandbox until SIGTERM or SIGINT: two servers in threads here, moto and the controller beside.

    moto and the ACK controller (which imports the Kubernetes client) start as child processes at once, so
    their imports run on the other core while this process starts the two aiohttp emulators.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    for var, value in {**aws.FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": aws.REGION}.items():
        os.environ[var] = value
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    log = state_dir / LOG_FILE
    children: list[subprocess.Popen[bytes]] = []
    servers: list[Any] = []
    try:
        children.append(_spawn("jupyter_sagemaker_ack.sandbox.aws", state_dir / "aws.ready", log))
        from .kubeapi import KubeApiServer, write_kubeconfig
        from .sagemaker import SageMakerEmulator

        sagemaker = SageMakerEmulator(host="127.0.0.1", port=0, account_id=aws.ACCOUNT_ID, region=aws.REGION)
        sagemaker.start()
        servers.append(sagemaker)
        kube = KubeApiServer(host="127.0.0.1", port=0)
        kube.start()
        servers.append(kube)
        write_kubeconfig(state_dir / KUBECONFIG_FILE, kube.url, namespace="default")
        controller_args = [
            "--kubeconfig",
            str(state_dir / KUBECONFIG_FILE),
            "--sagemaker-endpoint",
            sagemaker.url,
        ]
        controller_args += ["--region", aws.REGION] + (["--realistic"] if realistic else [])
        children.append(
            _spawn(
                "jupyter_sagemaker_ack.sandbox.ack_controller",
                state_dir / "controller.ready",
                log,
                *controller_args,
            )
        )
        moto = _wait_ready(children[0], state_dir / "aws.ready", "moto (S3/KMS/STS/IAM)")
        _wait_ready(children[1], state_dir / "controller.ready", "the ACK controller emulator")
        resources = aws.AwsResources(
            bucket=moto["bucket"],
            kms_key_arn=moto["kms_key_arn"],
            kms_alias=moto["kms_alias"],
            role_arn=moto["role_arn"],
        )
        endpoints = {"aws": moto["url"], "sagemaker": sagemaker.url, "kubernetes": kube.url}
        env = sandbox_env(state_dir, endpoints, resources)
        _write_atomic(state_dir / ENV_FILE, "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items()))
        info = SandboxInfo(state_dir=state_dir, pid=os.getpid(), endpoints=endpoints, env=env)
        _write_atomic(state_dir / STATE_FILE, json.dumps(info.to_json(), indent=2))
        stopping.wait()
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for server in reversed(servers):
            try:
                server.stop()
            except Exception as exc:
                print(f"stopping {type(server).__name__}: {exc}", file=sys.stderr)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        for name in (STATE_FILE, ENV_FILE, "aws.ready", "controller.ready"):
            (state_dir / name).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            return False  # it was our child and has just been reaped
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def read_info(state_dir: Path | None = None) -> SandboxInfo | None:
    """The running sandbox in ``state_dir``, or None when there is none."""
    state_dir = state_dir or default_state_dir()
    try:
        data = json.loads((state_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    if not _alive(int(data["pid"])):
        return None
    return SandboxInfo(
        state_dir=state_dir, pid=int(data["pid"]), endpoints=data["endpoints"], env=data["env"]
    )


def up(state_dir: Path | None = None, *, realistic: bool = False, timeout: float = 60.0) -> SandboxInfo:
    """Start the sandbox in the background (or return the one already running) and wait until it is ready."""
    state_dir = (state_dir or default_state_dir()).resolve()
    running = read_info(state_dir)
    if running is not None:
        return running
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / STATE_FILE).unlink(missing_ok=True)
    args = [
        sys.executable,
        "-m",
        "jupyter_sagemaker_ack.sandbox.stack",
        "serve",
        "--state-dir",
        str(state_dir),
    ]
    if realistic:
        args.append("--realistic")
    with open(state_dir / LOG_FILE, "ab") as log:
        proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, close_fds=True
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = read_info(state_dir)
        if info is not None:
            return info
        if proc.poll() is not None:
            tail = (state_dir / LOG_FILE).read_text(errors="replace").strip().splitlines()[-5:]
            raise UserError(
                "The sandbox stopped while starting: " + (" | ".join(tail) or f"exit code {proc.returncode}"),
                f"See {state_dir / LOG_FILE}; install the extras with: pip install 'jupyter-sagemaker-ack[sandbox]'.",
            )
        time.sleep(0.05)
    proc.terminate()
    raise UserError(f"The sandbox was not ready within {timeout:.0f} s.", f"See {state_dir / LOG_FILE}.")


def down(state_dir: Path | None = None, *, timeout: float = 15.0) -> bool:
    """Stop the sandbox in ``state_dir``; True when one was running."""
    state_dir = (state_dir or default_state_dir()).resolve()
    info = read_info(state_dir)
    if info is None:
        for name in (STATE_FILE, ENV_FILE):
            (state_dir / name).unlink(missing_ok=True)
        return False
    os.kill(info.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(info.pid):
        if time.monotonic() > deadline:
            os.kill(info.pid, signal.SIGKILL)
            deadline = time.monotonic() + timeout
        time.sleep(0.05)
    return True


def probe(info: SandboxInfo) -> dict[str, bool]:
    """Which endpoints answer HTTP right now."""
    paths = {"aws": "/moto-api/", "sagemaker": "/_emulator/health", "kubernetes": "/version"}
    result = {}
    for name, url in info.endpoints.items():
        try:
            with urllib.request.urlopen(url + paths.get(name, "/"), timeout=2):  # noqa: S310 - loopback URL we wrote
                result[name] = True
        except OSError as exc:
            result[name] = getattr(exc, "code", None) is not None  # an HTTP error still means it answers
    return result


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m jupyter_sagemaker_ack.sandbox.stack")
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--state-dir", type=Path, default=default_state_dir())
    parser.add_argument("--realistic", action="store_true")
    args = parser.parse_args(argv)
    serve(args.state_dir, realistic=args.realistic)


if __name__ == "__main__":
    main()
