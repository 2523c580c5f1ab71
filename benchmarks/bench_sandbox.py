"""The sandbox: `sandbox up` ready in at most 3 s (median of 5; 1 in a smoke run); during a run, Describe
and ListSteps never disagree, and the CR shows each SageMaker state change within one requeue interval
(0.5 s by default).

Runs go through the cluster as a user's would: a Pipeline CR and PipelineExecution CRs, which the ACK
controller emulator turns into SageMaker calls. While they run, two samplers work side by side, each as
fast as it can (a few ms apart):
- SageMaker: ListPipelineExecutions, then per run Describe and ListSteps. A sample where Describe is ahead
  of ListSteps (the run Succeeded while a step is not) is a disagreement; every sample is judged.
- Kubernetes: the PipelineExecution CRs' status.
A state change is the first sample showing a run's new status; its lag is the CR's first sample with that
status minus SageMaker's, for every change SageMaker's sampler saw happen.

    python benchmarks/bench_sandbox.py        # BENCH_SMOKE=1: 1 start-up, 1 run
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from _common import command_seconds, finish, report, sized

from jupyter_sagemaker_ack.core import manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import chain_definition
from jupyter_sagemaker_ack.sandbox import stack

REQUEUE_SECONDS = 0.5
GROUP, VERSION = "sagemaker.services.k8s.aws", "v1alpha1"
PIPELINE = "BenchVisibility"
STEPS = 4


def time_up(repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            stack.up(Path(tmp))
            samples.append(time.perf_counter() - start)
            stack.down(Path(tmp))
    return samples


def set_step_seconds(info: stack.SandboxInfo, seconds: float) -> None:
    request = urllib.request.Request(
        info.endpoints["sagemaker"] + "/_emulator/config",
        data=json.dumps({"durations": {"default": seconds}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


class Samplers:
    """The two samplers, each in its own thread, recording (time, status) per run."""

    def __init__(self, sm: Any, api: Any, runs: int) -> None:
        self.sm, self.api, self.runs = sm, api, runs
        self.sagemaker: dict[str, list[tuple[float, str]]] = {}
        self.cluster: dict[str, list[tuple[float, str]]] = {}
        self.samples = 0
        self.disagreements: list[str] = []
        self.stop = threading.Event()

    def sample_sagemaker(self) -> None:
        while not self.stop.is_set():
            try:
                listed = self.sm.list_pipeline_executions(PipelineName=PIPELINE)["PipelineExecutionSummaries"]
            except self.sm.exceptions.ResourceNotFound:  # the controller has not created the pipeline yet
                time.sleep(0.005)
                continue
            for summary in listed:
                arn = summary["PipelineExecutionArn"]
                described = self.sm.describe_pipeline_execution(PipelineExecutionArn=arn)
                steps = self.sm.list_pipeline_execution_steps(PipelineExecutionArn=arn)[
                    "PipelineExecutionSteps"
                ]
                seen = time.perf_counter()
                status = described["PipelineExecutionStatus"]
                done = len(steps) == STEPS and all(s["StepStatus"] == "Succeeded" for s in steps)
                self.samples += 1
                if status == "Succeeded" and not done:  # ListSteps runs after Describe: it may only be ahead
                    self.disagreements.append(
                        f"{arn}: Succeeded with steps {[s['StepStatus'] for s in steps]}"
                    )
                self.sagemaker.setdefault(arn, []).append((seen, status))

    def sample_cluster(self) -> None:
        while not self.stop.is_set():
            items = self.api.list_namespaced_custom_object(GROUP, VERSION, "default", "pipelineexecutions")
            seen = time.perf_counter()
            for item in items["items"]:
                status = item.get("status") or {}
                arn = (status.get("ackResourceMetadata") or {}).get("arn")
                if arn and status.get("pipelineExecutionStatus"):
                    self.cluster.setdefault(arn, []).append((seen, status["pipelineExecutionStatus"]))

    def finished(self) -> bool:
        latest = [samples[-1][1] for samples in self.cluster.values() if samples]
        return len(latest) == self.runs and all(s in ("Succeeded", "Failed", "Stopped") for s in latest)


def changes(samples: list[tuple[float, str]], seen_before: bool) -> dict[str, float]:
    """When each status was first sampled; only changes seen happen (a different status sampled before)
    when ``seen_before``."""
    first: dict[str, float] = {}
    previous = None
    for when, status in samples:
        if status != previous and status not in first and (previous is not None or not seen_before):
            first[status] = when
        previous = status
    return first


def visibility(info: stack.SandboxInfo, runs: int) -> tuple[int, int, list[float]]:
    """(SageMaker samples, disagreements among them, CR lag per observed SageMaker state change)."""
    import boto3
    from kubernetes import client, config

    os.environ.update(info.env)
    set_step_seconds(info, 0.6)
    sm = boto3.client("sagemaker")
    config.load_kube_config(info.env["KUBECONFIG"])
    api = client.CustomObjectsApi()
    role = info.env["SAGEMAKER_ACK_ROLE_ARN"]
    definition = parse_definition(chain_definition(STEPS))
    api.create_namespaced_custom_object(
        GROUP,
        VERSION,
        "default",
        "pipelines",
        manifests.render_pipeline(definition, manifests.PipelineOptions(PIPELINE, role)),
    )
    samplers = Samplers(sm, api, runs)
    threads = [
        threading.Thread(target=samplers.sample_sagemaker),
        threading.Thread(target=samplers.sample_cluster),
    ]
    for thread in threads:
        thread.start()
    try:
        for index in range(runs):
            run = manifests.render_execution(manifests.ExecutionOptions(PIPELINE, f"bench{index}"))
            api.create_namespaced_custom_object(GROUP, VERSION, "default", "pipelineexecutions", run)
        deadline = time.monotonic() + 120
        while not samplers.finished():
            if time.monotonic() > deadline:
                raise RuntimeError("the runs did not finish within 120 s")
            time.sleep(0.05)
        time.sleep(0.2)  # a last sample of SageMaker after the CRs' last change
    finally:
        samplers.stop.set()
        for thread in threads:
            thread.join(30)
    lags = []
    for arn, sampled in samplers.sagemaker.items():
        shown = changes(samplers.cluster.get(arn, []), seen_before=False)
        for status, when in changes(sampled, seen_before=True).items():
            lag = shown.get(status, float("inf")) - when
            lags.append(lag)
            print(f"  {arn.rsplit('/', 1)[-1]}: {status:<9} in the CR {lag * 1000:+.0f} ms after SageMaker")
    for line in samplers.disagreements[:5]:
        print(f"  disagreement: {line}")
    return samplers.samples, len(samplers.disagreements), lags


def main() -> None:
    base = command_seconds([sys.executable, "-c", "pass"], repeat=sized(5, 2))
    ups = time_up(sized(4, 0))
    print(f"bare interpreter start {base:.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        info = stack.up(Path(tmp))
        ups.append(time.perf_counter() - started)  # the sandbox of the runs below is the last sample
        print(f"sandbox up samples: {', '.join(f'{s:.2f}' for s in ups)} s")
        ready = statistics.median(ups)
        try:
            samples, disagreements, lags = visibility(info, runs=sized(3, 1))
        finally:
            stack.down(Path(tmp))
    worst = max(lags, default=float("inf"))
    print(
        f"{samples} SageMaker samples, {len(lags)} state changes seen; CR lag median "
        f"{statistics.median(lags) * 1000 if lags else float('inf'):.0f} ms, max {worst * 1000:.0f} ms"
    )
    finish(
        [
            report(f"sandbox up ready (median of {len(ups)})", ready, 3.0),
            report(
                "state changes of SageMaker seen by the sampler",
                len(lags),
                1,
                "changes",
                lower_is_better=False,
            ),
            report(
                f"samples where Describe and ListSteps disagreed (of {samples})", disagreements, 0, "samples"
            ),
            report("CR lag behind a SageMaker state change (max)", worst, REQUEUE_SECONDS),
        ]
    )


if __name__ == "__main__":
    main()
