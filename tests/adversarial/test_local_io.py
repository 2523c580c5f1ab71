"""Local files that cannot be read or written: one error/fix pair, exit 2, and the disk as it was.

Output into an existing file, a folder, a place nobody may write; input that is missing, a folder, a
symlink loop or not UTF-8; a kubeconfig that is garbage. A folder render is whole or not at all, even when
the disk fails half-way.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from jupyter_sagemaker_ack.examples.synthetic import ROLE, abalone_definition

from .conftest import assert_user_error, cli, files_under

RENDER = ["--pipeline-name", "abalone", "--role-arn", ROLE]
LATIN1 = "pipelineName: caf\xe9\n".encode("latin-1")


@pytest.fixture
def definition_file(tmp_path: Path) -> Path:
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(abalone_definition()))
    return path


def _render(definition_file: Path, output: Path | str, *extra: str):
    return cli("render", str(definition_file), *RENDER, *extra, "-o", str(output))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in files_under(folder)}


# Output that cannot be written.


def test_render_into_an_existing_file_that_is_not_yaml_changes_nothing(
    definition_file: Path, tmp_path: Path
) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    assert_user_error(_render(definition_file, target), "not a folder")
    assert target.read_text() == "mine"


def test_render_below_a_file_is_refused(definition_file: Path, tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("mine")
    assert_user_error(_render(definition_file, tmp_path / "plain" / "out"), "cannot write")
    assert (tmp_path / "plain").read_text() == "mine"


def test_render_to_a_yaml_path_that_is_a_folder_is_refused(definition_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out.yaml"
    folder.mkdir()
    assert_user_error(_render(definition_file, folder), "folder")
    assert files_under(folder) == []


@pytest.mark.parametrize("target", ["/proc/sagemaker-ack-out", "/proc/sagemaker-ack.yaml"])
def test_render_where_nobody_may_write_is_refused(definition_file: Path, target: str) -> None:
    assert_user_error(_render(definition_file, target), "cannot write")
    assert not Path(target).exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
@pytest.mark.parametrize("name", ["out", "out.yaml"])
def test_render_into_a_read_only_folder_is_refused(definition_file: Path, tmp_path: Path, name: str) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert_user_error(_render(definition_file, folder / name), "cannot write")
        assert files_under(folder) == []
    finally:
        folder.chmod(0o755)


def test_a_kustomization_folder_in_the_way_leaves_the_target_as_it_was(
    definition_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    (out / "kustomization.yaml").mkdir(parents=True)
    (out / "pipeline.yaml").write_text("old")
    assert_user_error(_render(definition_file, out), "folder")
    assert (out / "pipeline.yaml").read_text() == "old"


def _disk_full(fail_on: int):
    """``Path.write_text`` that fails on its n-th call, as a full disk would."""
    original = Path.write_text
    calls = []

    def write_text(path: Path, *args, **kwargs):
        calls.append(path)
        if len(calls) == fail_on:
            raise OSError(28, "No space left on device", str(path))
        return original(path, *args, **kwargs)

    return write_text


def test_a_new_folder_is_written_whole_or_not_at_all(
    definition_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Path, "write_text", _disk_full(fail_on=2))
    out = tmp_path / "render" / "out"
    assert_user_error(_render(definition_file, out, "--execution"), "no space")
    assert not out.exists()
    assert files_under(tmp_path / "render") == []


def test_an_existing_folder_keeps_its_old_files_when_a_write_fails(
    definition_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "pipeline.yaml").write_text("old pipeline")
    (out / "README.md").write_text("the user's own file")
    before = _snapshot(out)
    monkeypatch.setattr(Path, "write_text", _disk_full(fail_on=3))
    assert_user_error(_render(definition_file, out, "--execution"), "no space")
    assert _snapshot(out) == before


def test_an_existing_folder_keeps_its_old_files_when_a_move_fails(
    definition_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "pipeline.yaml").write_text("old pipeline")
    (out / "kustomization.yaml").write_text("old kustomization")
    before = _snapshot(out)
    original = os.replace
    moves = []

    def failing_replace(src, dst):
        moves.append(dst)
        if Path(dst) == out / "kustomization.yaml" and moves.count(dst) == 1:
            raise OSError(5, "Input/output error", str(dst))
        return original(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    assert_user_error(_render(definition_file, out), "input/output error")
    assert _snapshot(out) == before


def test_a_render_over_an_earlier_one_replaces_its_files(definition_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli("render", str(definition_file), *RENDER, "-o", str(out)).exit_code == 0
    (out / "README.md").write_text("kept")
    outcome = cli("render", str(definition_file), *RENDER, "--execution", "-o", str(out))
    assert outcome.exit_code == 0, outcome.output
    assert files_under(out) == ["README.md", "execution.yaml", "kustomization.yaml", "pipeline.yaml"]
    assert "execution.yaml" in (out / "kustomization.yaml").read_text()


# Input that cannot be read.


def _loop(tmp_path: Path, name: str) -> Path:
    (tmp_path / f"{name}-a").symlink_to(tmp_path / f"{name}-b")
    (tmp_path / f"{name}-b").symlink_to(tmp_path / f"{name}-a")
    return tmp_path / f"{name}-a"


def _input(tmp_path: Path, kind: str, suffix: str) -> Path:
    if kind == "missing":
        return tmp_path / f"missing{suffix}"
    if kind == "symlink-loop":
        return _loop(tmp_path, f"loop{suffix}")
    if kind == "not-utf8":
        path = tmp_path / f"latin1{suffix}"
        path.write_bytes(LATIN1)
        return path
    if kind == "folder-of-junk":
        path = tmp_path / "junk"
        path.mkdir()
        (path / f"a{suffix}").write_bytes(LATIN1)
        return path
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["missing", "symlink-loop", "not-utf8", "folder-of-junk"])
@pytest.mark.parametrize("command", ["render", "apply", "diff"])
def test_an_unreadable_input_is_one_error(tmp_path: Path, command: str, kind: str) -> None:
    suffix = ".json" if command == "render" else ".yaml"
    path = _input(tmp_path, kind, suffix)
    out = tmp_path / "out"
    args = {
        "render": ["render", str(path), *RENDER, "-o", str(out)],
        "apply": ["apply", str(path), "--dry-run"],
        "diff": ["diff", str(path), str(path)],
    }[command]
    env = {"KUBECONFIG": str(tmp_path / "no-kubeconfig")}
    assert_user_error(cli(*args, env=env))
    assert files_under(out) == []


def test_render_of_a_folder_says_it_is_a_folder(tmp_path: Path) -> None:
    assert_user_error(cli("render", str(tmp_path), *RENDER), "folder")


# Kubeconfigs that are not kubeconfigs.

KUBECONFIGS = {
    "empty": b"",
    "binary": bytes(range(256)),
    "broken-yaml": b"clusters: [\n",
    "a-string": b"just words\n",
    "a-list": b"- 1\n- 2\n",
    "wrong-types": b"apiVersion: v1\nclusters: 5\ncontexts: x\ncurrent-context: a\n",
    "alias-bomb": b'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    + b"".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n".encode() for i in range(8)
    ),
}


@pytest.mark.parametrize("command", ["runs", "status", "apply"])
@pytest.mark.parametrize("case", sorted(KUBECONFIGS))
def test_a_corrupt_kubeconfig_is_one_error(
    tmp_path: Path, definition_file: Path, case: str, command: str
) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_bytes(KUBECONFIGS[case])
    manifest = tmp_path / "pipeline.yaml"
    assert cli("render", str(definition_file), *RENDER, "-o", str(manifest)).exit_code == 0
    args = {
        "runs": ["runs"],
        "status": ["status", "some-run"],
        "apply": ["apply", str(manifest), "--dry-run"],
    }
    outcome = cli(*args[command], env={"KUBECONFIG": str(kubeconfig), "SAGEMAKER_ACK_NAMESPACE": "ns"})
    assert_user_error(outcome, "kubeconfig")
