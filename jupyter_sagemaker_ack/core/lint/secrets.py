"""Credentials pasted into a definition or manifest: AWS keys, passwords and tokens.

A definition is stored in S3, in git and in the cluster, and shown in the SageMaker console: anything in
it is readable by many. Messages never repeat the secret; they show at most a masked prefix.
"""

from __future__ import annotations

import itertools
import re

from .placeholders import Owner
from .positions import PathKey
from .sink import Sink

ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
_SECRET_KEY = re.compile(r"^[A-Za-z0-9/+]{40}$")
_SECRET_WORDS = {
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "credential",
    "credentials",
    "privatekey",
}
_SECRET_PAIRS = {("api", "key"), ("private", "key"), ("access", "key"), ("secret", "key"), ("auth", "token")}
_SECRET_CONTAINERS = {"HyperParameters", "StaticHyperParameters", "Environment", "Arguments"}
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_REFERENCE = re.compile(r"^(?:arn:aws|\{\{resolve:|\$\{|\$\(|s3://|/)|^\*+$")


def mask(secret: str) -> str:
    """``AKIA************`` style: enough to recognise which key it was, not enough to use it."""
    shown = 4 if len(secret) >= 16 else 0
    return secret[:shown] + "*" * 8 + f" ({len(secret)} characters)"


def _words(key: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(key)]


def is_secret_name(key: str) -> bool:
    words = _words(key)
    if any(w in _SECRET_WORDS for w in words):
        return True
    return any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


def looks_like_secret_key(value: str) -> bool:
    if not _SECRET_KEY.match(value):
        return False
    has_upper = any(c.isupper() for c in value)
    has_lower = any(c.islower() for c in value)
    has_digit = any(c.isdigit() for c in value)
    return has_upper and has_lower and has_digit and value.count("/") <= 4 and not value.startswith("/")


def _literal_secret(value: str) -> bool:
    text = value.strip()
    if len(text) < 4 or _REFERENCE.match(text):
        return False
    return not re.fullmatch(r"[-+]?\d+(\.\d+)?|true|false|none|null", text, re.IGNORECASE)


def check_string(sink: Sink, text: str, path: list[PathKey], owner: Owner) -> None:
    """AWS keys anywhere; passwords and tokens as values of secret-looking environment or argument names."""
    key = path[-1] if path and isinstance(path[-1], str) else None
    container = path[-2] if len(path) >= 2 and isinstance(path[-2], str) else None
    found: list[tuple[str, str]] = []
    if "AKIA" in text or "ASIA" in text:
        found.extend(
            ("SMA501", f"An AWS access key id ({mask(m.group())}) is in plain text.")
            for m in ACCESS_KEY_ID.finditer(text)
        )
    if len(text) == 40 and looks_like_secret_key(text):
        found.append(
            ("SMA502", f"The value of '{key or '?'}' looks like an AWS secret access key ({mask(text)}).")
        )
    elif (
        key is not None
        and container in _SECRET_CONTAINERS
        and is_secret_name(key)
        and _literal_secret(text)
        and not found
    ):
        kind = "environment variable" if container == "Environment" else "value"
        if container in ("HyperParameters", "StaticHyperParameters"):
            kind = "hyperparameter"
        found.append(("SMA503", f"The {kind} '{key}' holds a literal secret ({mask(text)})."))
    if found:
        here = tuple(path)
        step, parameter = owner(here)
        for code, message in found:
            sink.add(code, message, path=here, step=step, parameter=parameter)
