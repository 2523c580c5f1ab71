"""Hostile and mistaken sandbox state files and settings: one clear outcome, and no foreign process signalled.

Each case names a ``sandbox.json`` (or a setting) a user could end up with, and asserts the exit code, the
one ``error:``/``fix:`` pair (or a clean "no sandbox"), no traceback, that the sentinel ``sleep`` process
the file may point at is still alive, and that nothing of the sandbox is left running.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_sagemaker_ack.faces.magics.results import Problem

from .conftest import Outcome, assert_no_traceback, assert_user_error, cli, files_under

SUPERVISOR = ("-m", "jupyter_sagemaker_ack.sandbox.stack", "serve", "--state-dir")


def _start(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def _sandbox_processes_of(state: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(str(state).encode() in a for a in argv) and b"jupyter_sagemaker_ack.sandbox" in b" ".join(
                argv
            ):
                found.append(int(entry.name))
    return found


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """An unrelated process that a hostile or stale sandbox.json points at; it must survive every case."""
    proc = subprocess.Popen(["sleep", "300"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def _doc(state: Path, processes: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "stateDir": str(state),
        "pid": processes[0]["pid"] if processes and isinstance(processes[0], dict) else 0,
        "endpoints": {"aws": "http://127.0.0.1:1"},
        "env": {"AWS_REGION": "us-east-1"},
        "processGroup": None,
        "processes": processes,
        **extra,
    }


def _supervisor(state: Path, pid: int, start: int) -> dict[str, Any]:
    return {"pid": pid, "start": start, "argv": [sys.executable, *SUPERVISOR, str(state)]}


# name -> (sandbox.json content for (state dir, sentinel pid), sandbox command, exit code, words said or None)
Writer = Callable[[Path, int], bytes]
DAMAGED = ("damaged", "rm ")
CASES: dict[str, tuple[Writer, str, int, tuple[str, ...] | None]] = {
    "empty": (lambda s, p: b"", "down", 2, ("damaged (empty)", "rm ")),
    "whitespace": (lambda s, p: b" \n\t", "down", 2, ("damaged (empty)",)),
    "binary": (lambda s, p: bytes(range(256)) * 4, "down", 2, ("not utf-8", "rm ")),
    "truncated json": (lambda s, p: b'{"pid": ', "down", 2, ("not json", "sandbox up")),
    "json array": (lambda s, p: b"[1, 2]", "down", 2, ("not a json object", *DAMAGED)),
    "deep nesting": (lambda s, p: b"[" * 100_000 + b"]" * 100_000, "down", 2, DAMAGED),
    "old format with a foreign pid": (lambda s, p: json.dumps({"pid": p}).encode(), "down", 2, DAMAGED),
    "pid as text": (
        lambda s, p: json.dumps(_doc(s, [{"pid": str(p), "start": 1, "argv": ["x"]}])).encode(),
        "down",
        2,
        ("is not a process id", "rm "),
    ),
    "pid 1": (
        lambda s, p: json.dumps(_doc(s, [_supervisor(s, 1, 0)])).encode(),
        "down",
        2,
        ("pid 1 is not a process id",),
    ),
    "negative pid": (
        lambda s, p: json.dumps(_doc(s, [_supervisor(s, -1, 0)])).encode(),
        "down",
        2,
        ("is not a process id",),
    ),
    "foreign process named exactly": (
        lambda s, p: json.dumps(_doc(s, [{"pid": p, "start": _start(p), "argv": ["sleep", "300"]}])).encode(),
        "down",
        2,
        ("is not a sandbox process of", "rm "),
    ),
    "another state dir's supervisor": (
        lambda s, p: json.dumps(_doc(s, [_supervisor(s.parent / "other", p, _start(p))])).encode(),
        "down",
        2,
        ("is not a sandbox process of",),
    ),
    "foreign process group": (
        lambda s, p: json.dumps(_doc(s, [_supervisor(s, p, _start(p))], processGroup=p + 1)).encode(),
        "down",
        2,
        ("process group", "rm "),
    ),
    "stale pid reused by another process": (
        lambda s, p: json.dumps(_doc(s, [_supervisor(s, p, _start(p))], processGroup=p)).encode(),
        "down",
        0,
        None,
    ),
    "stale pid with an old start time": (
        lambda s, p: json.dumps(_doc(s, [_supervisor(s, p, 0)], processGroup=p)).encode(),
        "down",
        0,
        None,
    ),
    "status with a damaged file": (lambda s, p: b"\x00\x01", "status", 2, ("not json", "rm ")),
    "status with pid as text": (lambda s, p: b'{"pid": "abc"}', "status", 2, DAMAGED),
    "status with an empty list": (lambda s, p: b"[]", "status", 2, ("not a json object", *DAMAGED)),
    "status with an empty object": (lambda s, p: b"{}", "status", 2, DAMAGED),
    "status with the old format and pid 1": (lambda s, p: b'{"pid": 1}', "status", 2, DAMAGED),
    "env with pid as text": (lambda s, p: b'{"pid": "abc"}', "env", 2, DAMAGED),
    "env with an empty list": (lambda s, p: b"[]", "env", 2, ("not a json object", *DAMAGED)),
    "env with an empty object": (lambda s, p: b"{}", "env", 2, DAMAGED),
    "env with the old format and pid 1": (lambda s, p: b'{"pid": 1}', "env", 2, DAMAGED),
    "env with a stale file": (
        lambda s, p: json.dumps(_doc(s, [_supervisor(s, p, 0)])).encode(),
        "env",
        2,
        ("no sandbox is running", "sandbox up"),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_sandbox_json(case: str, tmp_path: Path, sleeper: subprocess.Popen[bytes]) -> None:
    write, command, exit_code, said = CASES[case]
    state = (tmp_path / "state").resolve()
    state.mkdir()
    (state / "sandbox.json").write_bytes(write(state, sleeper.pid))
    outcome = cli("sandbox", command, "--state-dir", str(state))
    if said is None:
        assert_no_traceback(outcome)
        assert outcome.exit_code == exit_code, outcome.output
        assert "error:" not in outcome.output
        assert "no sandbox was running" in outcome.stdout
        assert not (state / "sandbox.json").exists()  # the stale file is cleaned up
    else:
        assert_user_error(outcome, *said, exit_code=exit_code)
        if command == "down":
            assert (state / "sandbox.json").exists()  # refused: nothing removed
    time.sleep(0.1)
    assert sleeper.poll() is None, "a process the sandbox did not start was signalled"
    assert _sandbox_processes_of(state) == []


SPECIAL_FILES: dict[str, Callable[[Path], None]] = {
    "a directory": lambda path: path.mkdir(),
    "a fifo": lambda path: os.mkfifo(path),
    "a symlink to /dev/zero": lambda path: path.symlink_to("/dev/zero"),
    "larger than 1 MiB": lambda path: path.write_bytes(b" " * 2_000_000),
    "a dangling symlink": lambda path: path.symlink_to(path.parent / "gone"),
}


@pytest.mark.parametrize("case", list(SPECIAL_FILES))
def test_state_file_that_is_not_a_small_regular_file(
    case: str, tmp_path: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    SPECIAL_FILES[case](state / "sandbox.json")
    started = time.monotonic()
    outcome = cli("sandbox", "down", "--state-dir", str(state))
    assert time.monotonic() - started < 10  # a FIFO or /dev/zero must not hang it
    if case == "a dangling symlink":
        assert_no_traceback(outcome)
        assert outcome.exit_code == 0
        assert "no sandbox was running" in outcome.stdout
    else:
        assert_user_error(outcome, "not a regular file of at most", "rm ")
        assert os.path.lexists(state / "sandbox.json")
    assert sleeper.poll() is None
    assert _sandbox_processes_of(state) == []


def test_up_over_a_directory_named_sandbox_json(tmp_path: Path) -> None:
    state = tmp_path / "state"
    (state / "sandbox.json").mkdir(parents=True)
    outcome = cli("sandbox", "up", "--state-dir", str(state))
    assert_user_error(outcome, "cannot be replaced", "another --state-dir")
    assert _sandbox_processes_of(state.resolve()) == []
    assert files_under(state) == []


def test_down_twice_without_a_sandbox(tmp_path: Path) -> None:
    for _ in range(2):
        outcome = cli("sandbox", "down", "--state-dir", str(tmp_path))
        assert_no_traceback(outcome)
        assert outcome.exit_code == 0
        assert outcome.stdout.strip() == "no sandbox was running"
    assert list(tmp_path.iterdir()) == []


# -- settings: a bad value is one error naming where it was set, before any request --------------------

SETTING_CASES = {
    "s3 endpoint without scheme": (
        {"AWS_ENDPOINT_URL_S3": "s3.example.com"},
        ("s3 endpoint", "$aws_endpoint_url_s3"),
    ),
    "generic endpoint ftp": (
        {"AWS_ENDPOINT_URL": "ftp://x"},
        ("not an http(s) url", "http://127.0.0.1:5000"),
    ),
    "kms endpoint bad port": ({"AWS_ENDPOINT_URL_KMS": "http://h:99999"}, ("kms endpoint",)),
    "sts endpoint with a space": ({"AWS_ENDPOINT_URL_STS": "http://a b"}, ("sts endpoint", "unset it")),
    "region is not a region": ({"SAGEMAKER_ACK_REGION": "Europe"}, ("not an aws region name", "us-east-1")),
    "prefix with a newline": (
        {"SAGEMAKER_ACK_PREFIX": "p\n"},
        ("control characters", "sagemaker_ack_prefix"),
    ),
    "unknown profile": ({"AWS_PROFILE": "nobody-here"}, ("profile 'nobody-here'", "aws configure --profile")),
}


@pytest.mark.parametrize("case", list(SETTING_CASES))
def test_a_bad_setting_in_the_environment(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env, said = SETTING_CASES[case]
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    (tmp_path / "aws-config").write_text("[profile dev]\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAADVERSARIAL00001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    # an unroutable endpoint: a request that slipped through would hang or fail differently
    outcome = cli(
        "history", "abalone", "--bucket", "b", env={"AWS_ENDPOINT_URL_SAGEMAKER": "http://192.0.2.1:9", **env}
    )
    assert_user_error(outcome, *said)


MAGIC_CASES = {
    "s3_endpoint": ("nope", ("%config sagemakerack.s3_endpoint", "not an http(s) url")),
    "sagemaker_endpoint": ("http://", ("sagemaker endpoint", "%config sagemakerack.sagemaker_endpoint")),
    "region": ("us east 1", ("not an aws region name",)),
    "profile": ("two words", ("aws profile name", "%config sagemakerack.profile")),
}


@pytest.mark.parametrize("name", list(MAGIC_CASES))
def test_a_bad_percent_config_value(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from IPython.testing.globalipapp import get_ipython, start_ipython
    from IPython.utils.capture import capture_output

    value, said = MAGIC_CASES[name]
    for var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_SAGEMAKER", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    shell = start_ipython() or get_ipython()
    shell.run_line_magic("load_ext", "jupyter_sagemaker_ack")
    try:
        shell.run_line_magic("config", f"SageMakerAck.{name} = {value!r}")
        with capture_output() as captured:
            value_back = shell.run_line_magic("sagemaker_ack", "config")
        shown = "\n".join(o.data.get("text/plain", "") for o in captured.outputs) + captured.stdout
        outcome = Outcome(0, shown, captured.stderr)
        assert isinstance(value_back, Problem)  # a failed magic returns the Problem it shows
        assert_user_error(outcome, *said, exit_code=0)
    finally:
        shell.run_line_magic("unload_ext", "jupyter_sagemaker_ack")
        shell.config.pop("SageMakerAck", None)
