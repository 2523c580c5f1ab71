"""Benchmark of the Kubernetes API emulator: ready time, GET latency over 10,000 requests, watch latency.

Run: python benchmarks/bench_kubeapi.py   (targets from issue 8: ready <= 1 s, GET <= 5 ms median with no
growth, a watch event <= 50 ms after the write). Prints figures and ratios; asserts nothing.
"""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from jupyter_sagemaker_ack.sandbox.kubeapi import KubeApiServer

GROUP_VERSION = "sagemaker.services.k8s.aws/v1alpha1"
PIPELINE = {
    "apiVersion": GROUP_VERSION,
    "kind": "Pipeline",
    "metadata": {"name": "bench"},
    "spec": {
        "pipelineName": "bench",
        "pipelineDefinition": "{}",
        "roleARN": "arn:aws:iam::123456789012:role/x",
    },
}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def ready_in_process(runs: int = 10) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        server = KubeApiServer().start()
        times.append(time.perf_counter() - began)
        server.stop()
    return times


def ready_as_process(runs: int = 5) -> list[float]:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            ready = Path(tmp) / f"ready-{i}.json"
            began = time.perf_counter()
            cmd = [sys.executable, "-m", "jupyter_sagemaker_ack.sandbox.kubeapi", "--ready-file", str(ready)]
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
            while not ready.exists() and time.perf_counter() - began < 30:
                time.sleep(0.005)
            times.append(time.perf_counter() - began)
            proc.terminate()
            proc.wait(10)
    return times


def _connection(url: str) -> http.client.HTTPConnection:
    parsed = urlparse(url)
    return http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port, timeout=10)


def _send(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: object = None,
    ctype: str = "application/json",
) -> bytes:
    data = None if body is None else json.dumps(body).encode()
    conn.request(method, path, body=data, headers={"Content-Type": ctype})
    return conn.getresponse().read()


def get_latency(server: KubeApiServer, total: int = 10_000, chunk: int = 1_000) -> list[float]:
    conn = _connection(server.url)
    base = f"/apis/{GROUP_VERSION}/namespaces/default/pipelines"
    _send(conn, "POST", base, PIPELINE)
    medians = []
    for _ in range(total // chunk):
        samples = []
        for _ in range(chunk):
            began = time.perf_counter()
            _send(conn, "GET", f"{base}/bench")
            samples.append(time.perf_counter() - began)
        medians.append(statistics.median(samples))
    return medians


def watch_latency(server: KubeApiServer, writes: int = 50) -> list[float]:
    base = f"/apis/{GROUP_VERSION}/namespaces/default/pipelines"
    writer = _connection(server.url)
    rv = json.loads(_send(writer, "GET", base))["metadata"]["resourceVersion"]
    watcher = _connection(server.url)
    watcher.request("GET", f"{base}?watch=true&resourceVersion={rv}&timeoutSeconds=60")
    stream = watcher.getresponse()
    latencies = []
    for i in range(writes):
        patch = {"status": {"pipelineStatus": f"s{i}"}}
        began = time.perf_counter()
        _send(writer, "PATCH", f"{base}/bench/status", patch, "application/merge-patch+json")
        stream.readline()
        latencies.append(time.perf_counter() - began)
    watcher.close()
    return latencies


def main() -> None:
    ready = ready_in_process()
    print(f"ready (in-process start, median of {len(ready)}): {_ms(statistics.median(ready))}  target <= 1 s")
    spawned = ready_as_process()
    print(f"ready (new process to ready file, median of {len(spawned)}): {_ms(statistics.median(spawned))}")
    with KubeApiServer() as server:
        medians = get_latency(server)
        print("GET median per 1,000 requests: " + ", ".join(f"{m * 1000:.2f}" for m in medians) + " ms")
        print(f"GET median overall: {_ms(statistics.median(medians))}  target <= 5 ms")
        half = len(medians) // 2
        growth = statistics.median(medians[half:]) / statistics.median(medians[:half])
        print(f"growth, second 5,000 / first 5,000 (medians): {growth:.2f}x  (1.00 = none)")
        latencies = watch_latency(server)
        p95 = sorted(latencies)[int(len(latencies) * 0.95) - 1]
        median, target = _ms(statistics.median(latencies)), "target <= 50 ms"
        print(f"watch event after write (incl. its round trip): median {median}, p95 {_ms(p95)}  {target}")


if __name__ == "__main__":
    main()
