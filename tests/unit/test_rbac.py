"""The Roles grant what submit, status, stop and the sidebar call, in one namespace and API group only."""

from __future__ import annotations

import pytest
import yaml

from jupyter_sagemaker_ack.adapters.kube.preflight import ALL_VERBS, RESOURCES
from jupyter_sagemaker_ack.core import ack, rbac
from jupyter_sagemaker_ack.core.errors import UserError

ALICE = [rbac.Subject("User", "alice")]


def test_ml_engineer_role_has_exactly_what_submit_preflight_reviews():
    role, binding = rbac.manifests_for("ml-engineer", "team-a", ALICE)
    assert role["kind"] == "Role"
    assert role["metadata"]["namespace"] == "team-a"
    granted = {(verb, res) for rule in role["rules"] for res in rule["resources"] for verb in rule["verbs"]}
    assert granted == {(verb, res) for res in RESOURCES for verb in ALL_VERBS}
    assert {g for rule in role["rules"] for g in rule["apiGroups"]} == {ack.GROUP}
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": "sagemaker-ack-ml-engineer",
    }
    assert binding["subjects"] == [{"kind": "User", "name": "alice", "apiGroup": "rbac.authorization.k8s.io"}]


def test_devops_may_read_and_stop_but_not_create():
    role, _ = rbac.manifests_for("devops", "team-a", ALICE)
    verbs = {verb for rule in role["rules"] for verb in rule["verbs"]}
    assert verbs == {"get", "list", "watch", "delete"}
    deletable = {res for rule in role["rules"] if "delete" in rule["verbs"] for res in rule["resources"]}
    assert deletable == {"pipelineexecutions"}


def test_no_wildcards_and_no_cluster_scope():
    for name in rbac.ROLES:
        docs = rbac.manifests_for(name, "ns", ALICE)
        assert [d["kind"] for d in docs] == ["Role", "RoleBinding"]
        text = rbac.to_yaml(docs)
        assert "'*'" not in text
        assert "ClusterRole" not in text


def test_yaml_is_two_documents_kubectl_can_read():
    docs = list(yaml.safe_load_all(rbac.to_yaml(rbac.manifests_for("devops", "ns", ALICE))))
    assert [d["kind"] for d in docs] == ["Role", "RoleBinding"]


def test_service_account_subject_names_its_namespace():
    _, binding = rbac.manifests_for("devops", "ci", [rbac.Subject("ServiceAccount", "argo")])
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "argo", "namespace": "ci"}]


def test_without_drops_a_rule_by_name():
    role, _ = rbac.manifests_for("devops", "ns", ALICE, without=["stop-executions"])
    assert all("delete" not in rule["verbs"] for rule in role["rules"])


@pytest.mark.parametrize(
    ("role", "subjects", "words"), [("admin", ALICE, "no Role"), ("devops", [], "subject")]
)
def test_refusals(role, subjects, words):
    with pytest.raises(UserError, match=words):
        rbac.manifests_for(role, "ns", subjects)
