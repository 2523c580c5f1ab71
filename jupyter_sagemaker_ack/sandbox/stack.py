"""The whole local stack in one background process: moto, SageMaker and Kubernetes API emulators, ACK controller.

``up`` starts a supervisor process on free 127.0.0.1 ports and returns once every server answers; the
supervisor writes a kubeconfig and a shell env file so that boto3, the Kubernetes client and the real
``kubectl`` use the sandbox. The supervisor leads its own process session, so moto and the ACK controller
share its process group, and ``sandbox.json`` records the identity (pid, start time, command line) of every
process of the stack. ``down`` stops the supervisor, which stops every server it started; when the
supervisor is gone (SIGKILL, a crash) ``down`` stops its children itself. A pid is signalled only while its
recorded identity still matches (:mod:`.processes`), so a stale or hostile ``sandbox.json`` never reaches a
foreign process, and nothing is left running or listening.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import stat
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
from . import aws, processes
from .processes import Identity

STATE_FILE = "sandbox.json"
ENV_FILE = "env"
KUBECONFIG_FILE = "kubeconfig"
LOG_FILE = "sandbox.log"
SUPERVISOR_MODULE = "jupyter_sagemaker_ack.sandbox.stack"
MAX_STATE_BYTES = 1_048_576  # the supervisor writes a few KB


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
    processes: tuple[Identity, ...] = ()  # the supervisor first, then its children
    process_group: int | None = None

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
            "processGroup": self.process_group,
            "processes": [p.to_json() for p in self.processes],
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
    if os.getpgrp() != os.getpid():
        os.setsid()  # our own session and group, so `down` can reach every child even after we are killed
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
        recorded = [processes.identity(pid) for pid in (os.getpid(), *(c.pid for c in children))]
        info = SandboxInfo(
            state_dir=state_dir,
            pid=os.getpid(),
            endpoints=endpoints,
            env=env,
            processes=tuple(p for p in recorded if p is not None),
            process_group=os.getpgrp(),
        )
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


class DamagedState(UserError):
    """``sandbox.json`` exists but is not a state file this sandbox wrote."""


def _damaged(path: Path, why: str) -> DamagedState:
    return DamagedState(
        f"The sandbox state file {path} is damaged ({why}), and no sandbox process of {path.parent} runs.",
        f"Remove it (rm {shlex.quote(str(path))}) and start again with: sagemaker-ack sandbox up",
    )


def _read_small_file(path: Path) -> bytes | None:
    """The bytes of a regular file of at most MAX_STATE_BYTES; None for a FIFO, device or larger file.

    Opened without blocking, so a FIFO or /dev/zero in place of the state file cannot hang ``down``.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_STATE_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(MAX_STATE_BYTES + 1)
    finally:
        os.close(fd)
    return raw if len(raw) <= MAX_STATE_BYTES else None


def _parse_state(state_dir: Path) -> SandboxInfo | None:
    """The sandbox recorded in ``state_dir`` (running or not), None without a state file.

    Raises :class:`DamagedState` for a file that is not one the supervisor wrote.
    """
    path = state_dir / STATE_FILE
    try:
        raw = _read_small_file(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UserError(
            f"The sandbox state file {path} cannot be read: {exc.strerror or exc}.",
            f"Check the permissions of {state_dir}, or pass another --state-dir.",
        ) from None
    if raw is None:
        raise _damaged(path, f"not a regular file of at most {MAX_STATE_BYTES} bytes")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise _damaged(path, "not UTF-8 text") from None
    except (ValueError, RecursionError):
        raise _damaged(path, "not JSON" if raw.strip() else "empty") from None
    try:
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        endpoints, env = data.get("endpoints"), data.get("env")
        if not isinstance(endpoints, dict) or not all(isinstance(v, str) for v in endpoints.values()):
            raise ValueError("no endpoints")
        if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
            raise ValueError("no environment")
        entries = data.get("processes")
        if not isinstance(entries, list) or not entries:
            raise ValueError("no process identities")
        recorded = tuple(Identity.from_json(entry) for entry in entries)
        for entry in recorded:
            if not _is_sandbox_command(entry.argv, state_dir):
                raise ValueError(f"process {entry.pid} is not a sandbox process of {state_dir}")
        group = data.get("processGroup")
        if group is not None and group != recorded[0].pid:
            raise ValueError(f"process group {group!r} is not the supervisor's")
    except ValueError as exc:
        raise _damaged(path, str(exc)) from None
    return SandboxInfo(
        state_dir=state_dir,
        pid=recorded[0].pid,
        endpoints=endpoints,
        env=env,
        processes=recorded,
        process_group=group,
    )


def _is_sandbox_command(argv: tuple[str, ...], state_dir: Path) -> bool:
    """Whether ``argv`` is the supervisor, moto or the controller as :func:`up` starts them for ``state_dir``."""
    own_args = {str(state_dir), *(str(state_dir / f) for f in ("aws.ready", "controller.ready"))}
    modules = (
        SUPERVISOR_MODULE,
        "jupyter_sagemaker_ack.sandbox.aws",
        "jupyter_sagemaker_ack.sandbox.ack_controller",
    )
    return "-m" in argv and bool(own_args.intersection(argv)) and any(m in argv for m in modules)


def _of_state_dir(state_dir: Path) -> list[Identity]:
    """Live sandbox processes started for ``state_dir``, found by their command line."""
    return [
        found
        for found in processes.find("jupyter_sagemaker_ack.sandbox")
        if _is_sandbox_command(found.argv, state_dir)
    ]


def read_info(state_dir: Path | None = None) -> SandboxInfo | None:
    """The running sandbox in ``state_dir``, or None when there is none (no file, or its supervisor is gone)."""
    state_dir = (state_dir or default_state_dir()).resolve()
    info = _parse_state(state_dir)
    if info is None or not processes.is_running(info.processes[0]):
        return None
    return info


def leftovers(state_dir: Path | None = None) -> list[int]:
    """Pids of sandbox processes of ``state_dir`` that still run without their supervisor (it was killed)."""
    state_dir = (state_dir or default_state_dir()).resolve()
    return [p.pid for p in _of_state_dir(state_dir) if SUPERVISOR_MODULE not in p.argv]


@dataclass(frozen=True)
class Shutdown:
    """What ``down`` did: the pids it stopped, and a note on a stale or damaged state file."""

    stopped: tuple[int, ...]
    note: str = ""


def _remove_state(state_dir: Path) -> None:
    for name in (STATE_FILE, ENV_FILE, "aws.ready", "controller.ready"):
        (state_dir / name).unlink(missing_ok=True)


def _stop(targets: list[Identity], group: int | None, supervisor: Identity | None, timeout: float) -> None:
    """SIGTERM (the supervisor alone when it runs, else every child and the group), then SIGKILL what is left."""
    for signum in (signal.SIGTERM, signal.SIGKILL):
        if supervisor is not None and processes.is_running(supervisor) and signum == signal.SIGTERM:
            processes.signal_if_ours(supervisor, signum)
        else:
            for target in targets:
                processes.signal_if_ours(target, signum)
            if group is not None:
                processes.signal_group_if_ours(group, targets, signum)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for target in targets:
                processes.reap(target.pid)
            if not any(processes.is_running(t) for t in targets):
                return
            time.sleep(0.05)


def shut_down(state_dir: Path | None = None, *, timeout: float = 15.0) -> Shutdown:
    """Stop every process of the sandbox in ``state_dir``, and signal nothing that is not one of them."""
    state_dir = (state_dir or default_state_dir()).resolve()
    try:
        info = _parse_state(state_dir)
    except DamagedState:
        found = _of_state_dir(state_dir)
        if not found:
            raise
        _stop(found, None, None, timeout)
        _remove_state(state_dir)
        return Shutdown(
            tuple(p.pid for p in found),
            f"{STATE_FILE} was damaged; its processes were found by their command line",
        )
    recorded = list(info.processes) if info is not None else []
    running = [p for p in recorded if processes.is_running(p)]
    # processes of this state dir the file does not name (a supervisor killed while starting, say)
    known = {p.pid for p in running}
    running += [p for p in _of_state_dir(state_dir) if p.pid not in known]
    note = ""
    if info is not None and not running:
        note = f"removed a stale {STATE_FILE}"
        if processes.identity(info.pid) is not None:
            note += f" (pid {info.pid} is now another process, left alone)"
    if running:
        supervisor = recorded[0] if recorded and recorded[0] in running else None
        _stop(running, info.process_group if info is not None else None, supervisor, timeout)
    _remove_state(state_dir)
    return Shutdown(tuple(p.pid for p in running), note)


def up(state_dir: Path | None = None, *, realistic: bool = False, timeout: float = 60.0) -> SandboxInfo:
    """Start the sandbox in the background (or return the one already running) and wait until it is ready."""
    state_dir = (state_dir or default_state_dir()).resolve()
    try:
        running = read_info(state_dir)
    except DamagedState:
        running = None  # nothing of this state dir runs: the damaged file is replaced
    if running is not None:
        return running
    state_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(DamagedState):
        shut_down(state_dir)  # children left behind by a supervisor that was killed
    try:
        (state_dir / STATE_FILE).unlink(missing_ok=True)
    except OSError as exc:
        raise UserError(
            f"The sandbox state file {state_dir / STATE_FILE} cannot be replaced: {exc.strerror or exc}.",
            "Remove it (it is not a file the sandbox wrote), or pass another --state-dir.",
        ) from None
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
            _stop_group(proc)
            tail = (state_dir / LOG_FILE).read_text(errors="replace").strip().splitlines()[-5:]
            raise UserError(
                "The sandbox stopped while starting: " + (" | ".join(tail) or f"exit code {proc.returncode}"),
                f"See {state_dir / LOG_FILE}; install the extras with: pip install 'jupyter-sagemaker-ack[sandbox]'.",
            )
        time.sleep(0.05)
    _stop_group(proc)
    raise UserError(f"The sandbox was not ready within {timeout:.0f} s.", f"See {state_dir / LOG_FILE}.")


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop a supervisor that failed to start and every child it made: the group we just created.

    Until ``proc`` is reaped its pid (the group id) cannot be reused, so the group is still ours.
    """
    for signum in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, signum)
        except ProcessLookupError:
            break
        time.sleep(0.5)
    proc.wait()


def down(state_dir: Path | None = None, *, timeout: float = 15.0) -> bool:
    """Stop the sandbox in ``state_dir``; True when any of its processes was running."""
    return bool(shut_down(state_dir, timeout=timeout).stopped)


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
