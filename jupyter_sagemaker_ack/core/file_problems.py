"""What a local file error means to a user: one wording and one fix per errno, for every face and writer.

The magics turn a stray ``OSError`` into this message ("Cannot use the file ..."); render's writer turns
its own into the same family ("Cannot write the file ..."), so ``-o`` into a file, a folder, a symlink loop
or a name too long reads alike in the CLI, the magics and Python.
"""

from __future__ import annotations

import errno

from .errors import UserError

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
DEFAULT_FIX = "Check the path and its permissions."


def file_problem(where: str, reason: str, code: int | None, action: str = "use") -> UserError:
    """``Cannot ACTION the file WHERE: REASON.`` with the fix for ``code`` (an errno); long paths shortened.

    ``action`` is what was tried when the caller knows it (``write``); ``use`` when it does not.
    """
    if len(where) > 160:
        where = where[:80] + "\u2026" + where[-60:]
    return UserError(f"Cannot {action} the file {where}: {reason}.", FILE_FIXES.get(code or 0, DEFAULT_FIX))
