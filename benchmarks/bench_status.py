"""Live status: how fast a step change shows, and how many SageMaker calls a run costs.

1. Latency: a step's state changes in the SageMaker emulator -> the status stream emits it, p95 with the
   sandbox policy (target <= 1 s).
2. Run end: SDK's ``PipelineExecution.wait()`` (its default delay; 1 s in a smoke run) and ``watch_run``
   follow the same runs on the same emulator at once; the seconds from each run's end (the emulator's
   LastModifiedTime) to each one's answer, and the ratio of their p95s, both measured.
3. Budget: SageMaker API calls per execution-minute under the real-AWS policy (target <= 30), counted with
   a botocore ``before-call`` hook. The run is simulated with every duration of the policy and of the steps
   divided by the same factor, which leaves calls per (simulated) minute unchanged.

    python benchmarks/bench_status.py     # about 70 s; BENCH_SMOKE=1: a few seconds
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import logging
import os
import statistics
import threading
import time
from typing import Any

from _common import SMOKE, finish, missing, report, sized

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


def measure_latency(emulator: SageMakerEmulator, settings: Any, runs: int, steps: int = 6) -> list[float]:
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


def sdk_wait_delay() -> int:
    """The polling delay of the installed SDK's ``PipelineExecution.wait()`` (its default argument)."""
    try:
        from sagemaker.workflow.pipeline import _PipelineExecution
    except ImportError:
        missing("the SageMaker Python SDK v2", "pip install -e '.[dev]' (it is in the dev extras)")
    return int(inspect.signature(_PipelineExecution.wait).parameters["delay"].default)


def measure_run_end(
    emulator: SageMakerEmulator, settings: Any, delay: float, runs: int
) -> tuple[list[float], list[float]]:
    """Seconds from each run's end until the SDK's ``wait(delay)`` returns, and until ``watch_run`` emits it.

    ``runs`` one-step runs, each ``delay`` long, start together; the SDK's wait on run i starts i/runs of a
    delay later, so its polls fall at every phase of the run's end, as a user's would. Both follow the
    same runs on the same emulator at the same time.
    """
    import boto3
    from sagemaker.session import Session
    from sagemaker.workflow.pipeline import _PipelineExecution

    logging.getLogger("botocore").setLevel(logging.WARNING)  # the SDK turns botocore's INFO lines on
    emulator.configure({"durations": {"default": delay, "startingFraction": 0.05}})
    client = sagemaker_client(emulator)
    boto_session = boto3.session.Session(region_name=REGION)  # AWS_ENDPOINT_URL_SAGEMAKER: the emulator
    session = Session(boto_session=boto_session, sagemaker_client=boto_session.client("sagemaker"))
    arns = [start_run(client, f"run-end-{index}", 1) for index in range(runs)]
    started = time.time()
    sdk_returned: dict[str, float] = {}
    ours_returned: dict[str, float] = {}

    def sdk_wait(index: int, arn: str) -> None:
        time.sleep(max(0.0, started + index * delay / runs - time.time()))
        try:
            _PipelineExecution(arn=arn, sagemaker_session=session).wait(delay=delay, max_attempts=10)
        finally:
            sdk_returned[arn] = time.time()

    def ours(arn: str) -> None:
        for _ in watch.watch_run(None, arn, settings, policy="sandbox"):
            ours_returned[arn] = time.time()

    threads = [threading.Thread(target=sdk_wait, args=(i, arn)) for i, arn in enumerate(arns)]
    threads += [threading.Thread(target=ours, args=(arn,)) for arn in arns]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(delay * 4 + 60)
    sdk, mine = [], []
    for arn in arns:
        ended = client.describe_pipeline_execution(PipelineExecutionArn=arn)["LastModifiedTime"].timestamp()
        sdk.append(sdk_returned.get(arn, float("inf")) - ended)
        mine.append(ours_returned.get(arn, float("inf")) - ended)
    return sdk, mine


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else max(values)


def main() -> None:
    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    # In a smoke run the SDK polls every 1 s instead of its default, so the whole benchmark takes seconds.
    delay = 1 if SMOKE else sdk_wait_delay()
    with SageMakerEmulator(region=REGION) as emulator:
        os.environ["AWS_ENDPOINT_URL_SAGEMAKER"] = emulator.url
        settings = resolve_settings(
            explicit={"region": REGION, "sagemaker_endpoint": emulator.url, "poll_policy": "sandbox"},
            env={k: v for k, v in os.environ.items() if k != "KUBECONFIG"},
        )
        latencies = measure_latency(emulator, settings, runs=sized(3, 1), steps=sized(6, 3))
        step_p95 = p95(latencies)
        print(f"status latency over {len(latencies)} step changes (sandbox policy):")
        print(
            f"  sagemaker-ack watch_run  p50 {statistics.median(latencies):.3f} s   p95 {step_p95:.3f} s   "
            f"max {max(latencies):.3f} s"
        )
        runs = sized(10, 4)
        sdk, ours = measure_run_end(emulator, settings, delay, runs)
        print(
            f"run end -> result, {runs} runs followed by both at once (the SDK's wait polls every {delay} s):"
        )
        print(f"  SDK PipelineExecution.wait()  p50 {statistics.median(sdk):.2f} s   p95 {p95(sdk):.2f} s")
        print(f"  sagemaker-ack watch_run       p50 {statistics.median(ours):.3f} s   p95 {p95(ours):.3f} s")
        ratio = p95(sdk) / p95(ours)
        print(f"  ratio (SDK p95 / ours p95, both measured)  {ratio:.0f}x")

        factor = float(sized(60, 120))
        print(f"SageMaker calls per execution-minute, 'aws' policy (simulated {factor:g}x faster):")
        few, many = sized(5, 2), sized(150, 10)
        small = measure_calls(emulator, settings, steps=few, step_seconds=60.0, factor=factor)
        large = measure_calls(emulator, settings, steps=many, step_seconds=10.0, factor=factor)
        print(f"  {few} steps: {small:.1f} calls/min   {many} steps: {large:.1f} calls/min")
    finish(
        [
            report("status latency p95 (sandbox policy)", step_p95, 1.0),
            report("run end -> watch_run p95", p95(ours), 1.0),
            report("SDK wait() p95 / watch_run p95 at a run's end", ratio, 2.0, "x", lower_is_better=False),
            report(f"SageMaker calls per execution-minute, {few} steps", small, 30.0, "calls"),
            report(f"SageMaker calls per execution-minute, {many} steps", large, 30.0, "calls"),
        ]
    )


if __name__ == "__main__":
    main()
