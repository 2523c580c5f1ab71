"""The generated Roles are enough and each rule needed, proven on the sandbox's Kubernetes API with RBAC on.

The emulator authenticates the bearer token of a kubeconfig user (alice) and authorises every request by
the Roles and RoleBindings in the cluster (sandbox/kubeapi/access.py), as a real API server does; the
sandbox's own kubeconfig stays a cluster admin, so its controller keeps reconciling. Alice submits,
watches, lists and stops with exactly the Role `sagemaker-ack rbac` prints; without any one rule, the
operation that needs it is refused (403 Forbidden, or submit's access review says so before any write).
"""

from __future__ import annotations

import json
import secrets
import subprocess
import urllib.request
from pathlib import Path

import pytest
import yaml

from jupyter_sagemaker_ack.core import rbac
from jupyter_sagemaker_ack.examples.synthetic import ROLE, chain_definition
from tests.fixtures.sandbox import default_step_seconds

from .helpers import run_cli

TOKEN = "alice-" + secrets.token_hex(8)
OPERATIONS = {"ml-engineer": ("submit", "status", "sidebar", "stop"), "devops": ("status", "sidebar", "stop")}


def _access(sandbox, body: dict) -> None:
    request = urllib.request.Request(
        f"{sandbox.endpoints['kubernetes']}/_emulator/access",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=10).close()


def kubectl(env, *args, stdin: str | None = None) -> str:
    done = subprocess.run(
        ["kubectl", *args], env=env, input=stdin, capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def rbac_on(sandbox, sandbox_env, tmp_path):
    """RBAC switched on with a user alice, a fresh namespace, and alice's kubeconfig (off again afterwards)."""
    namespace = f"rbac-{secrets.token_hex(4)}"
    kubectl(sandbox_env, "create", "namespace", namespace)
    _access(sandbox, {"rbac": True, "users": {TOKEN: {"name": "alice", "groups": ["ml"]}}})
    config = yaml.safe_load(Path(sandbox_env["KUBECONFIG"]).read_text())
    config["users"][0]["user"] = {"token": TOKEN}
    config["contexts"][0]["context"]["namespace"] = namespace
    kubeconfig = tmp_path / "alice.kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(config))
    alice = {**sandbox_env, "KUBECONFIG": str(kubeconfig), "SAGEMAKER_ACK_NAMESPACE": namespace}
    admin = {**sandbox_env, "SAGEMAKER_ACK_NAMESPACE": namespace}
    try:
        yield admin, alice, namespace
    finally:
        _access(sandbox, {"reset": True})


def _grant(admin, role: str, namespace: str, without: tuple[str, ...] = ()) -> None:
    if without:
        text = rbac.to_yaml(
            rbac.manifests_for(role, namespace, [rbac.Subject("User", "alice")], without=without)
        )
    else:
        done = run_cli(admin, "rbac", "--for", role, "--user", "alice", "-n", namespace)
        assert done.returncode == 0, done.stderr
        text = done.stdout
    kubectl(admin, "apply", "-f", "-", stdin=text)


def _rendered(env, tmp_path: Path, namespace: str) -> tuple[Path, str]:
    definition = tmp_path / "definition.json"
    definition.write_text(json.dumps(chain_definition(2)))
    name = f"Rbac{secrets.token_hex(3)}"
    out = tmp_path / f"out-{name}"
    done = run_cli(
        env,
        "render",
        str(definition),
        "--pipeline-name",
        name,
        "--role-arn",
        ROLE,
        "--namespace",
        namespace,
        "--execution",
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    run = yaml.safe_load((out / "execution.yaml").read_text())["metadata"]["name"]
    return out, run


def _submitted(admin, tmp_path: Path, namespace: str) -> str:
    out, run = _rendered(admin, tmp_path, namespace)
    done = run_cli(admin, "apply", str(out))
    assert done.returncode == 0, done.stderr
    return run


def _sidebar(env) -> subprocess.CompletedProcess[str]:
    """What the sidebar asks: the pipelines and the runs of the namespace (services.runs)."""
    script = (
        "from jupyter_sagemaker_ack.config import resolve_settings\n"
        "from jupyter_sagemaker_ack.core.errors import UserError\n"
        "from jupyter_sagemaker_ack.services import runs\n"
        "s = resolve_settings()\n"
        "try:\n"
        "    print(len(runs.list_pipelines(s)), len(runs.list_runs(s)))\n"
        "except UserError as e:\n"
        "    raise SystemExit(f'error: {e.problem}')\n"
    )
    return subprocess.run(["python", "-c", script], env=env, capture_output=True, text=True, timeout=60)


def _operate(name: str, alice, tmp_path: Path, namespace: str, run: str | None):
    if name == "submit":
        out, _ = _rendered(alice, tmp_path, namespace)
        return run_cli(alice, "apply", str(out))
    if name == "status":
        return run_cli(alice, "status", str(run))
    if name == "stop":
        return run_cli(alice, "stop", str(run), "--no-wait")
    return _sidebar(alice)


def _succeeded(name: str, done) -> bool:
    return done.returncode in ((0, 4) if name == "status" else (0,))


@pytest.mark.parametrize("role", sorted(OPERATIONS))
def test_the_generated_role_is_enough(sandbox, rbac_on, tmp_path, role):
    admin, alice, namespace = rbac_on
    _grant(admin, role, namespace)
    with default_step_seconds(sandbox, 20):
        run = _submitted(admin, tmp_path, namespace)
        for name in OPERATIONS[role]:
            done = _operate(name, alice, tmp_path, namespace, run)
            assert _succeeded(name, done), f"{name} as {role}: {done.stdout}{done.stderr}"


def test_rbac_is_on_alice_without_a_role_may_do_nothing(sandbox, rbac_on, tmp_path):
    admin, alice, namespace = rbac_on
    run = _submitted(admin, tmp_path, namespace)
    done = _operate("status", alice, tmp_path, namespace, run)
    assert done.returncode == 2
    assert "Forbidden" in done.stderr
    assert 'User "alice" cannot get resource "pipelineexecutions"' in done.stderr


def _rule_cases() -> list:
    return [
        pytest.param(role, rule.name, id=f"{role}-without-{rule.name}")
        for role in sorted(OPERATIONS)
        for rule in rbac.RULES[role]
    ]


@pytest.mark.parametrize(("role", "rule"), _rule_cases())
def test_each_rule_is_needed(sandbox, rbac_on, tmp_path, role, rule):
    admin, alice, namespace = rbac_on
    _grant(admin, role, namespace, without=(rule,))
    needed_by = next(r.needed_by for r in rbac.RULES[role] if r.name == rule)
    failing = [name for name in OPERATIONS[role] if name in needed_by]
    assert failing
    with default_step_seconds(sandbox, 20):
        run = _submitted(admin, tmp_path, namespace)
        for name in failing:
            done = _operate(name, alice, tmp_path, namespace, run)
            output = done.stdout + done.stderr
            assert not _succeeded(name, done), f"{name} succeeded without rule {rule}: {output}"
            assert "Forbidden" in output or "You may not" in output, output
            assert "Traceback" not in output


def test_kubectl_auth_can_i_as_alice_follows_the_role(rbac_on):
    admin, _, namespace = rbac_on

    def can_i(verb: str, resource: str) -> str:
        done = subprocess.run(
            ["kubectl", "auth", "can-i", verb, resource, "--as", "alice", "-n", namespace],
            env=admin,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return done.stdout.strip()

    assert can_i("delete", "pipelineexecutions.sagemaker.services.k8s.aws") == "no"
    _grant(admin, "devops", namespace)
    assert can_i("delete", "pipelineexecutions.sagemaker.services.k8s.aws") == "yes"
    assert can_i("create", "pipelineexecutions.sagemaker.services.k8s.aws") == "no"
    assert can_i("delete", "pipelines.sagemaker.services.k8s.aws") == "no"


def test_doctor_sees_alices_access_before_and_after_the_role(rbac_on):
    admin, alice, namespace = rbac_on
    done = run_cli(alice, "doctor", "--json")
    before = {c["name"]: c for c in json.loads(done.stdout)["checks"]}
    assert done.returncode == 1
    assert before["kube access"]["status"] == "error"
    assert f"in namespace {namespace}" in before["kube access"]["detail"]
    assert "sagemaker-ack rbac --for ml-engineer" in before["kube access"]["fix"]
    _grant(admin, "ml-engineer", namespace)
    after = {c["name"]: c for c in json.loads(run_cli(alice, "doctor", "--json").stdout)["checks"]}
    assert after["kube access"]["status"] == "ok"
