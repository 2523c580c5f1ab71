"""Importing the package or loading the extension pulls in no SDK, no boto3, no Kubernetes client."""

from __future__ import annotations

import subprocess
import sys

# jsonschema: about a second with its format checkers; only a policy file or the CRD checks need it.
HEAVY = ("sagemaker", "kubernetes", "boto3", "botocore", "jsonschema")


def _loaded_after(code: str) -> set[str]:
    listing = f"sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})"
    probe = f"{code}\nimport sys\nprint('LOADED:' + ' '.join({listing}))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.rsplit("LOADED:", 1)[1].split())


def test_import_package_is_light():
    assert _loaded_after("import jupyter_sagemaker_ack") == set()


def test_cli_help_is_light():
    assert (
        _loaded_after(
            "from jupyter_sagemaker_ack.faces.cli import cli\n"
            "try:\n    cli.main(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass"
        )
        == set()
    )


def test_load_ext_is_light():
    assert (
        _loaded_after(
            "from IPython.testing.globalipapp import start_ipython\n"
            "start_ipython().run_line_magic('load_ext', 'jupyter_sagemaker_ack')"
        )
        == set()
    )
