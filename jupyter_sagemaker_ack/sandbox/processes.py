"""Who a pid is: the identity of a process (pid, start time, command line) read from ``/proc``, checked before
the sandbox signals anything.

A pid in a state file outlives its process: after a reboot or a crash the number may belong to someone
else's process. The sandbox records each of its processes' identities when it starts them and signals a pid
only while its start time and command line still match, so a stale file can never stop a foreign process.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROC = Path("/proc")


@dataclass(frozen=True)
class Identity:
    """A process as it was when the sandbox started it."""

    pid: int
    start: int  # clock ticks after boot, field 22 of /proc/<pid>/stat
    argv: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"pid": self.pid, "start": self.start, "argv": list(self.argv)}

    @classmethod
    def from_json(cls, data: Any) -> Identity:
        """The identity recorded in a state file; ValueError when the entry is not one."""
        if not isinstance(data, Mapping):
            raise ValueError("a process entry is not an object")
        pid, start, argv = data.get("pid"), data.get("start"), data.get("argv")
        if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 1:
            raise ValueError(f"pid {pid!r} is not a process id")
        if not isinstance(start, int) or isinstance(start, bool) or start < 0:
            raise ValueError(f"start time {start!r} is not a number of clock ticks")
        if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
            raise ValueError("argv is not a list of strings")
        return cls(pid=pid, start=start, argv=tuple(argv))


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (field 3 onwards), or None when it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    _, sep, rest = text.rpartition(")")
    return rest.split() if sep else None


def _argv(pid: int) -> tuple[str, ...]:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return ()
    return tuple(part.decode("utf-8", "surrogateescape") for part in raw.split(b"\0") if part)


def identity(pid: int) -> Identity | None:
    """The identity of the live process ``pid`` now (None when there is none, or only a zombie)."""
    fields = _stat_fields(pid)
    if fields is None or len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    return Identity(pid=pid, start=int(fields[19]), argv=_argv(pid))


def process_group(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[2]) if fields is not None and len(fields) > 2 else None


def is_running(recorded: Identity) -> bool:
    """Whether the process the sandbox recorded still runs: same pid, same start time, same command line."""
    now = identity(recorded.pid)
    return now is not None and now.start == recorded.start and now.argv == recorded.argv


def reap(pid: int) -> None:
    """Collect ``pid``'s exit status if it is our child, so it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def signal_if_ours(recorded: Identity, signum: signal.Signals) -> bool:
    """Send ``signum`` to the recorded process only while it is still that process; True when sent."""
    reap(recorded.pid)
    if not is_running(recorded):
        return False
    try:
        os.kill(recorded.pid, signum)
    except ProcessLookupError:
        return False
    return True


def signal_group_if_ours(pgid: int, members: Iterable[Identity], signum: signal.Signals) -> bool:
    """Signal the process group ``pgid`` only while one of its verified members still leads or belongs to it.

    A group id is free for reuse once its last member exits; checking a live verified member keeps a stale
    id from reaching a foreign group.
    """
    if pgid <= 1 or pgid == os.getpgrp():
        return False
    if not any(is_running(m) and process_group(m.pid) == pgid for m in members):
        return False
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def find(*needles: str) -> list[Identity]:
    """Live processes of this user whose command line holds every one of ``needles`` (not this process)."""
    found = []
    me = os.getpid()
    uid = os.getuid()
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
        except OSError:
            continue
        current = identity(int(entry.name))
        if current is not None and all(any(n in a for a in current.argv) for n in needles):
            found.append(current)
    return found
