"""API semantics over raw HTTP: metadata, status isolation, errors as Status objects, pruning, faults."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from jupyter_sagemaker_ack.sandbox.kubeapi import KubeApiServer

from .kube_helpers import API_VERSION, execution, pipeline

MERGE = "application/merge-patch+json"


def call(
    url: str, method: str = "GET", body: Any = None, content_type: str = "application/json", accept: str = ""
) -> tuple[int, Any, Any]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": content_type, **({"Accept": accept} if accept else {})}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers


@pytest.fixture
def pipelines(kubeapi: KubeApiServer, kube_namespace: str) -> str:
    return f"{kubeapi.url}/apis/{API_VERSION}/namespaces/{kube_namespace}/pipelines"


def test_create_answers_201_with_metadata_and_409_when_repeated(pipelines: str) -> None:
    code, created, _ = call(pipelines, "POST", pipeline("meta"))
    assert code == 201
    assert set(created["metadata"]) >= {
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "managedFields",
    }
    code, status, _ = call(pipelines, "POST", pipeline("meta"))
    assert (code, status["kind"], status["reason"], status["code"]) == (409, "Status", "AlreadyExists", 409)
    code, status, _ = call(f"{pipelines}/absent")
    assert (code, status["reason"], status["details"]["name"]) == (404, "NotFound", "absent")


def test_resource_versions_come_from_one_counter(
    kubeapi: KubeApiServer, pipelines: str, kube_namespace: str
) -> None:
    _, first, _ = call(pipelines, "POST", pipeline("one"))
    executions = pipelines.replace("/pipelines", "/pipelineexecutions")
    _, second, _ = call(executions, "POST", execution("two", "one"))
    assert int(second["metadata"]["resourceVersion"]) == int(first["metadata"]["resourceVersion"]) + 1


def test_generation_moves_on_spec_changes_only(pipelines: str) -> None:
    call(pipelines, "POST", pipeline("gen"))
    _, labelled, _ = call(f"{pipelines}/gen", "PATCH", {"metadata": {"labels": {"team": "ml"}}}, MERGE)
    assert labelled["metadata"]["generation"] == 1
    _, respecced, _ = call(f"{pipelines}/gen", "PATCH", {"spec": {"pipelineDescription": "x"}}, MERGE)
    assert respecced["metadata"]["generation"] == 2
    _, unchanged, _ = call(f"{pipelines}/gen", "PATCH", {"spec": {"pipelineDescription": "x"}}, MERGE)
    assert unchanged["metadata"]["resourceVersion"] == respecced["metadata"]["resourceVersion"]


def test_status_subresource_is_isolated_both_ways(pipelines: str) -> None:
    call(pipelines, "POST", {**pipeline("iso"), "status": {"pipelineStatus": "Forged"}})
    _, fetched, _ = call(f"{pipelines}/iso")
    assert "status" not in fetched
    both = {"spec": {"pipelineDescription": "from-status"}, "status": {"pipelineStatus": "Active"}}
    _, via_status, _ = call(f"{pipelines}/iso/status", "PATCH", both, MERGE)
    assert via_status["status"] == {"pipelineStatus": "Active"}
    assert "pipelineDescription" not in via_status["spec"]
    assert via_status["metadata"]["generation"] == 1
    _, via_main, _ = call(f"{pipelines}/iso", "PATCH", {"status": {"pipelineStatus": "Deleting"}}, MERGE)
    assert via_main["status"] == {"pipelineStatus": "Active"}
    owners = {(e["manager"], e.get("subresource", "")) for e in via_status["metadata"]["managedFields"]}
    assert ("Python-urllib", "status") in owners


def test_put_with_stale_resource_version_is_a_409_conflict(pipelines: str) -> None:
    _, created, _ = call(pipelines, "POST", pipeline("put"))
    call(f"{pipelines}/put", "PATCH", {"spec": {"pipelineDescription": "newer"}}, MERGE)
    stale = {**created, "spec": {**created["spec"], "pipelineDescription": "older"}}
    code, status, _ = call(f"{pipelines}/put", "PUT", stale)
    assert (code, status["reason"]) == (409, "Conflict")
    assert "the object has been modified" in status["message"]


def test_invalid_objects_get_422_with_causes(pipelines: str) -> None:
    bad = pipeline("Bad_Name", parallelismConfiguration={"maxParallelExecutionSteps": "two"})
    del bad["spec"]["pipelineName"]
    code, status, _ = call(pipelines, "POST", bad)
    assert (code, status["reason"]) == (422, "Invalid")
    fields = sorted(c["field"] for c in status["details"]["causes"])
    assert fields == ["metadata.name"]
    bad["metadata"]["name"] = "bad"
    code, status, _ = call(pipelines, "POST", bad)
    causes = {c["field"]: c["reason"] for c in status["details"]["causes"]}
    assert causes == {
        "spec.parallelismConfiguration.maxParallelExecutionSteps": "FieldValueTypeInvalid",
        "spec.pipelineName": "FieldValueRequired",
    }


def test_unknown_fields_are_pruned_with_a_warning_or_refused_when_strict(pipelines: str) -> None:
    extra = pipeline("prune", unknownField=1)
    extra["metadata"]["bogus"] = "x"
    code, created, headers = call(pipelines, "POST", extra)
    assert code == 201
    assert "unknownField" not in created["spec"]
    assert "bogus" not in created["metadata"]
    assert 'unknown field \\"spec.unknownField\\"' in " ".join(headers.get_all("Warning"))
    code, status, _ = call(
        pipelines + "?fieldValidation=Strict", "POST", {**extra, "metadata": {"name": "strict"}}
    )
    assert (code, status["reason"]) == (400, "BadRequest")
    assert 'strict decoding error: unknown field "spec.unknownField"' in status["message"]


def test_patch_types(pipelines: str) -> None:
    call(pipelines, "POST", pipeline("patches"))
    ops = [
        {"op": "replace", "path": "/spec/tags/0/value", "value": "prod"},
        {"op": "remove", "path": "/spec/roleARN"},
    ]
    code, status, _ = call(f"{pipelines}/patches", "PATCH", ops, "application/json-patch+json")
    assert (code, status["reason"]) == (422, "Invalid")
    code, patched, _ = call(f"{pipelines}/patches", "PATCH", ops[:1], "application/json-patch+json")
    assert (code, patched["spec"]["tags"]) == (200, [{"key": "environment", "value": "prod"}])
    code, status, _ = call(
        f"{pipelines}/patches", "PATCH", {"spec": {}}, "application/strategic-merge-patch+json"
    )
    assert (code, status["reason"]) == (415, "UnsupportedMediaType")


def test_selectors(pipelines: str) -> None:
    for name, team in (("sel-a", "ml"), ("sel-b", "ops"), ("sel-c", "ml")):
        call(pipelines, "POST", {**pipeline(name), "metadata": {"name": name, "labels": {"team": team}}})
    _, listed, _ = call(pipelines + "?labelSelector=team%3Dml")
    assert [i["metadata"]["name"] for i in listed["items"]] == ["sel-a", "sel-c"]
    _, listed, _ = call(pipelines + "?labelSelector=team%20notin%20(ml)")
    assert [i["metadata"]["name"] for i in listed["items"]] == ["sel-b"]
    _, listed, _ = call(pipelines + "?fieldSelector=metadata.name%3Dsel-c")
    assert [i["metadata"]["name"] for i in listed["items"]] == ["sel-c"]


def test_table_output_uses_printer_columns(pipelines: str) -> None:
    call(pipelines, "POST", pipeline("tabled"))
    call(f"{pipelines}/tabled/status", "PATCH", {"status": {"pipelineStatus": "Active"}}, MERGE)
    _, table, _ = call(pipelines, accept="application/json;as=Table;v=v1;g=meta.k8s.io")
    assert table["kind"] == "Table"
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "STATUS"]
    assert table["rows"][0]["cells"] == ["tabled", "Active"]


def test_watch_from_a_compacted_version_is_410_gone(kubeapi: KubeApiServer, pipelines: str) -> None:
    _, first, _ = call(pipelines, "POST", pipeline("w1"))
    kubeapi.compact()
    since = int(first["metadata"]["resourceVersion"]) - 1
    with urllib.request.urlopen(
        f"{pipelines}?watch=true&resourceVersion={since}&timeoutSeconds=1", timeout=10
    ) as r:
        event = json.loads(r.readline())
    assert event["type"] == "ERROR"
    assert (event["object"]["code"], event["object"]["reason"]) == (410, "Expired")


def test_watch_sends_bookmarks(kubeapi: KubeApiServer, pipelines: str) -> None:
    _, listed, _ = call(pipelines)
    url = f"{pipelines}?watch=true&resourceVersion={listed['metadata']['resourceVersion']}"
    with urllib.request.urlopen(url + "&allowWatchBookmarks=true&timeoutSeconds=2", timeout=10) as r:
        event = json.loads(r.readline())
    assert event["type"] == "BOOKMARK"
    assert int(event["object"]["metadata"]["resourceVersion"]) >= 1


def test_faults_answer_errors_for_matching_requests(kubeapi: KubeApiServer, pipelines: str) -> None:
    kubeapi.faults.fail(path="/pipelines", status=503, count=1)
    assert call(pipelines)[0] == 503
    assert call(pipelines)[0] == 200
    call(
        f"{kubeapi.url}/_emulator/faults",
        "POST",
        {"action": "fail", "path": "/pipelines", "status": 429, "retry_after": 1, "count": 2},
    )
    answers = [call(pipelines) for _ in range(3)]
    assert [a[0] for a in answers] == [429, 429, 200]
    assert answers[0][1]["reason"] == "TooManyRequests"
    assert answers[0][2]["Retry-After"] == "1"
    call(
        f"{kubeapi.url}/_emulator/faults",
        "POST",
        {"action": "delay", "path": "/pipelines", "delay": 0.2, "count": 1},
    )
    assert call(f"{kubeapi.url}/_emulator/state")[1]["faults"][0]["delay"] == 0.2
    assert call(pipelines)[0] == 200
    assert call(f"{kubeapi.url}/_emulator/state")[1]["faults"] == []


def test_access_review_json(kubeapi: KubeApiServer, kube_namespace: str) -> None:
    url = f"{kubeapi.url}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    call(
        f"{kubeapi.url}/_emulator/access",
        "POST",
        {"deny": [{"verb": "create", "resource": "pipelineexecutions"}]},
    )
    review = {
        "spec": {
            "resourceAttributes": {
                "namespace": kube_namespace,
                "verb": "create",
                "resource": "pipelineexecutions",
            }
        }
    }
    code, answer, _ = call(url, "POST", review)
    assert (code, answer["status"]["allowed"]) == (201, False)
    review["spec"]["resourceAttributes"]["verb"] = "get"
    assert call(url, "POST", review)[1]["status"]["allowed"] is True


def test_crd_created_through_apiextensions_is_served(kubeapi: KubeApiServer) -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget", "listKind": "WidgetList"},
            "scope": "Cluster",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {"type": "object", "properties": {"size": {"type": "integer"}}}
                            },
                        }
                    },
                }
            ],
        },
    }
    code, created, _ = call(
        f"{kubeapi.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "POST", crd
    )
    assert code == 201
    assert created["status"]["conditions"][1]["type"] == "Established"
    widgets = f"{kubeapi.url}/apis/example.com/v1/widgets"
    assert (
        call(
            widgets,
            "POST",
            {
                "apiVersion": "example.com/v1",
                "kind": "Widget",
                "metadata": {"name": "w"},
                "spec": {"size": 3},
            },
        )[0]
        == 201
    )
    _, doc, _ = call(f"{kubeapi.url}/apis/example.com/v1")
    assert [r["name"] for r in doc["resources"]] == ["widgets"]
    call(
        f"{kubeapi.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com", "DELETE"
    )
    assert call(widgets)[0] == 404


def test_cli_writes_ready_file(tmp_path: Path, shared_dir: Path) -> None:
    ready = tmp_path / "ready.json"
    crd = shared_dir / "ack" / "crds" / "sagemaker.services.k8s.aws_pipelines.yaml"
    cmd = [
        sys.executable,
        "-m",
        "jupyter_sagemaker_ack.sandbox.kubeapi",
        "--ready-file",
        str(ready),
        "--crd",
        str(crd),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert "listening on" in proc.stdout.readline()
        info = json.loads(ready.read_text())
        assert info["pid"] == proc.pid
        _, doc, _ = call(f"{info['url']}/apis/{API_VERSION}")
        assert [r["name"] for r in doc["resources"]] == ["pipelines", "pipelines/status"]
    finally:
        proc.terminate()
        assert proc.wait(10) == 0


def test_a_small_watch_window_makes_older_versions_gone(kubeapi: KubeApiServer, pipelines: str) -> None:
    _, listed, _ = call(pipelines)
    call(f"{kubeapi.url}/_emulator/watch-window", "POST", {"size": 1})
    try:
        call(pipelines, "POST", pipeline("win-1"))
        _, second, _ = call(pipelines, "POST", pipeline("win-2"))
        url = f"{pipelines}?watch=true&timeoutSeconds=1&resourceVersion="
        with urllib.request.urlopen(url + listed["metadata"]["resourceVersion"], timeout=10) as r:
            assert json.loads(r.readline())["object"]["code"] == 410
        since = int(second["metadata"]["resourceVersion"]) - 1
        with urllib.request.urlopen(url + str(since), timeout=10) as r:
            event = json.loads(r.readline())
        assert (event["type"], event["object"]["metadata"]["name"]) == ("ADDED", "win-2")
    finally:
        call(f"{kubeapi.url}/_emulator/reset", "POST", {})


def test_admin_endpoint_drops_watches_and_rejects_unknown_actions(
    kubeapi: KubeApiServer, pipelines: str
) -> None:
    with urllib.request.urlopen(f"{pipelines}?watch=true&timeoutSeconds=600", timeout=10) as stream:
        for _ in range(100):
            if call(f"{kubeapi.url}/_emulator/state")[1]["watchers"]:
                break
        _, state, _ = call(f"{kubeapi.url}/_emulator/faults", "POST", {"action": "drop-watches"})
        assert state["watchers"] == 0
        assert stream.read() == b""
    code, status, _ = call(f"{kubeapi.url}/_emulator/faults", "POST", {"action": "explode"})
    assert (code, status["reason"]) == (400, "BadRequest")
