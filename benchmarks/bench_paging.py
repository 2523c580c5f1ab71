"""Benchmark of list paging in the Kubernetes API emulator: 5,000 PipelineExecutions, paged and unpaged.

Run: python benchmarks/bench_paging.py   (BENCH_SMOKE=1 for a quick run with 600 objects). Targets: the
whole list read in pages of 500 costs at most 1.5x one unpaged list, and the first page (what kubectl shows
first) arrives in at most 2.5x its share of the unpaged list's time (a quarter at 500 of 5,000). Exits 1
when a target is missed.
"""

from __future__ import annotations

import http.client
import json
import os
import time
from typing import Any
from urllib.parse import quote, urlparse

from _common import finish, median_seconds, report

from jupyter_sagemaker_ack.sandbox.kubeapi import KubeApiServer
from jupyter_sagemaker_ack.sandbox.kubeapi.registry import WriteOptions

SMOKE = os.environ.get("BENCH_SMOKE") == "1"
OBJECTS = 600 if SMOKE else 5000
PAGE = 100 if SMOKE else 500
NAMESPACE = "bench"
GROUP, VERSION = "sagemaker.services.k8s.aws", "v1alpha1"
PATH = f"/apis/{GROUP}/{VERSION}/namespaces/{NAMESPACE}/pipelineexecutions"


def _fill(server: KubeApiServer) -> None:
    def create() -> None:
        opts = WriteOptions(manager="bench")
        server.registry.create(
            server.store.types[("", "namespaces")], "", {"metadata": {"name": NAMESPACE}}, opts
        )
        rtype = server.store.types[(GROUP, "pipelineexecutions")]
        for i in range(OBJECTS):
            body = {
                "apiVersion": f"{GROUP}/{VERSION}",
                "kind": "PipelineExecution",
                "metadata": {"name": f"run-{i:05d}", "labels": {"app": "bench"}},
                "spec": {"pipelineName": "bench", "pipelineExecutionDisplayName": f"run-{i:05d}"},
            }
            server.registry.create(rtype, NAMESPACE, body, opts)

    server.call(create)


def _get(conn: http.client.HTTPConnection, path: str) -> dict[str, Any]:
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
    answer: dict[str, Any] = json.loads(body)
    return answer


def _paged(conn: http.client.HTTPConnection) -> int:
    count, token = 0, ""
    while True:
        query = f"?limit={PAGE}" + (f"&continue={quote(token)}" if token else "")
        page = _get(conn, PATH + query)
        count += len(page["items"])
        token = page["metadata"].get("continue", "")
        if not token:
            return count


def main() -> None:
    server = KubeApiServer().start()
    try:
        _fill(server)
        address = urlparse(server.url)
        conn = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=60)
        assert len(_get(conn, PATH)["items"]) == OBJECTS
        assert _paged(conn) == OBJECTS
        began = time.perf_counter()
        repeat = 3 if SMOKE else 5
        unpaged = median_seconds(lambda: _get(conn, PATH), repeat)
        paged = median_seconds(lambda: _paged(conn), repeat)
        first = median_seconds(lambda: _get(conn, f"{PATH}?limit={PAGE}"), repeat)
        print(f"{OBJECTS} objects, pages of {PAGE}: unpaged {unpaged * 1000:.1f} ms, paged {paged * 1000:.1f} ms,"
              f" first page {first * 1000:.1f} ms ({time.perf_counter() - began:.1f} s measuring)")  # fmt: skip
        results = [
            report("paged / unpaged, whole list", paged / unpaged, 1.5, unit="x"),
            report("first page / unpaged list", first / unpaged, 2.5 * PAGE / OBJECTS, unit="x"),
        ]
        conn.close()
    finally:
        server.stop()
    finish(results)


if __name__ == "__main__":
    main()
