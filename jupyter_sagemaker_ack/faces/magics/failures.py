"""Which :class:`~.results.Problem` a failed subcommand shows: a user mistake, a file, or a service.

A local file error on a path the user gave (``-o`` target, an input file) is a file problem with its own
fix; only a connection error is "could not reach a service"; a service that answered with an error says
so. Anything else is a bug and keeps its traceback. Client libraries are recognised by their module name,
never imported: the faces do not import boto3, botocore or kubernetes.
"""

from __future__ import annotations

import socket

from ...core.errors import UserError
from ...core.file_problems import file_problem as core_file_problem
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


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def _from_client(exc: BaseException) -> bool:
    return any(c.__module__.split(".")[0] in CLIENT_MODULES for c in type(exc).__mro__[:-1])


def file_problem(exc: OSError) -> Problem:
    """A local file error on ``exc.filename``: what could not be done there, and the fix for its errno."""
    where = str(exc.filename2 if exc.filename2 is not None else exc.filename)  # filename2: a rename's target
    error = core_file_problem(where, exc.strerror or type(exc).__name__, exc.errno)
    return Problem(error.problem, error.fix)


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
