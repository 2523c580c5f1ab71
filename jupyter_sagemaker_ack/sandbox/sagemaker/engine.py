"""One pipeline execution run through its DAG on a clock.

The run is an event simulation advanced lazily to "now" whenever anyone looks at it, so a state change is
visible to DescribePipelineExecution and ListPipelineExecutionSteps in the same request, and a fake clock
makes it deterministic in unit tests. Rules, as SageMaker runs a pipeline: a step starts once every step it
depends on (``DependsOn``, property references, its ConditionStep) has succeeded, at most ``parallelism``
at once; a ConditionStep's branch not taken never runs; after a failure no new step starts and the run fails
once the running ones end; a stop turns running steps to Stopping, then everything to Stopped. A failed
attempt that a step's retry policy covers starts a new attempt after the policy's wait (``retries.py``); a
cacheable step with an earlier identical successful run succeeds at once from it (``caching.py``). A failed
execution's own FailureReason is SageMaker's generic text; the step's own reason is on the step.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from .caching import CacheEntry, StepCache, signature
from .config import EmulatorConfig, InjectedFailure
from .errors import conflict
from .expressions import Unresolved, evaluate_all, render_text
from .plan import Plan
from .retries import covering
from .selective import Selection

DEFAULT_PARALLELISM = 50
# What DescribePipelineExecution and ListPipelineExecutions say about a run whose step failed (as the
# SageMaker Python SDK's integration tests of FailStep observe); the step's own reason is on the step.
STEP_FAILURE_REASON = "Step failure: One or multiple steps failed."
# Step type -> (metadata key, ARN resource type) for steps that create a SageMaker resource.
_RESOURCE_STEPS = {
    "Training": ("TrainingJob", "training-job"),
    "Processing": ("ProcessingJob", "processing-job"),
    "Transform": ("TransformJob", "transform-job"),
    "Tuning": ("TuningJob", "hyper-parameter-tuning-job"),
    "AutoML": ("AutoMLJob", "automl-job"),
    "Model": ("Model", "model"),
    "CreateModel": ("Model", "model"),
    "RegisterModel": ("RegisterModel", "model-package"),
    "Endpoint": ("Endpoint", "endpoint"),
    "EndpointConfig": ("EndpointConfig", "endpoint-config"),
}
_INSTANT_TYPES = frozenset({"Condition", "Fail"})
_ALPHABET = string.ascii_lowercase + string.digits


def random_id(length: int = 12) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


@dataclass
class StepRun:
    name: str
    type: str
    seq: int
    start: float
    planned_end: float
    starting_until: float
    raw: Mapping[str, Any]
    status: str = "Executing"
    end: float | None = None
    failure_reason: str | None = None
    will_fail: str | None = None
    injected: InjectedFailure | None = None
    attempt: int = 1
    cache_key: tuple[str, str, str, str] | None = None
    cache_source: str | None = None
    reused_from: str | None = None
    outcome: bool | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def public_status(self, now: float) -> str:
        if self.status == "Executing" and now < self.starting_until:
            return "Starting"
        return self.status

    def to_api(self, now: float) -> dict[str, Any]:
        item: dict[str, Any] = {
            "StepName": self.name,
            "StartTime": self.start,
            "StepStatus": self.public_status(now),
            "AttemptCount": self.attempt,
        }
        if isinstance(self.raw.get("DisplayName"), str):
            item["StepDisplayName"] = self.raw["DisplayName"]
        if isinstance(self.raw.get("Description"), str):
            item["StepDescription"] = self.raw["Description"]
        if self.end is not None:
            item["EndTime"] = self.end
        if self.failure_reason:
            item["FailureReason"] = self.failure_reason[:1024]
        if self.cache_source is not None:
            item["CacheHitResult"] = {"SourcePipelineExecutionArn": self.cache_source}
        if self.reused_from is not None:
            item["SelectiveExecutionResult"] = {"SourcePipelineExecutionArn": self.reused_from}
        metadata = dict(self.metadata)
        if self.type == "Condition" and self.status == "Succeeded" and self.outcome is not None:
            metadata["Condition"] = {"Outcome": "True" if self.outcome else "False"}
        if metadata:
            item["Metadata"] = metadata
        return item


@dataclass
class ExecutionRun:
    arn: str
    execution_id: str
    pipeline_arn: str
    pipeline_name: str
    plan: Plan
    variables: dict[str, Any]
    parameters: list[dict[str, str]]
    created: float
    config: EmulatorConfig
    region: str
    account_id: str
    parallelism: int | None = None
    cache: StepCache = field(default_factory=StepCache)
    display_name: str | None = None
    description: str | None = None
    version_id: int = 1
    selection: Selection | None = None
    status: str = "Executing"
    failure_reason: str | None = None
    last_modified: float = 0.0
    steps: dict[str, StepRun] = field(default_factory=dict)
    _clock: float = 0.0
    _failed: bool = False
    _stop_done_at: float | None = None

    def __post_init__(self) -> None:
        self._clock = self.created
        self.last_modified = self.created
        self._order = self.plan.graph.order()
        self._incoming = {
            name: [(link.source, link.kind) for link in links]
            for name, links in self.plan.graph.incoming().items()
        }
        self._raw = {step.name: step for step in self.plan.graph.steps}

    def reuse(self, source: ExecutionRun) -> None:
        """List the source's runs of the non-selected steps as this run's, marked as reused."""
        if self.selection is None:
            return
        for name in self.selection.reused:
            copied = replace(
                source.steps[name], seq=len(self.steps), metadata=dict(source.steps[name].metadata)
            )
            copied.reused_from = source.arn
            copied.cache_source = None
            self.steps[name] = copied

    @property
    def finished(self) -> bool:
        return self.status in ("Succeeded", "Failed", "Stopped")

    def advance(self, now: float) -> None:
        """Apply every event up to ``now`` (step ends, new starts, stop completion)."""
        while not self.finished:
            if self.status == "Executing" and not self._failed:
                self._start_ready(self._clock)
            events = [run.planned_end for run in self.steps.values() if run.status == "Executing"]
            if self.status == "Stopping" and self._stop_done_at is not None:
                events.append(self._stop_done_at)
            if not events:
                self._finish(self._clock)
                return
            upcoming = min(events)
            if upcoming > now:
                return
            self._clock = upcoming
            if (
                self.status == "Stopping"
                and self._stop_done_at is not None
                and self._stop_done_at <= upcoming
            ):
                self._complete_stop(upcoming)
                return
            for run in self.steps.values():
                if run.status == "Executing" and run.planned_end <= upcoming:
                    self._complete(run)

    def request_stop(self, now: float) -> None:
        self.advance(now)
        if self.status == "Stopping":
            return
        if self.status != "Executing":
            raise conflict(
                f"Pipeline execution '{self.arn}' is in {self.status} status and cannot be stopped; "
                "only an Executing execution can be stopped."
            )
        self.status = "Stopping"
        self._clock = max(self._clock, now)
        self._stop_done_at = now + self.config.stop_seconds
        self.last_modified = now
        for run in self.steps.values():
            if run.status == "Executing":
                run.status = "Stopping"

    def _eligible(self, name: str) -> bool:
        for source, kind in self._incoming[name]:
            run = self.steps.get(source)
            if run is None or run.status != "Succeeded":
                return False
            if kind == "condition_if" and run.outcome is not True:
                return False
            if kind == "condition_else" and run.outcome is not False:
                return False
        return True

    def _start_ready(self, at: float) -> None:
        limit = self.parallelism or DEFAULT_PARALLELISM
        running = sum(1 for run in self.steps.values() if run.status == "Executing")
        for name in self._order:
            if running >= limit:
                return
            if name in self.steps or not self._eligible(name):
                continue
            if self.selection is not None and name not in self.selection.selected:
                continue
            self._start(name, at)
            running += 1

    def _start(self, name: str, at: float) -> None:
        step = self._raw[name]
        duration = self.config.duration(name, step.type)
        starting = 0.0 if step.type in _INSTANT_TYPES else duration * self.config.starting_fraction
        run = StepRun(
            name=name,
            type=step.type,
            seq=len(self.steps),
            start=at,
            planned_end=at + duration,
            starting_until=at + starting,
            raw=step.raw,
        )
        run.injected = self.config.failures.get(name)
        run.will_fail = run.injected.reason if run.injected is not None else None
        setting = self.plan.caching.get(name)
        if setting is not None:
            run.cache_key = (
                self.pipeline_name.lower(),
                name,
                step.type,
                signature(step.arguments, self.variables),
            )
            hit = self.cache.find(run.cache_key, setting, at)
            if hit is not None:
                run.cache_source = hit.source_execution_arn
                run.metadata = dict(hit.metadata)
                run.planned_end = run.starting_until = at
                run.will_fail = run.injected = None
                self.steps[name] = run
                self.last_modified = max(self.last_modified, at)
                return
        if step.type == "Fail":
            message = render_text(step.arguments.get("ErrorMessage", ""), self.variables)
            run.metadata["Fail"] = {"ErrorMessage": message}
            run.will_fail = message
        elif step.type == "Condition":
            try:
                run.outcome = evaluate_all(list(step.arguments.get("Conditions") or []), self.variables)
            except (Unresolved, ValueError):
                run.outcome = self.config.condition_outcomes.get(name, True)
        else:
            run.metadata.update(self._resource_metadata(step.type, name, step.raw))
        self.steps[name] = run
        self.last_modified = max(self.last_modified, at)

    def _resource_metadata(self, step_type: str, name: str, raw: Mapping[str, Any]) -> dict[str, Any]:
        prefix = f"arn:aws:sagemaker:{self.region}:{self.account_id}"
        if step_type in _RESOURCE_STEPS:
            key, resource = _RESOURCE_STEPS[step_type]
            safe = re.sub(r"[^a-zA-Z0-9]+", "-", name).strip("-") or "step"
            job = f"pipelines-{self.execution_id}-{safe}"[:52].rstrip("-") + "-" + random_id(10)
            if resource == "model-package":
                job = f"{safe.lower()}/1"
            return {key: {"Arn": f"{prefix}:{resource}/{job.lower()}"}}
        if step_type == "Lambda":
            return {"Lambda": {"Arn": str(raw.get("FunctionArn", ""))[:256]}}
        if step_type == "Callback":
            return {
                "Callback": {"CallbackToken": random_id(10), "SqsQueueUrl": str(raw.get("SqsQueueUrl", ""))}
            }
        if step_type in ("QualityCheck", "ClarifyCheck"):
            return {step_type: {"CheckType": str(raw.get("CheckType", ""))}}
        if step_type == "EMR":
            cluster = raw.get("Arguments", {}).get("ClusterId")
            return {
                "EMR": {
                    "ClusterId": cluster if isinstance(cluster, str) else "",
                    "StepId": "s-" + random_id(13),
                }
            }
        return {}

    def _complete(self, run: StepRun) -> None:
        at = run.planned_end
        self.last_modified = max(self.last_modified, at)
        if run.will_fail is not None and self._retry(run, at):
            return
        run.end = at
        if run.will_fail is not None:
            run.status = "Failed"
            run.failure_reason = run.will_fail
            self._failed = True
            return
        run.status = "Succeeded"
        if run.cache_key is not None and run.cache_source is None:
            self.cache.record(run.cache_key, CacheEntry(self.arn, at, dict(run.metadata)))

    def _retry(self, run: StepRun, failed_at: float) -> bool:
        """Start the next attempt when a retry policy covers this failure; False when none does."""
        kind = run.injected.exception_type if run.injected is not None else None
        policy = covering(self.plan.retry_policies.get(run.name, []), kind)
        if policy is None:
            return False
        retry = run.attempt
        starts = failed_at + policy.wait_before(retry) * self.config.retry_scale
        if not policy.allows(retry, starts, run.start, self.config.retry_scale):
            return False
        run.attempt += 1
        if run.injected is not None and not run.injected.fails(run.attempt):
            run.will_fail = None
        duration = self.config.duration(run.name, run.type)
        run.planned_end = starts + duration
        run.starting_until = starts + duration * self.config.starting_fraction
        run.metadata.update(self._resource_metadata(run.type, run.name, run.raw))
        return True

    def _complete_stop(self, at: float) -> None:
        for run in self.steps.values():
            if run.status == "Stopping":
                run.status = "Stopped"
                run.end = at
        self.status = "Stopped"
        self.last_modified = at

    def _finish(self, at: float) -> None:
        self.status = "Failed" if self._failed else "Succeeded"
        if self._failed:
            self.failure_reason = STEP_FAILURE_REASON
        self.last_modified = max(self.last_modified, at)

    def describe(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "PipelineArn": self.pipeline_arn,
            "PipelineExecutionArn": self.arn,
            "PipelineExecutionDisplayName": self.display_name or f"execution-{int(self.created * 1000)}",
            "PipelineExecutionStatus": self.status,
            "PipelineExperimentConfig": {
                "ExperimentName": self.pipeline_name.lower(),
                "TrialName": self.execution_id,
            },
            "CreationTime": self.created,
            "LastModifiedTime": self.last_modified,
            "CreatedBy": {},
            "LastModifiedBy": {},
            "PipelineVersionId": self.version_id,
        }
        if self.description is not None:
            answer["PipelineExecutionDescription"] = self.description
        if self.failure_reason is not None:
            answer["FailureReason"] = self.failure_reason[:1300]
        if self.parallelism is not None:
            answer["ParallelismConfiguration"] = {"MaxParallelExecutionSteps": self.parallelism}
        if self.selection is not None:
            answer["SelectiveExecutionConfig"] = {
                "SourcePipelineExecutionArn": self.selection.source_arn,
                "SelectedSteps": [{"StepName": name} for name in self.selection.selected_order],
            }
        return answer

    def summary(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "PipelineExecutionArn": self.arn,
            "StartTime": self.created,
            "PipelineExecutionStatus": self.status,
            "PipelineExecutionDisplayName": self.display_name or f"execution-{int(self.created * 1000)}",
        }
        if self.description is not None:
            answer["PipelineExecutionDescription"] = self.description
        if self.failure_reason is not None:
            answer["PipelineExecutionFailureReason"] = self.failure_reason[:3072]
        return answer


def execution_variables(execution_id: str, arn: str, pipeline_name: str, started: float) -> dict[str, Any]:
    stamp = datetime.fromtimestamp(started, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "Execution.PipelineExecutionId": execution_id,
        "Execution.PipelineExecutionArn": arn,
        "Execution.PipelineName": pipeline_name,
        "Execution.PipelineExperimentName": pipeline_name.lower(),
        "Execution.StartDateTime": stamp,
        "Execution.CurrentDateTime": stamp,
    }
