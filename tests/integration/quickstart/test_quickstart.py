"""The README's main job: `sagemaker-ack quickstart` runs the whole hand-off on the sandbox and succeeds."""

from __future__ import annotations

import subprocess
import sys

import pytest

from jupyter_sagemaker_ack.core import manifests

pytest.importorskip("sagemaker")
pytest.importorskip("moto")


def test_quickstart_end_to_end_on_a_fresh_sandbox(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter_sagemaker_ack",
            "quickstart",
            "-o",
            str(out),
            "--state-dir",
            str(tmp_path / "s"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert ": Succeeded (" in result.stdout
    assert "5/6 verified" in result.stdout
    docs = manifests.load_manifests((out / "pipeline.yaml").read_text())
    annotations = docs[0]["metadata"]["annotations"]
    assert annotations["sagemaker-ack.io/definition-version-id"]
    assert annotations["sagemaker-ack.io/kms-key-arn"].startswith("arn:aws:kms:")
    assert "sandbox stopped" in result.stdout
    assert not (tmp_path / "s" / "sandbox.json").exists()
