"""List paging: kubectl's chunks and the official client's limit/continue over thousands of runs.

A namespace with thousands of PipelineExecutions must list completely, in pages, with one consistent view
across the pages, and a watch started from the list's resourceVersion must see what came after it.
"""

# The kubernetes client is untyped or typed as `object` in the parts used here.
# mypy: disable-error-code="no-untyped-call,index,return-value,operator,arg-type"
from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import urllib.error
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config, watch

from jupyter_sagemaker_ack.sandbox.kubeapi import KubeApiServer
from jupyter_sagemaker_ack.sandbox.kubeapi.paging import TOO_OLD
from jupyter_sagemaker_ack.sandbox.kubeapi.registry import WriteOptions
from tests.fixtures.kubeapi import kube_request

from .kube_helpers import GROUP, KUBECTL, VERSION, execution, kubectl

RUNS = 1200


def bulk_create(server: KubeApiServer, namespace: str, names: list[str], **labels: str) -> None:
    """The emulator's in-process fast path: the same registry commit a POST makes, without HTTP."""

    def create() -> None:
        rtype = server.store.types[(GROUP, "pipelineexecutions")]
        opts = WriteOptions(manager="bulk-test")
        for name in names:
            body = execution(name, "demo", labels=labels) if labels else execution(name, "demo")
            server.registry.create(rtype, namespace, body, opts)

    server.call(create)


@pytest.fixture
def many_runs(kubeapi: KubeApiServer, kube_namespace: str) -> str:
    bulk_create(kubeapi, kube_namespace, [f"run-{i:05d}" for i in range(RUNS)])
    return kube_namespace


@pytest.fixture
def objects(kubeconfig_path: Path) -> Iterator[client.CustomObjectsApi]:
    configuration = client.Configuration()
    config.load_kube_config(str(kubeconfig_path), client_configuration=configuration)
    with client.ApiClient(configuration) as api:
        yield client.CustomObjectsApi(api)


def list_url(server: KubeApiServer, namespace: str, **query: Any) -> str:
    path = f"{server.url}/apis/{GROUP}/{VERSION}/namespaces/{namespace}/pipelineexecutions"
    return path + ("?" + urllib.parse.urlencode(query) if query else "")


def test_kubectl_lists_every_run_in_chunks_of_500(kubeconfig_path: Path, many_runs: str) -> None:
    named = kubectl(
        kubeconfig_path, "get", "pipelineexecutions", "-n", many_runs, "--chunk-size=500", "-o", "name"
    )
    assert named.returncode == 0, named.stderr
    lines = named.stdout.splitlines()
    assert len(lines) == RUNS
    assert len(set(lines)) == RUNS
    table = kubectl(kubeconfig_path, "get", "pipelineexecutions", "-n", many_runs, "--no-headers", "-v=6")
    assert table.returncode == 0, table.stderr
    assert len(table.stdout.splitlines()) == RUNS
    assert table.stderr.count("limit=500") >= 3, "kubectl asked for pages of 500"


def test_kubectl_watch_lists_in_chunks_then_sees_a_new_run(
    kubeconfig_path: Path, many_runs: str, kubeapi: KubeApiServer
) -> None:
    kubectl(kubeconfig_path, "version", "--client")  # skips without kubectl
    env = {
        **os.environ,
        "KUBECONFIG": str(kubeconfig_path),
        "KUBECACHEDIR": str(kubeconfig_path.parent / "cache"),
    }
    command = [KUBECTL, "get", "pipelineexecutions", "-n", many_runs, "--chunk-size=500", "-w", "-o", "name"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in process.stdout or []:
            lines.put(line.strip())

    threading.Thread(target=read, daemon=True).start()
    try:
        seen = [lines.get(timeout=30) for _ in range(RUNS)]
        assert len(set(seen)) == RUNS
        bulk_create(kubeapi, many_runs, ["run-after-watch"])
        assert lines.get(timeout=30).endswith("/run-after-watch")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_official_client_follows_continue_to_the_end(
    objects: client.CustomObjectsApi, many_runs: str
) -> None:
    names: list[str] = []
    versions, remaining, token, pages = set(), [], None, 0
    while True:
        page = objects.list_namespaced_custom_object(
            GROUP, VERSION, many_runs, "pipelineexecutions", limit=100, _continue=token
        )
        pages += 1
        names += [item["metadata"]["name"] for item in page["items"]]
        versions.add(page["metadata"]["resourceVersion"])
        token = page["metadata"].get("continue")
        if not token:
            assert "remainingItemCount" not in page["metadata"]
            break
        remaining.append(page["metadata"]["remainingItemCount"])
    assert pages == RUNS // 100
    assert names == sorted(names)
    assert len(set(names)) == RUNS
    assert len(versions) == 1, "every page reports the first page's resourceVersion"
    assert remaining == list(range(RUNS - 100, 0, -100))


def test_pages_show_the_collection_as_of_the_first_page(
    kubeapi: KubeApiServer, objects: client.CustomObjectsApi, many_runs: str
) -> None:
    first = objects.list_namespaced_custom_object(GROUP, VERSION, many_runs, "pipelineexecutions", limit=500)
    objects.delete_namespaced_custom_object(GROUP, VERSION, many_runs, "pipelineexecutions", "run-01100")
    bulk_create(kubeapi, many_runs, ["run-zz-late"])
    rest = objects.list_namespaced_custom_object(
        GROUP, VERSION, many_runs, "pipelineexecutions", limit=500, _continue=first["metadata"]["continue"]
    )
    rest2 = objects.list_namespaced_custom_object(
        GROUP, VERSION, many_runs, "pipelineexecutions", limit=500, _continue=rest["metadata"]["continue"]
    )
    names = [i["metadata"]["name"] for page in (first, rest, rest2) for i in page["items"]]
    assert len(names) == RUNS
    assert "run-01100" in names, "deleted after the first page, still in this list"
    assert "run-zz-late" not in names, "created after the first page, not in this list"
    fresh = objects.list_namespaced_custom_object(GROUP, VERSION, many_runs, "pipelineexecutions")
    assert len(fresh["items"]) == RUNS
    assert "continue" not in fresh["metadata"]


def test_a_watch_from_the_lists_resource_version_sees_what_came_after(
    kubeapi: KubeApiServer, objects: client.CustomObjectsApi, many_runs: str
) -> None:
    token, version = None, None
    while True:
        page = objects.list_namespaced_custom_object(
            GROUP, VERSION, many_runs, "pipelineexecutions", limit=500, _continue=token
        )
        version = page["metadata"]["resourceVersion"]
        token = page["metadata"].get("continue")
        if not token:
            break
    bulk_create(kubeapi, many_runs, ["run-after-list"])
    seen = [
        (event["type"], event["object"]["metadata"]["name"])
        for event in watch.Watch().stream(
            objects.list_namespaced_custom_object, GROUP, VERSION, many_runs, "pipelineexecutions",
            resource_version=version, timeout_seconds=1,
        )
    ]  # fmt: skip
    assert seen == [("ADDED", "run-after-list")]


def test_an_expired_continue_token_is_410_gone_with_a_token_to_continue_inconsistently(
    kubeapi: KubeApiServer, objects: client.CustomObjectsApi, many_runs: str
) -> None:
    first = objects.list_namespaced_custom_object(GROUP, VERSION, many_runs, "pipelineexecutions", limit=500)
    bulk_create(kubeapi, many_runs, ["run-zz-after"])
    kube_request(f"{kubeapi.url}/_emulator/compact", "POST", {})
    with pytest.raises(client.ApiException) as raised:
        objects.list_namespaced_custom_object(
            GROUP,
            VERSION,
            many_runs,
            "pipelineexecutions",
            limit=500,
            _continue=first["metadata"]["continue"],
        )
    status = json.loads(raised.value.body)
    assert (raised.value.status, status["reason"], status["message"]) == (410, "Expired", TOO_OLD)
    names, token = [], status["metadata"]["continue"]
    while token:
        page = objects.list_namespaced_custom_object(
            GROUP, VERSION, many_runs, "pipelineexecutions", limit=500, _continue=token
        )
        names += [i["metadata"]["name"] for i in page["items"]]
        token = page["metadata"].get("continue")
    assert names[0] == "run-00500", "the rest starts after the first page"
    assert names[-1] == "run-zz-after", "and shows what is there now"
    assert len(names) == RUNS - 500 + 1


def test_a_continue_token_that_is_not_one_is_a_bad_request(kubeapi: KubeApiServer, many_runs: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        kube_request(list_url(kubeapi, many_runs, limit=10, **{"continue": "not-a-token"}))
    assert raised.value.code == 400
    assert json.loads(raised.value.read())["message"].startswith("continue key is not valid")


def test_a_selected_list_pages_without_a_remaining_count(kubeapi: KubeApiServer, kube_namespace: str) -> None:
    bulk_create(kubeapi, kube_namespace, [f"blue-{i:03d}" for i in range(30)], colour="blue")
    bulk_create(kubeapi, kube_namespace, [f"red-{i:03d}" for i in range(30)], colour="red")
    names, token = [], None
    while True:
        query: dict[str, Any] = {"limit": 7, "labelSelector": "colour=blue"}
        if token:
            query["continue"] = token
        page = kube_request(list_url(kubeapi, kube_namespace, **query))
        assert "remainingItemCount" not in page["metadata"]
        names += [i["metadata"]["name"] for i in page["items"]]
        token = page["metadata"].get("continue")
        if not token:
            break
    assert names == [f"blue-{i:03d}" for i in range(30)]
