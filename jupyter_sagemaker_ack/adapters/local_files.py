"""Local files as readers meet them: one UTF-8 text, or one clear :class:`UserError` saying why not.

Every face reads YAML and definitions from the local disk (CLI arguments, the magics, the review view).
A missing file, a folder where a file was meant, no permission, a symlink loop or bytes that are not
UTF-8 are the user's to fix, so they become the same error everywhere instead of an ``OSError``.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..core.errors import UserError
from ..core.names import shown


def read_text(path: str | os.PathLike[str]) -> str:
    """The UTF-8 text of ``path`` (a leading byte-order mark is kept: the YAML reader skips it)."""
    where = shown(str(path))
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UserError(
            f"Cannot read {where}: {exc.strerror or type(exc).__name__}.",
            "Check that the path names a file you may read.",
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{where} is not UTF-8 text (byte {exc.start}).",
            "Save the file as UTF-8; the YAML and JSON this tool reads are UTF-8.",
        ) from None


def missing(path: str | os.PathLike[str]) -> str:
    """Why ``path``, which is neither a file nor a folder, cannot be read: absent, or a link to nothing."""
    where = shown(str(path))
    if Path(path).is_symlink():
        return f"{where} is a symbolic link that leads nowhere or loops back to itself."
    return f"{where} does not exist."
