"""Rules for credentials pasted into a definition or manifest: AWS keys, passwords and tokens.

A definition is stored in S3, in git and in the cluster, and shown in the SageMaker console: anything in
it is readable by many. Secrets hide in three more places than a value of their own: a shell command line
(``export AWS_SECRET_ACCESS_KEY=...`` in an entrypoint), an environment variable's command string, and the
DefaultValue of a pipeline parameter named like a password. Messages never repeat the secret; they show at
most a masked prefix.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping

from ...definition import Definition
from ..positions import PathKey
from ..sink import Sink
from ..step_index import Owner
from .placeholders import has_placeholder

ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
_SECRET_KEY = re.compile(r"[A-Za-z0-9/+]{40}")
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
# A name ending in one of these names a secret (its ARN, its id in a vault), it does not hold one.
_REFERENCE_WORDS = {"name", "arn", "id", "uri", "url", "path", "file", "ref"}
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_REFERENCE = re.compile(r"^(?:arn:aws|\{\{resolve:|\$\{|\$\(|\$[A-Za-z_]|s3://|/)|^\*+$")
# NAME=value in a command string: `export NAME=value`, `NAME=value cmd`, `--name=value`, `env NAME="v"`.
# A name starts only after a character that cannot be part of one, so a hostile "=a-a-a-..." is one
# attempt (linear), not one per character (quadratic).
_ASSIGNMENT = re.compile(
    r"""(?<![\w$\-])(?:--?)?(?P<name>[A-Za-z_][A-Za-z0-9_\-]*)[ \t]*=[ \t]*"""
    r"""(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)'|(?P<bare>[^\s;&|'"`)]+))"""
)


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


def holds_secret(name: str) -> bool:
    """A name for a secret's value (``DB_PASSWORD``), not for a reference to one (``DB_PASSWORD_ARN``)."""
    words = _words(name)
    return is_secret_name(name) and bool(words) and words[-1] not in _REFERENCE_WORDS


def looks_like_secret_key(value: str) -> bool:
    if not _SECRET_KEY.fullmatch(value):
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


def _is_aws_secret_name(name: str) -> bool:
    return name.upper().replace("-", "_") in ("AWS_SECRET_ACCESS_KEY", "SECRET_ACCESS_KEY")


def shell_assignments(text: str) -> Iterator[tuple[str, str]]:
    """``(name, value)`` of every ``NAME=value`` in a command string whose value is written out literally."""
    for match in _ASSIGNMENT.finditer(text):
        value = match.group("double")
        if value is None:
            value = match.group("single")
        if value is None:
            value = match.group("bare")
        yield match.group("name"), value or ""


def _in_command(text: str) -> list[tuple[str, str]]:
    """Findings for secrets assigned inside a command string (entrypoint, arguments, environment)."""
    found: list[tuple[str, str]] = []
    for name, value in shell_assignments(text):
        if has_placeholder(value) or not value or _REFERENCE.match(value):
            continue
        if _is_aws_secret_name(name):
            found.append(("SMA502", f"A command line sets {name} to a literal key ({mask(value)})."))
        elif holds_secret(name) and _literal_secret(value):
            found.append(("SMA503", f"A command line sets {name} to a literal secret ({mask(value)})."))
    return found


def check_string(sink: Sink, text: str, path: list[PathKey], owner: Owner) -> None:
    """AWS keys anywhere; passwords and tokens as values of secret-looking names or inside command lines."""
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
    elif "=" in text and not found:
        found.extend(_in_command(text))
    if found:
        here = tuple(path)
        step, parameter = owner(here)
        for code, message in found:
            sink.add(code, message, path=here, step=step, parameter=parameter)


def check_parameter_defaults(sink: Sink, definition: Definition) -> None:
    """A parameter named like a password with a literal DefaultValue: the default is the secret."""
    items = definition.raw.get("Parameters")
    if not isinstance(items, list):
        return
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue
        name, default = item.get("Name"), item.get("DefaultValue")
        if not isinstance(name, str) or not isinstance(default, str) or not default.strip():
            continue
        if not holds_secret(name) or has_placeholder(default) or _REFERENCE.match(default.strip()):
            continue
        sink.add(
            "SMA504",
            f"Parameter '{name}' has a literal DefaultValue ({mask(default)}); the default is stored with "
            "the definition.",
            path=("Parameters", i, "DefaultValue"),
            parameter=name,
        )
