"""The README's test command on a fresh machine: nothing global but Python, Node.js and the system.

``jlpm`` lives in the project's ``.venv``, so a package.json script that calls ``jlpm`` (or any tool that is
only on a developer's PATH) fails on a clean machine with "command not found". These tests run the scripts
with a PATH that holds only the venv's bin, node's directory and /usr/bin:/bin.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LABEXTENSION = ROOT / "labextension"
VENV_BIN = Path(sys.executable).parent


def _fresh_path() -> str:
    node = shutil.which("node")
    dirs = [str(VENV_BIN), *([str(Path(node).parent)] if node else []), "/usr/bin", "/bin"]
    return os.pathsep.join(dict.fromkeys(dirs))


def test_no_package_script_calls_a_global_tool():
    scripts = json.loads((LABEXTENSION / "package.json").read_text())["scripts"]
    for name, command in scripts.items():
        for word in re.findall(r"(?:^|&&|\|\||;)\s*([\w:.-]+)", command):
            assert word in {"run", "node", "tsc"}, f"script {name!r} calls {word!r}, which may not be on PATH"


def test_jlpm_test_passes_with_only_the_venv_node_and_the_system_on_path():
    jlpm = VENV_BIN / "jlpm"
    if not jlpm.exists():
        pytest.fail(f"{jlpm} is missing: the `dev` extra installs jupyter-builder, which provides jlpm")
    env = {"PATH": _fresh_path(), "HOME": os.environ.get("HOME", "/tmp"), "YARN_ENABLE_TELEMETRY": "0"}
    if not (LABEXTENSION / "node_modules").is_dir():
        installed = subprocess.run(
            [str(jlpm), "install", "--immutable"], cwd=LABEXTENSION, env=env, capture_output=True, text=True
        )
        assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    done = subprocess.run(
        [str(jlpm), "test"], cwd=LABEXTENSION, env=env, capture_output=True, text=True, timeout=300
    )
    assert "command not found" not in done.stdout + done.stderr
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert re.search(r"^# fail 0$", done.stdout, re.MULTILINE)


def test_test_sh_without_node_says_what_to_install(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "dirname", "id"):
        found = shutil.which(tool)
        assert found
        (bin_dir / tool).symlink_to(found)
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "test.sh")],
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert [line.split(":")[0] for line in lines] == ["error", "fix"]
    assert "Node.js" in lines[0]
