"""The Kubernetes API emulator's RBAC, request by request: who the token is, and what their bindings allow.

Real semantics, checked over HTTP: Role and ClusterRole rules through RoleBindings (namespaced) and
ClusterRoleBindings (everywhere); verbs from the method (get/list/watch/create/update/patch/delete/
deletecollection); apiGroups, resources, subresources and resourceNames; User, Group and ServiceAccount
subjects; 401 for an unknown token; discovery and access reviews open to every authenticated user.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from jupyter_sagemaker_ack.sandbox.kubeapi import KubeApiServer

GROUP = "sagemaker.services.k8s.aws"
PIPELINES = f"/apis/{GROUP}/v1alpha1/namespaces/team-a/pipelines"
USERS = {
    "t-alice": {"name": "alice", "groups": ["ml"]},
    "t-bob": "bob",
    "t-robot": {"name": "system:serviceaccount:ci:robot"},
}


@pytest.fixture(scope="module")
def server() -> Iterator[KubeApiServer]:
    srv = KubeApiServer().start()
    yield srv
    srv.stop()


def call(srv: KubeApiServer, method: str, path: str, token: str | None = None, body: Any = None) -> int:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(srv.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def rbac(kind: str, name: str, namespace: str | None = None, **fields: Any) -> tuple[str, dict[str, Any]]:
    plural = {"Role": "roles", "RoleBinding": "rolebindings", "ClusterRole": "clusterroles"}.get(
        kind, "clusterrolebindings"
    )
    where = f"/namespaces/{namespace}" if namespace else ""
    metadata = {"name": name, **({"namespace": namespace} if namespace else {})}
    return f"/apis/rbac.authorization.k8s.io/v1{where}/{plural}", {
        "kind": kind,
        "metadata": metadata,
        **fields,
    }


def rule(
    verbs: list[str], resources: list[str], groups: list[str] | None = None, names: list[str] | None = None
) -> dict:
    found = {"apiGroups": groups if groups is not None else [GROUP], "resources": resources, "verbs": verbs}
    return {**found, **({"resourceNames": names} if names else {})}


@pytest.fixture(scope="module")
def cluster(server: KubeApiServer) -> KubeApiServer:
    for ns in ("team-a", "team-b", "ci"):
        call(server, "POST", "/api/v1/namespaces", body={"metadata": {"name": ns}})
    objects = [
        rbac("Role", "read", "team-a", rules=[rule(["get", "list", "watch"], ["pipelines"])]),
        rbac(
            "RoleBinding",
            "alice-read",
            "team-a",
            roleRef={"kind": "Role", "name": "read"},
            subjects=[{"kind": "User", "name": "alice"}],
        ),
        rbac(
            "ClusterRole",
            "writer",
            rules=[rule(["create", "patch", "delete"], ["pipelines"]), rule(["patch"], ["pipelines/status"])],
        ),
        rbac(
            "RoleBinding",
            "ml-write",
            "team-a",
            roleRef={"kind": "ClusterRole", "name": "writer"},
            subjects=[{"kind": "Group", "name": "ml"}],
        ),
        rbac("ClusterRole", "one", rules=[rule(["get"], ["pipelines"], names=["only-this"])]),
        rbac(
            "ClusterRoleBinding",
            "bob-one",
            roleRef={"kind": "ClusterRole", "name": "one"},
            subjects=[{"kind": "User", "name": "bob"}],
        ),
        rbac("Role", "all", "ci", rules=[rule(["*"], ["*"], groups=["*"])]),
        rbac(
            "RoleBinding",
            "robot",
            "ci",
            roleRef={"kind": "Role", "name": "all"},
            subjects=[{"kind": "ServiceAccount", "name": "robot"}],
        ),
    ]
    for path, body in objects:
        assert call(server, "POST", path, body=body) == 201
    server.access.configure(rbac=True, users=USERS)
    return server


PIPELINE = {
    "apiVersion": f"{GROUP}/v1alpha1",
    "kind": "Pipeline",
    "metadata": {"name": "p"},
    "spec": {"pipelineName": "p", "roleARN": "r"},
}


@pytest.mark.parametrize(
    ("token", "method", "path", "body", "code"),
    [
        ("t-alice", "GET", PIPELINES, None, 200),
        ("t-alice", "GET", PIPELINES + "?watch=true&timeoutSeconds=1", None, 200),
        (
            "t-alice",
            "GET",
            PIPELINES.replace("team-a", "team-b"),
            None,
            403,
        ),  # a RoleBinding is one namespace
        ("t-alice", "POST", PIPELINES, PIPELINE, 201),  # through the group ml's binding of a ClusterRole
        ("t-alice", "PUT", PIPELINES + "/p", PIPELINE, 403),  # update is not patch
        ("t-alice", "DELETE", PIPELINES, None, 403),  # deletecollection is not delete
        ("t-alice", "GET", f"/apis/{GROUP}/v1alpha1/pipelines", None, 403),  # no cluster-wide list
        ("t-alice", "GET", "/api/v1/namespaces", None, 403),  # the core group is another apiGroup
        ("t-bob", "GET", PIPELINES + "/only-this", None, 404),  # allowed (resourceNames), and absent
        ("t-bob", "GET", PIPELINES + "/p", None, 403),
        ("t-bob", "GET", PIPELINES, None, 403),  # a list has no name, so resourceNames never allow it
        ("t-robot", "GET", "/api/v1/namespaces/ci/events", None, 200),
        ("t-robot", "GET", "/api/v1/namespaces/team-a/events", None, 403),
        ("t-nobody", "GET", PIPELINES, None, 401),
        ("t-nobody", "GET", "/version", None, 401),
        ("t-bob", "GET", "/version", None, 200),  # discovery: every authenticated user
        ("t-bob", "GET", f"/apis/{GROUP}/v1alpha1", None, 200),
        (None, "GET", PIPELINES, None, 200),  # no token: the sandbox admin (kubectl sends none over http)
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 12 else None,
)
def test_requests_are_authorised_by_rbac(cluster, token, method, path, body, code):
    assert call(cluster, method, path, token, body) == code


def test_status_is_a_subresource_of_its_own(cluster):
    assert call(cluster, "POST", PIPELINES, "t-alice", {**PIPELINE, "metadata": {"name": "s"}}) in (201, 409)
    status = {"status": {"pipelineStatus": "Active"}}
    assert call(cluster, "PATCH", PIPELINES + "/s/status", "t-robot", status) == 403
    request = urllib.request.Request(
        cluster.url + PIPELINES + "/s/status",
        data=json.dumps(status).encode(),
        method="PATCH",
        headers={"Content-Type": "application/merge-patch+json", "Authorization": "Bearer t-alice"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


def test_an_access_review_answers_for_the_caller(cluster):
    def review(token: str, verb: str, namespace: str) -> bool:
        body = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {
                "resourceAttributes": {
                    "namespace": namespace,
                    "verb": verb,
                    "group": GROUP,
                    "resource": "pipelines",
                }
            },
        }
        request = urllib.request.Request(
            cluster.url + "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return bool(json.loads(answer.read())["status"]["allowed"])

    assert review("t-alice", "list", "team-a") is True
    assert review("t-alice", "list", "team-b") is False
    assert review("t-bob", "list", "team-a") is False


def test_the_forbidden_answer_reads_like_the_api_servers(cluster):
    request = urllib.request.Request(
        cluster.url + PIPELINES + "/p", method="DELETE", headers={"Authorization": "Bearer t-bob"}
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)
    status = json.loads(raised.value.read())
    assert status["reason"] == "Forbidden"
    assert status["code"] == 403
    assert status["message"] == (
        f'pipelines.{GROUP} "p" is forbidden: User "bob" cannot delete resource "pipelines" in API group '
        f'"{GROUP}" in the namespace "team-a"'
    )
