"""The official kubernetes Python client against the emulator: CRUD, server-side apply and watches."""

# The kubernetes client is untyped or typed as `object` in the parts used here.
# mypy: disable-error-code="no-untyped-call,index,return-value,operator,arg-type"
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3
from kubernetes import client, config, dynamic, watch

from jupyter_sagemaker_ack.sandbox.kubeapi import KubeApiServer

from .kube_helpers import API_VERSION, GROUP, VERSION, execution, pipeline


@pytest.fixture
def api_client(kubeconfig_path: Path) -> Iterator[client.ApiClient]:
    configuration = client.Configuration()
    config.load_kube_config(str(kubeconfig_path), client_configuration=configuration)
    with client.ApiClient(configuration) as api:
        yield api


@pytest.fixture
def objects(api_client: client.ApiClient) -> client.CustomObjectsApi:
    return client.CustomObjectsApi(api_client)


def test_custom_objects_create_get_list_patch_delete(
    objects: client.CustomObjectsApi, kube_namespace: str
) -> None:
    created = objects.create_namespaced_custom_object(
        GROUP, VERSION, kube_namespace, "pipelines", pipeline("crud")
    )
    meta = created["metadata"]
    assert meta["uid"]
    assert meta["creationTimestamp"]
    assert meta["generation"] == 1
    assert created["kind"] == "Pipeline"
    assert meta["namespace"] == kube_namespace
    fetched = objects.get_namespaced_custom_object(GROUP, VERSION, kube_namespace, "pipelines", "crud")
    assert fetched == created
    listed = objects.list_namespaced_custom_object(GROUP, VERSION, kube_namespace, "pipelines")
    assert listed["kind"] == "PipelineList"
    assert [i["metadata"]["name"] for i in listed["items"]] == ["crud"]
    patch = {"spec": {"pipelineDescription": "nightly"}}
    patched = objects.patch_namespaced_custom_object(
        GROUP, VERSION, kube_namespace, "pipelines", "crud", patch
    )
    assert patched["spec"]["pipelineDescription"] == "nightly"
    assert patched["metadata"]["generation"] == 2
    assert int(patched["metadata"]["resourceVersion"]) > int(meta["resourceVersion"])
    objects.delete_namespaced_custom_object(GROUP, VERSION, kube_namespace, "pipelines", "crud")
    with pytest.raises(client.ApiException) as missing:
        objects.get_namespaced_custom_object(GROUP, VERSION, kube_namespace, "pipelines", "crud")
    assert missing.value.status == 404
    assert '"reason":"NotFound"' in missing.value.body


def test_delete_with_finalizer_marks_until_the_finalizer_goes(
    objects: client.CustomObjectsApi, kube_namespace: str
) -> None:
    held = execution("held", "p", finalizers=["finalizers.sagemaker.services.k8s.aws/PipelineExecution"])
    objects.create_namespaced_custom_object(GROUP, VERSION, kube_namespace, "pipelineexecutions", held)
    marked = objects.delete_namespaced_custom_object(
        GROUP, VERSION, kube_namespace, "pipelineexecutions", "held"
    )
    assert marked["metadata"]["deletionTimestamp"]
    assert marked["metadata"]["generation"] == 2
    still = objects.get_namespaced_custom_object(GROUP, VERSION, kube_namespace, "pipelineexecutions", "held")
    assert still["metadata"]["finalizers"]
    release = {"metadata": {"finalizers": None}}
    objects.patch_namespaced_custom_object(
        GROUP, VERSION, kube_namespace, "pipelineexecutions", "held", release
    )
    with pytest.raises(client.ApiException) as missing:
        objects.get_namespaced_custom_object(GROUP, VERSION, kube_namespace, "pipelineexecutions", "held")
    assert missing.value.status == 404


def test_dynamic_client_server_side_apply(api_client: client.ApiClient, kube_namespace: str) -> None:
    dyn = dynamic.DynamicClient(api_client)
    resource = dyn.resources.get(api_version=API_VERSION, kind="Pipeline")
    body = {**pipeline("applied"), "metadata": {"name": "applied", "namespace": kube_namespace}}
    first = dyn.server_side_apply(
        resource, body=body, field_manager="sagemaker-ack", namespace=kube_namespace
    )
    assert first.metadata.managedFields[0].manager == "sagemaker-ack"
    assert first.metadata.managedFields[0].operation == "Apply"
    body["spec"] = {**body["spec"], "pipelineDescription": "v2"}
    second = dyn.server_side_apply(
        resource, body=body, field_manager="sagemaker-ack", namespace=kube_namespace
    )
    assert second.spec.pipelineDescription == "v2"
    assert second.metadata.generation == 2
    rival = {**body, "spec": {**body["spec"], "pipelineDescription": "rival"}}
    with pytest.raises(dynamic.exceptions.ConflictError) as refused:
        dyn.server_side_apply(resource, body=rival, field_manager="someone-else", namespace=kube_namespace)
    status = json.loads(refused.value.body)
    assert status["reason"] == "Conflict"
    assert status["code"] == 409
    assert 'conflict with "sagemaker-ack"' in status["message"]
    assert [c["field"] for c in status["details"]["causes"]] == [".spec.pipelineDescription"]
    forced = dyn.server_side_apply(
        resource, body=rival, field_manager="someone-else", namespace=kube_namespace, force_conflicts=True
    )
    assert forced.spec.pipelineDescription == "rival"


def _collect(objects: client.CustomObjectsApi, ns: str, since: str, seen: list[str], stop: str) -> None:
    """A watch loop as a controller writes it: resume from the last resourceVersion after any break."""
    while stop not in seen:
        try:
            stream = watch.Watch().stream(
                objects.list_namespaced_custom_object, GROUP, VERSION, ns, "pipelineexecutions",
                resource_version=since, timeout_seconds=10,
            )  # fmt: skip
            for event in stream:
                since = event["object"]["metadata"]["resourceVersion"]
                seen.append(f"{event['type']} {event['object']['metadata']['name']}")
                if stop in seen:
                    return
        except urllib3.exceptions.ProtocolError:
            continue


def _create(objects: client.CustomObjectsApi, ns: str, name: str) -> dict[str, Any]:
    return objects.create_namespaced_custom_object(
        GROUP, VERSION, ns, "pipelineexecutions", execution(name, "p")
    )


def _wait_for(seen: list[str], entry: str) -> None:
    for _ in range(200):
        if entry in seen:
            return
        threading.Event().wait(0.05)
    raise AssertionError(f"{entry!r} never arrived; saw {seen}")


@pytest.mark.parametrize("abrupt", [False, True], ids=["stream-ends", "connection-cut"])
def test_watch_resumes_after_dropped_connection(
    kubeapi: KubeApiServer, objects: client.CustomObjectsApi, kube_namespace: str, abrupt: bool
) -> None:
    start = objects.list_namespaced_custom_object(GROUP, VERSION, kube_namespace, "pipelineexecutions")
    seen: list[str] = []
    args = (objects, kube_namespace, start["metadata"]["resourceVersion"], seen, "ADDED run-c")
    thread = threading.Thread(target=_collect, args=args, daemon=True)
    thread.start()
    _create(objects, kube_namespace, "run-a")
    _wait_for(seen, "ADDED run-a")
    assert kubeapi.faults.drop_watches(abrupt=abrupt) >= 1
    _create(objects, kube_namespace, "run-b")
    _create(objects, kube_namespace, "run-c")
    thread.join(10)
    assert seen == ["ADDED run-a", "ADDED run-b", "ADDED run-c"]


def test_watch_recovers_from_410_gone_without_losing_events(
    kubeapi: KubeApiServer, objects: client.CustomObjectsApi, kube_namespace: str
) -> None:
    old = objects.list_namespaced_custom_object(GROUP, VERSION, kube_namespace, "pipelineexecutions")
    _create(objects, kube_namespace, "run-1")
    kubeapi.compact()
    _create(objects, kube_namespace, "run-2")
    stale = watch.Watch().stream(
        objects.list_namespaced_custom_object, GROUP, VERSION, kube_namespace, "pipelineexecutions",
        resource_version=old["metadata"]["resourceVersion"], timeout_seconds=5,
    )  # fmt: skip
    with pytest.raises(client.ApiException) as gone:
        next(iter(stale))
    assert gone.value.status == 410
    relisted = objects.list_namespaced_custom_object(GROUP, VERSION, kube_namespace, "pipelineexecutions")
    seen = [f"LISTED {i['metadata']['name']}" for i in relisted["items"]]
    args = (objects, kube_namespace, relisted["metadata"]["resourceVersion"], seen, "ADDED run-3")
    thread = threading.Thread(target=_collect, args=args, daemon=True)
    thread.start()
    _create(objects, kube_namespace, "run-3")
    thread.join(10)
    assert seen == ["LISTED run-1", "LISTED run-2", "ADDED run-3"]


def test_version_api_of_the_official_client(kubeapi):
    from kubernetes import client

    configuration = client.Configuration()
    configuration.host = kubeapi.url
    info = client.VersionApi(client.ApiClient(configuration)).get_code()
    assert info.major == "1"
