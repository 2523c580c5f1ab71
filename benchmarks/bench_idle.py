"""An idle sandbox is idle: after one quickstart, its processes use under 5 % of one core, as much 60 s after
the run as 20 s after it, and a new run's status reaches the CR as fast as on the fresh sandbox.

CPU is read from ``/proc/<pid>/stat`` (utime + stime of the supervisor, moto and the ACK controller
emulator, every thread included) over a window starting at each point in time. The status latency is
measured twice on the same sandbox, with the real ``kubectl``: once fresh (before the quickstart) and once
after the idle windows: from ``kubectl apply`` of a PipelineExecution to its first status in the CR, and
from SageMaker reporting the run Succeeded to the CR saying so.

``BENCH_SMOKE=1`` keeps it small (windows of 3 s at 5 s and 12 s, a small pipeline instead of the
quickstart). ``BENCH_IDLE_POINTS=20,60`` and ``BENCH_IDLE_WINDOW=10`` override the points and the window.
Exits non-zero on any miss.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import finish, report

from jupyter_sagemaker_ack.sandbox import stack

SMOKE = os.environ.get("BENCH_SMOKE", "") not in ("", "0")
POINTS = tuple(float(p) for p in os.environ.get("BENCH_IDLE_POINTS", "5,12" if SMOKE else "20,60").split(","))
WINDOW = float(os.environ.get("BENCH_IDLE_WINDOW", "3" if SMOKE else "10"))
CPU_TARGET = 5.0  # percent of one core, all sandbox processes together
FLAT_MARGIN = 1.0  # the later window may cost at most this many points more than the earlier one
LATENCY_SLACK = 0.5  # seconds the aged sandbox's first status may lag behind the fresh one's
REQUEUE_SECONDS = 0.5  # the sandbox re-reads a running execution this often: the Succeeded lag is 0-0.5 s
TICKS = os.sysconf("SC_CLK_TCK")
KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"
GROUP, VERSION = "sagemaker.services.k8s.aws", "v1alpha1"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
DEFINITION = json.dumps(
    {
        "Version": "2020-12-01",
        "Parameters": [],
        "Steps": [
            {"Name": "Prepare", "Type": "Processing", "Arguments": {}},
            {"Name": "Train", "Type": "Training", "Arguments": {}, "DependsOn": ["Prepare"]},
        ],
    }
)


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """utime + stime of each live pid, in seconds."""
    used = {}
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = text.rpartition(")")[2].split()
        used[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return used


def idle_cost(pids: dict[int, str], start: float, window: float) -> tuple[float, dict[str, float]]:
    """Percent of one core over ``window`` seconds from monotonic time ``start`` (total, per process)."""
    time.sleep(max(0.0, start - time.monotonic()))
    before, began = cpu_seconds(list(pids)), time.monotonic()
    time.sleep(window)
    after, elapsed = cpu_seconds(list(pids)), time.monotonic() - began
    share = {pids[p]: 100 * (after[p] - before[p]) / elapsed for p in after if p in before}
    return sum(share.values()), share


def kubectl(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [KUBECTL, *args], input=stdin, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"kubectl {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def _document(kind: str, name: str, spec: dict[str, Any]) -> str:
    return json.dumps(
        {"apiVersion": f"{GROUP}/{VERSION}", "kind": kind, "metadata": {"name": name}, "spec": spec}
    )


def status_latency(env: dict[str, str], run: str) -> tuple[float, float]:
    """(apply -> first status in the CR, SageMaker Succeeded -> CR Succeeded) for a new run of ``bench-idle``."""
    import boto3
    from kubernetes import client, config

    api = client.CustomObjectsApi(config.new_client_from_config(env["KUBECONFIG"]))
    sagemaker = boto3.client("sagemaker", endpoint_url=env["AWS_ENDPOINT_URL_SAGEMAKER"])

    def cr() -> dict[str, Any]:
        found: dict[str, Any] = api.get_namespaced_custom_object(
            GROUP, VERSION, "default", "pipelineexecutions", run
        )
        return dict(found.get("status") or {})

    spec = {"pipelineName": "bench-idle", "pipelineParameters": []}
    applied = time.perf_counter()
    kubectl(env, "apply", "-f", "-", stdin=_document("PipelineExecution", run, spec))
    deadline = applied + 60
    while not cr().get("pipelineExecutionStatus"):
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{run} got no status within 60 s")
        time.sleep(0.01)
    first_status = time.perf_counter() - applied
    arn = cr()["ackResourceMetadata"]["arn"]
    while sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"] != (
        "Succeeded"
    ):
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{run} did not succeed within 60 s")
        time.sleep(0.01)
    succeeded = time.perf_counter()
    while cr().get("pipelineExecutionStatus") != "Succeeded":
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{run}'s CR never said Succeeded")
        time.sleep(0.01)
    return first_status, time.perf_counter() - succeeded


def one_run(env: dict[str, str], out: Path) -> None:
    """The quickstart (the small pipeline's run in smoke mode or without the SageMaker SDK)."""
    try:
        if SMOKE:
            raise ImportError("smoke mode")
        import sagemaker  # noqa: F401
    except ImportError:
        kubectl(
            env,
            "apply",
            "-f",
            "-",
            stdin=_document("PipelineExecution", "bench-first", {"pipelineName": "bench-idle"}),
        )
        status = "--for=jsonpath={.status.pipelineExecutionStatus}=Succeeded"
        kubectl(env, "wait", "--timeout=60s", status, "pipelineexecution/bench-first")
        return
    import logging
    import warnings

    from jupyter_sagemaker_ack.config import resolve_settings
    from jupyter_sagemaker_ack.services.quickstart import run_quickstart

    for noisy in ("sagemaker", "sagemaker.config", "botocore", "boto3"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=r"sagemaker\.")

    result = run_quickstart(resolve_settings(env=env), out, say=lambda _: None)
    if result.run.outcome != "Succeeded":
        raise RuntimeError(f"the quickstart's run ended {result.run.outcome}")


def main() -> None:
    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        info = stack.up(Path(tmp) / "sandbox")
        env = {**os.environ, **info.env}
        env.pop("AWS_ENDPOINT_URL", None)
        os.environ.update(env)
        names = ("supervisor", "moto", "controller")
        pids = {p.pid: names[i] if i < len(names) else str(p.pid) for i, p in enumerate(info.processes)}
        try:
            spec = {"pipelineName": "bench-idle", "roleARN": ROLE, "pipelineDefinition": DEFINITION}
            kubectl(env, "apply", "-f", "-", stdin=_document("Pipeline", "bench-idle", spec))
            kubectl(env, "wait", "--timeout=60s", "--for=condition=ACK.ResourceSynced", "pipeline/bench-idle")
            fresh = status_latency(env, "bench-fresh")
            one_run(env, Path(tmp) / "out")
            finished = time.monotonic()
            costs = []
            for point in POINTS:
                total, share = idle_cost(pids, finished + point, WINDOW)
                costs.append(total)
                detail = ", ".join(f"{name} {value:.2f}" for name, value in share.items())
                print(
                    f"idle {point:.0f}-{point + WINDOW:.0f} s after the run: {total:.2f} % of a core ({detail})"
                )
                results.append(report(f"idle CPU {point:.0f} s after the run", total, CPU_TARGET, "%"))
            results.append(
                report("idle CPU growth (last window - first)", costs[-1] - costs[0], FLAT_MARGIN, "points")
            )
            aged = status_latency(env, "bench-aged")
        finally:
            stack.down(info.state_dir)
    print(f"status latency fresh: first status {fresh[0]:.3f} s, Succeeded lag {fresh[1]:.3f} s")
    print(f"status latency aged:  first status {aged[0]:.3f} s, Succeeded lag {aged[1]:.3f} s")
    results.append(report("aged first-status latency", aged[0], fresh[0] + LATENCY_SLACK))
    results.append(report("aged Succeeded lag", aged[1], max(fresh[1], REQUEUE_SECONDS) + 0.25))
    finish(results)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
