"""The real ``kubectl`` as an outside program: run it with argument lists, never a shell string.

The quickstart and the DevOps notebook show the hand-off exactly as a DevOps engineer does it, with
``kubectl apply`` and ``kubectl wait``; this adapter is the one place that starts that program.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
from collections.abc import Mapping, Sequence

from ..core import names
from ..core.errors import UserError


def kubectl(
    args: Sequence[str],
    *,
    kubeconfig: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 300.0,
) -> str:
    """Run ``kubectl ARGS`` and return its standard output; a failure is a :class:`UserError`."""
    for flag, value in itertools.pairwise(args):
        if flag in ("-n", "--namespace"):
            names.check_namespace(value)  # a value like "--all-namespaces" must not become a flag
    binary = shutil.which("kubectl")
    if binary is None:
        raise UserError("kubectl is not installed or not on PATH.", "Install kubectl 1.28 or newer.")
    command = [binary, *(["--kubeconfig", kubeconfig] if kubeconfig else []), *args]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=dict(env) if env is not None else None,
        )
    except subprocess.TimeoutExpired:
        raise UserError(
            f"`kubectl {' '.join(args)}` did not finish within {timeout:.0f} s.",
            "Check that the cluster answers (`kubectl cluster-info`), then try again.",
        ) from None
    if done.returncode != 0:
        raise UserError(
            f"`kubectl {' '.join(args)}` failed: {done.stderr.strip() or done.stdout.strip()}",
            "Check the cluster connection (KUBECONFIG) and the manifest.",
        )
    return done.stdout
