"""Live status: how fast a step change shows, and how many SageMaker calls a run costs.

1. Latency: a step's state changes in the SageMaker emulator -> the status stream emits it, p95 with the
   sandbox policy (target <= 1 s), beside the SDK's ``PipelineExecution.wait()`` (polls every 30 s, so a
   change waits 15 s on average and up to 30 s; it also never ends on Stopped).
2. Budget: SageMaker API calls per execution-minute under the real-AWS policy (target <= 30), counted with
   a botocore ``before-call`` hook. The run is simulated with every duration of the policy and of the steps
   divided by the same factor, which leaves calls per (simulated) minute unchanged.

    python benchmarks/bench_status.py [--measure-sdk]   # --measure-sdk also times the SDK's wait() (~30 s)
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import json
import os
import statistics
import time
from typing import Any

from _common import finish, report

from jupyter_sagemaker_ack.adapters import sagemaker_api
from jupyter_sagemaker_ack.config import resolve_settings
from jupyter_sagemaker_ack.core import status as core
from jupyter_sagemaker_ack.examples.synthetic import ROLE, chain_definition
from jupyter_sagemaker_ack.sandbox.sagemaker import SageMakerEmulator
from jupyter_sagemaker_ack.services import watch

REGION = "us-east-1"


def start_run(client: Any, name: str, steps: int) -> str:
    client.create_pipeline(
        PipelineName=name, PipelineDefinition=json.dumps(chain_definition(steps)), RoleArn=ROLE
    )
    return str(client.start_pipeline_execution(PipelineName=name)["PipelineExecutionArn"])


def change_times(step: core.StepSnapshot, starting_fraction: float, duration: float) -> dict[str, float]:
    """When the emulator changed this step to each status (its clock is this machine's clock)."""
    assert step.start_time is not None
    start = step.start_time.timestamp()
    times = {"Starting": start, "Executing": start + starting_fraction * duration}
    if step.end_time is not None:
        times[step.status] = step.end_time.timestamp()
    return times


def measure_latency(emulator: SageMakerEmulator, settings: Any, runs: int = 3, steps: int = 6) -> list[float]:
    duration, fraction = 0.5, 0.3
    emulator.configure({"durations": {"default": duration, "startingFraction": fraction}})
    client = sagemaker_client(emulator)
    latencies: list[float] = []
    for index in range(runs):
        arn = start_run(client, f"latency-{index}", steps)
        seen: dict[str, str] = {}
        for snap in watch.watch_run(None, arn, settings, policy="sandbox"):
            emitted = time.time()
            for step in snap.steps:
                if step.status in ("Pending", seen.get(step.name)):
                    continue
                seen[step.name] = step.status
                changed = change_times(step, fraction, duration).get(step.status)
                if changed is not None:
                    latencies.append(emitted - changed)
    return latencies


def scaled(policy: core.PollPolicy, factor: float) -> core.PollPolicy:
    """The same policy on a clock ``factor`` times faster."""
    return dataclasses.replace(
        policy,
        interval=policy.interval / factor,
        long_step_after=policy.long_step_after / factor,
        long_step_interval=policy.long_step_interval / factor,
        max_backoff=policy.max_backoff / factor,
        max_polls_per_minute=(policy.max_polls_per_minute or 0) * factor or None,
        max_calls_per_minute=(policy.max_calls_per_minute or 0) * factor or None,
    )


def measure_calls(
    emulator: SageMakerEmulator, settings: Any, steps: int, step_seconds: float, factor: float
) -> float:
    """SageMaker calls per simulated execution-minute while following one run under the "aws" policy."""
    emulator.configure({"durations": {"default": step_seconds / factor, "startingFraction": 0.1}})
    client = sagemaker_client(emulator)
    arn = start_run(client, f"budget-{steps}", steps)
    calls: list[str] = []

    def count(model: Any, **_: Any) -> None:
        calls.append(model.name)

    # Clients copy the session's hooks when made, and watch_run makes its client after this.
    session = sagemaker_api._session()
    session.events.register("before-call.sagemaker", count, unique_id="bench-status-count")
    started = time.monotonic()
    for _ in watch.watch_run(None, arn, settings, policy=scaled(core.POLICIES["aws"], factor)):
        pass
    elapsed = (time.monotonic() - started) * factor
    session.events.unregister("before-call.sagemaker", unique_id="bench-status-count")
    polls = calls.count("DescribePipelineExecution")
    print(
        f"  {steps} steps of {step_seconds:g} s, {elapsed / 60:.1f} simulated minutes: {len(calls)} calls "
        f"({polls} polls; {', '.join(f'{n} {calls.count(n)}' for n in sorted(set(calls)))})"
    )
    return len(calls) / (elapsed / 60)


def sagemaker_client(emulator: SageMakerEmulator) -> Any:
    import boto3

    return boto3.client("sagemaker", endpoint_url=emulator.url, region_name=REGION)


def sdk_wait_defaults() -> tuple[int, int] | None:
    try:
        from sagemaker.workflow.pipeline import _PipelineExecution
    except Exception:
        return None
    params = inspect.signature(_PipelineExecution.wait).parameters
    return int(params["delay"].default), int(params["max_attempts"].default)


def measure_sdk_wait(emulator: SageMakerEmulator) -> float:
    """Seconds between a 1-step run ending and the SDK's wait() returning."""
    import boto3
    from sagemaker.session import Session
    from sagemaker.workflow.pipeline import _PipelineExecution

    emulator.configure({"durations": {"default": 1.0}})
    client = sagemaker_client(emulator)
    arn = start_run(client, "sdk-wait", 1)
    session = Session(boto_session=boto3.session.Session(region_name=REGION), sagemaker_client=client)
    _PipelineExecution(arn=arn, sagemaker_session=session).wait()
    returned = time.time()
    ended = client.describe_pipeline_execution(PipelineExecutionArn=arn)["LastModifiedTime"].timestamp()
    return returned - ended


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--measure-sdk", action="store_true", help="also time the SDK's wait() (about 30 s)")
    args = parser.parse_args()
    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    with SageMakerEmulator(region=REGION) as emulator:
        settings = resolve_settings(
            explicit={"region": REGION, "sagemaker_endpoint": emulator.url, "poll_policy": "sandbox"},
            env={k: v for k, v in os.environ.items() if k != "KUBECONFIG"},
        )
        latencies = measure_latency(emulator, settings)
        p95 = statistics.quantiles(latencies, n=20)[-1]
        p50 = statistics.median(latencies)
        defaults = sdk_wait_defaults()
        delay = defaults[0] if defaults else 30
        print(f"status latency over {len(latencies)} step changes (sandbox policy):")
        print(f"  sagemaker-ack watch_run  p50 {p50:.3f} s   p95 {p95:.3f} s   max {max(latencies):.3f} s")
        source = ", read from the installed SDK" if defaults else ""
        print(
            f"  SDK wait(delay={delay})       p50 {delay / 2:.1f} s    p95 {delay * 0.95:.1f} s  "
            f"max {delay:.1f} s (polls every {delay} s{source}; never ends on Stopped)"
        )
        print(f"  ratio (SDK p95 / ours)   {delay * 0.95 / p95:.0f}x")
        if args.measure_sdk and defaults:
            print(f"  SDK wait() measured: returned {measure_sdk_wait(emulator):.1f} s after the run ended")

        factor = 60.0
        print(f"SageMaker calls per execution-minute, 'aws' policy (simulated {factor:g}x faster):")
        small = measure_calls(emulator, settings, steps=5, step_seconds=60.0, factor=factor)
        large = measure_calls(emulator, settings, steps=150, step_seconds=10.0, factor=factor)
        print(f"  5 steps: {small:.1f} calls/min   150 steps: {large:.1f} calls/min")
    finish(
        [
            report("status latency p95 (sandbox policy)", p95, 1.0),
            report("SageMaker calls per execution-minute, 5 steps", small, 30.0, "calls"),
            report("SageMaker calls per execution-minute, 150 steps", large, 30.0, "calls"),
        ]
    )


if __name__ == "__main__":
    main()
