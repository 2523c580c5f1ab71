"""Which :class:`~.results.Problem` a failed subcommand shows: a user mistake, a file, or a service.

A local file error on a path the user gave (``-o`` target, an input file) is a file problem with its own
fix; only a connection error is "could not reach a service"; a service that answered with an error says
so. Anything else is a bug and keeps its traceback. Client libraries are recognised by their module name,
never imported: the faces do not import boto3, botocore or kubernetes.
"""

from __future__ import annotations

import errno
import socket

from ...core.errors import UserError
from .results import Problem

# Exceptions from these client libraries come from talking to a service, not from the notebook.
CLIENT_MODULES = (
    "urllib3",
    "botocore",
    "boto3",
    "kubernetes",
    "requests",
    "http",
    "socket",
    "ssl",
    "aiohttp",
)
SETTINGS_FIX = (
    "Check the endpoints, region and kubeconfig in `%sagemaker_ack config` "
    "(is the cluster or the sandbox running?)."
)
FILE_FIXES = {
    errno.ENOENT: "Check the path: the file or its folder does not exist.",
    errno.EACCES: "Pick a path you may read or write, or fix its permissions.",
    errno.EPERM: "Pick a path you may read or write, or fix its permissions.",
    errno.EROFS: "The file system is read-only: pick a path elsewhere.",
    errno.EISDIR: "That is a folder: give a file path ending in .yaml, or a folder for a kustomization.",
    errno.ENOTDIR: "Part of the path is a file, not a folder: check the path.",
    errno.EEXIST: "A file is in the way where a folder is needed: pick another path or move the file.",
    errno.ELOOP: "The path loops through symbolic links: check the path.",
    errno.ENOSPC: "The disk is full: free some space or pick another path.",
    errno.ENAMETOOLONG: "The path is too long: pick a shorter one.",
}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def _from_client(exc: BaseException) -> bool:
    return any(c.__module__.split(".")[0] in CLIENT_MODULES for c in type(exc).__mro__[:-1])


def file_problem(exc: OSError) -> Problem:
    """A local file error on ``exc.filename``: what could not be done there, and the fix for its errno."""
    where = str(exc.filename2 if exc.filename2 is not None else exc.filename)  # filename2: a rename's target
    if len(where) > 160:
        where = where[:80] + "\u2026" + where[-60:]
    reason = exc.strerror or type(exc).__name__
    fix = FILE_FIXES.get(exc.errno or 0, "Check the path and its permissions.")
    return Problem(f"Cannot use the file {where}: {reason}.", fix)


def problem_of(exc: BaseException) -> Problem | None:
    """The Problem to show for ``exc``, or None when it is a bug (the traceback is then the report)."""
    if isinstance(exc, UserError):
        return Problem(exc.problem, exc.fix)
    if isinstance(exc, (ConnectionError, TimeoutError, socket.gaierror)):
        return Problem(f"Could not reach a service: {type(exc).__name__}: {_first_line(exc)}", SETTINGS_FIX)
    if isinstance(exc, OSError) and exc.filename is not None:
        return file_problem(exc)
    if isinstance(exc, UnicodeDecodeError):
        return Problem(f"A file is not UTF-8 text: {_first_line(exc)}.", "Save the file as UTF-8 and retry.")
    if _from_client(exc):
        answered = getattr(exc, "response", None) is not None or getattr(exc, "status", None) is not None
        if answered:
            return Problem(
                f"The service refused the request: {type(exc).__name__}: {_first_line(exc)}",
                "Check the credentials, bucket, region and namespace in `%sagemaker_ack config`.",
            )
        return Problem(f"Could not reach a service: {type(exc).__name__}: {_first_line(exc)}", SETTINGS_FIX)
    if isinstance(exc, OSError):  # no file named: a socket error without a client library's wrapper
        return Problem(f"Could not reach a service: {type(exc).__name__}: {_first_line(exc)}", SETTINGS_FIX)
    return None
