"""The SageMaker Pipelines operations: state per region, and one method per API operation.

Requests arrive already checked against the service model (``validation.py``); this module applies the rules
that need state (unknown pipelines, existing names, parameters a definition does not declare) and answers in
the response shapes of botocore's service model. All state sits behind one lock: the HTTP server, the Python
API and the execution clock all go through it.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .caching import StepCache
from .config import EmulatorConfig
from .engine import ExecutionRun, execution_variables, random_id
from .errors import ApiError, conflict, not_found, validation_error
from .plan import Plan, load_plan
from .selective import Selection, select


@dataclass
class PipelineVersion:
    version_id: int
    plan: Plan
    created: float


@dataclass
class PipelineRecord:
    name: str
    arn: str
    role_arn: str
    created: float
    last_modified: float
    versions: list[PipelineVersion]
    display_name: str | None = None
    description: str | None = None
    parallelism: int | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    last_run: float | None = None
    executions: list[str] = field(default_factory=list)

    @property
    def current(self) -> PipelineVersion:
        return self.versions[-1]


@dataclass
class RegionState:
    pipelines: dict[str, PipelineRecord] = field(default_factory=dict)
    executions: dict[str, ExecutionRun] = field(default_factory=dict)
    tokens: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    step_cache: StepCache = field(default_factory=StepCache)


def _token(offset: int) -> str:
    # Not JSON inside: botocore's paginators would take a base64 JSON token for their own format.
    return base64.urlsafe_b64encode(f"position:{offset}".encode()).decode()


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        kind, _, number = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if kind != "position":
            raise ValueError(kind)
        return max(0, int(number))
    except (ValueError, UnicodeDecodeError):
        raise validation_error("The NextToken is not valid.") from None


def _page(items: list[Any], params: dict[str, Any], default_size: int = 50) -> tuple[list[Any], str | None]:
    start = _offset(params.get("NextToken"))
    size = int(params.get("MaxResults") or default_size)
    chunk = items[start : start + size]
    following = start + size
    return chunk, (_token(following) if following < len(items) else None)


def _typed_value(value: str, param_type: str) -> Any:
    if param_type == "Integer":
        return int(value)
    if param_type == "Float":
        return float(value)
    if param_type == "Boolean":
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise ValueError(value)
        return lowered == "true"
    return value


class SageMakerBackend:
    """State and behaviour of the emulated SageMaker Pipelines service."""

    def __init__(
        self,
        account_id: str = "123456789012",
        default_region: str = "us-east-1",
        config: EmulatorConfig | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.account_id = account_id
        self.default_region = default_region
        self.config = config or EmulatorConfig()
        self.clock = clock
        self.lock = threading.RLock()
        self._regions: dict[str, RegionState] = {}
        self._handlers: dict[str, Callable[[RegionState, str, dict[str, Any]], dict[str, Any]]] = {
            "CreatePipeline": self._create_pipeline,
            "UpdatePipeline": self._update_pipeline,
            "DescribePipeline": self._describe_pipeline,
            "DeletePipeline": self._delete_pipeline,
            "ListPipelines": self._list_pipelines,
            "StartPipelineExecution": self._start_execution,
            "DescribePipelineExecution": self._describe_execution,
            "ListPipelineExecutions": self._list_executions,
            "ListPipelineExecutionSteps": self._list_steps,
            "StopPipelineExecution": self._stop_execution,
            "UpdatePipelineExecution": self._update_execution,
            "DescribePipelineDefinitionForExecution": self._definition_for_execution,
            "ListPipelineParametersForExecution": self._parameters_for_execution,
        }

    @property
    def operations(self) -> tuple[str, ...]:
        return tuple(self._handlers)

    def reset(self) -> None:
        with self.lock:
            self._regions.clear()

    def call(self, operation: str, params: dict[str, Any], region: str | None = None) -> dict[str, Any]:
        """Run one operation; raises :class:`ApiError` as SageMaker would."""
        handler = self._handlers.get(operation)
        if handler is None:
            raise ApiError("UnknownOperationException", f"The emulator does not implement {operation}.")
        region = region or self.default_region
        with self.lock:
            state = self._regions.setdefault(region, RegionState())
            return handler(state, region, params)

    # -- names and lookups -------------------------------------------------------------------------

    def _pipeline_arn(self, region: str, name: str) -> str:
        return f"arn:aws:sagemaker:{region}:{self.account_id}:pipeline/{name.lower()}"

    def _find_pipeline(self, state: RegionState, region: str, name_or_arn: str) -> PipelineRecord:
        name = name_or_arn.split(":pipeline/", 1)[1] if ":pipeline/" in name_or_arn else name_or_arn
        record = state.pipelines.get(name.lower())
        if record is None:
            raise not_found(f"Pipeline '{self._pipeline_arn(region, name)}' does not exist.")
        return record

    def _find_execution(self, state: RegionState, arn: str) -> ExecutionRun:
        run = state.executions.get(arn.lower())
        if run is None:
            raise not_found(f"Pipeline execution '{arn}' does not exist.")
        run.advance(self.clock())
        return run

    def _idempotent(
        self, state: RegionState, operation: str, params: dict[str, Any]
    ) -> dict[str, Any] | None:
        token = params.get("ClientRequestToken")
        return state.tokens.get((operation, token)) if token else None

    def _remember(
        self, state: RegionState, operation: str, params: dict[str, Any], answer: dict[str, Any]
    ) -> None:
        token = params.get("ClientRequestToken")
        if token:
            state.tokens[(operation, token)] = answer

    # -- pipelines ---------------------------------------------------------------------------------

    def _definition_text(self, params: dict[str, Any]) -> str:
        if params.get("PipelineDefinitionS3Location"):
            raise validation_error(
                "The emulator does not read PipelineDefinitionS3Location; send PipelineDefinition inline."
            )
        text = params.get("PipelineDefinition")
        if text is None:
            raise validation_error("Either PipelineDefinition or PipelineDefinitionS3Location is required.")
        return str(text)

    def _create_pipeline(self, state: RegionState, region: str, params: dict[str, Any]) -> dict[str, Any]:
        previous = self._idempotent(state, "CreatePipeline", params)
        if previous is not None:
            return previous
        name = params["PipelineName"]
        arn = self._pipeline_arn(region, name)
        if name.lower() in state.pipelines:
            raise conflict(
                "Pipeline names must be unique within an AWS account and region. "
                f"Pipeline with name ({name}) already exists: '{arn}'."
            )
        plan = load_plan(self._definition_text(params))
        now = self.clock()
        state.pipelines[name.lower()] = PipelineRecord(
            name=name,
            arn=arn,
            role_arn=params["RoleArn"],
            created=now,
            last_modified=now,
            versions=[PipelineVersion(1, plan, now)],
            display_name=params.get("PipelineDisplayName"),
            description=params.get("PipelineDescription"),
            parallelism=(params.get("ParallelismConfiguration") or {}).get("MaxParallelExecutionSteps"),
            tags=list(params.get("Tags") or []),
        )
        answer = {"PipelineArn": arn}
        self._remember(state, "CreatePipeline", params, answer)
        return answer

    def _update_pipeline(self, state: RegionState, region: str, params: dict[str, Any]) -> dict[str, Any]:
        record = self._find_pipeline(state, region, params["PipelineName"])
        now = self.clock()
        if params.get("PipelineDefinition") is not None or params.get("PipelineDefinitionS3Location"):
            record.versions.append(
                PipelineVersion(len(record.versions) + 1, load_plan(self._definition_text(params)), now)
            )
        if "PipelineDisplayName" in params:
            record.display_name = params["PipelineDisplayName"]
        if "PipelineDescription" in params:
            record.description = params["PipelineDescription"]
        if "RoleArn" in params:
            record.role_arn = params["RoleArn"]
        if "ParallelismConfiguration" in params:
            record.parallelism = params["ParallelismConfiguration"]["MaxParallelExecutionSteps"]
        record.last_modified = now
        return {"PipelineArn": record.arn, "PipelineVersionId": record.current.version_id}

    def _describe_pipeline(self, state: RegionState, region: str, params: dict[str, Any]) -> dict[str, Any]:
        record = self._find_pipeline(state, region, params["PipelineName"])
        version = record.current
        if params.get("PipelineVersionId") is not None:
            wanted = int(params["PipelineVersionId"])
            if not 1 <= wanted <= len(record.versions):
                raise not_found(f"Pipeline version {wanted} of '{record.arn}' does not exist.")
            version = record.versions[wanted - 1]
        answer: dict[str, Any] = {
            "PipelineArn": record.arn,
            "PipelineName": record.name,
            "PipelineDisplayName": record.display_name or record.name,
            "PipelineDefinition": version.plan.text,
            "RoleArn": record.role_arn,
            "PipelineStatus": "Active",
            "CreationTime": record.created,
            "LastModifiedTime": record.last_modified,
            "CreatedBy": {},
            "LastModifiedBy": {},
        }
        if record.description is not None:
            answer["PipelineDescription"] = record.description
        if record.last_run is not None:
            answer["LastRunTime"] = record.last_run
        if record.parallelism is not None:
            answer["ParallelismConfiguration"] = {"MaxParallelExecutionSteps": record.parallelism}
        return answer

    def _delete_pipeline(self, state: RegionState, region: str, params: dict[str, Any]) -> dict[str, Any]:
        record = self._find_pipeline(state, region, params["PipelineName"])
        del state.pipelines[record.name.lower()]
        state.step_cache.forget_pipeline(record.name.lower())
        for arn in record.executions:
            state.executions.pop(arn, None)
        return {"PipelineArn": record.arn}

    def _list_pipelines(self, state: RegionState, region: str, params: dict[str, Any]) -> dict[str, Any]:
        records = list(state.pipelines.values())
        prefix = params.get("PipelineNamePrefix")
        if prefix:
            records = [r for r in records if r.name.lower().startswith(prefix.lower())]
        if params.get("CreatedAfter") is not None:
            records = [r for r in records if r.created > float(params["CreatedAfter"])]
        if params.get("CreatedBefore") is not None:
            records = [r for r in records if r.created < float(params["CreatedBefore"])]
        descending = params.get("SortOrder", "Descending") == "Descending"
        if params.get("SortBy") == "Name":
            records.sort(key=lambda r: r.name.lower(), reverse=descending)
        else:
            records.sort(key=lambda r: r.created, reverse=descending)
        page, token = _page(records, params)
        summaries = []
        for r in page:
            summary: dict[str, Any] = {
                "PipelineArn": r.arn,
                "PipelineName": r.name,
                "PipelineDisplayName": r.display_name or r.name,
                "RoleArn": r.role_arn,
                "CreationTime": r.created,
                "LastModifiedTime": r.last_modified,
            }
            if r.description is not None:
                summary["PipelineDescription"] = r.description
            if r.last_run is not None:
                summary["LastExecutionTime"] = r.last_run
            summaries.append(summary)
        answer: dict[str, Any] = {"PipelineSummaries": summaries}
        if token:
            answer["NextToken"] = token
        return answer

    # -- executions --------------------------------------------------------------------------------

    def _resolve_parameters(
        self, plan: Plan, given: list[dict[str, str]]
    ) -> tuple[dict[str, Any], list[dict[str, str]]]:
        declared = plan.parameters
        supplied: dict[str, str] = {}
        for item in given:
            name = item["Name"]
            if name in supplied:
                raise validation_error(f"Parameter '{name}' is given more than once.")
            if name not in declared:
                raise validation_error(f"Parameter '{name}' is not defined in the pipeline definition.")
            supplied[name] = item["Value"]
        variables: dict[str, Any] = {}
        listed: list[dict[str, str]] = []
        for name, parameter in declared.items():
            if name in supplied:
                text = supplied[name]
                try:
                    value = _typed_value(text, parameter.type)
                except ValueError:
                    raise validation_error(
                        f"Value '{text}' of parameter '{name}' is not a valid {parameter.type}."
                    ) from None
            elif parameter.default is not None:
                value = parameter.default
                text = json.dumps(value) if isinstance(value, bool) else str(value)
            else:
                raise validation_error(f"Parameter '{name}' has no default value and was not given.")
            if parameter.enum_values and value not in parameter.enum_values:
                raise validation_error(
                    f"Value '{text}' of parameter '{name}' is not one of {list(parameter.enum_values)}."
                )
            variables[f"Parameters.{name}"] = value
            listed.append({"Name": name, "Value": text})
        return variables, listed

    def _start_execution(self, state: RegionState, region: str, params: dict[str, Any]) -> dict[str, Any]:
        previous = self._idempotent(state, "StartPipelineExecution", params)
        if previous is not None:
            return previous
        record = self._find_pipeline(state, region, params["PipelineName"])
        version = record.current
        if params.get("PipelineVersionId") is not None:
            wanted = int(params["PipelineVersionId"])
            if not 1 <= wanted <= len(record.versions):
                raise validation_error(f"Pipeline version {wanted} of '{record.arn}' does not exist.")
            version = record.versions[wanted - 1]
        selection, source = self._selection(
            state, record, version.plan, params.get("SelectiveExecutionConfig")
        )
        variables, listed = self._resolve_parameters(
            version.plan, list(params.get("PipelineParameters") or [])
        )
        now = self.clock()
        execution_id = random_id()
        arn = f"{record.arn}/execution/{execution_id}"
        variables.update(execution_variables(execution_id, arn, record.name, now))
        parallelism = (params.get("ParallelismConfiguration") or {}).get("MaxParallelExecutionSteps")
        run = ExecutionRun(
            arn=arn,
            execution_id=execution_id,
            pipeline_arn=record.arn,
            pipeline_name=record.name,
            plan=version.plan,
            variables=variables,
            parameters=listed,
            created=now,
            config=self.config,
            region=region,
            account_id=self.account_id,
            parallelism=parallelism or record.parallelism,
            cache=state.step_cache,
            display_name=params.get("PipelineExecutionDisplayName"),
            description=params.get("PipelineExecutionDescription"),
            version_id=version.version_id,
            selection=selection,
        )
        if source is not None:
            run.reuse(source)
        state.executions[arn] = run
        record.executions.append(arn)
        record.last_run = now
        run.advance(now)
        answer = {"PipelineExecutionArn": arn}
        self._remember(state, "StartPipelineExecution", params, answer)
        return answer

    def _selection(
        self, state: RegionState, record: PipelineRecord, plan: Plan, config: dict[str, Any] | None
    ) -> tuple[Selection | None, ExecutionRun | None]:
        if not config:
            return None, None
        arn = config.get("SourcePipelineExecutionArn")
        source: ExecutionRun | None = None
        if arn:
            source = state.executions.get(str(arn).lower())
            if source is None:
                raise validation_error(f"Source pipeline execution '{arn}' does not exist.")
        elif record.executions:
            # Documented default: the pipeline's latest execution is the reference.
            source = state.executions[record.executions[-1]]
        if source is not None:
            source.advance(self.clock())
        return select(plan.graph, config, record.arn, source), source

    def _describe_execution(self, state: RegionState, region: str, params: dict[str, Any]) -> dict[str, Any]:
        return self._find_execution(state, params["PipelineExecutionArn"]).describe()

    def _list_executions(self, state: RegionState, region: str, params: dict[str, Any]) -> dict[str, Any]:
        record = self._find_pipeline(state, region, params["PipelineName"])
        now = self.clock()
        runs = [state.executions[arn] for arn in record.executions]
        for run in runs:
            run.advance(now)
        if params.get("CreatedAfter") is not None:
            runs = [r for r in runs if r.created > float(params["CreatedAfter"])]
        if params.get("CreatedBefore") is not None:
            runs = [r for r in runs if r.created < float(params["CreatedBefore"])]
        descending = params.get("SortOrder", "Descending") == "Descending"
        if params.get("SortBy") == "PipelineExecutionArn":
            runs.sort(key=lambda r: r.arn, reverse=descending)
        else:
            indexed = {arn: i for i, arn in enumerate(record.executions)}
            runs.sort(key=lambda r: (r.created, indexed[r.arn]), reverse=descending)
        page, token = _page(runs, params)
        answer: dict[str, Any] = {"PipelineExecutionSummaries": [r.summary() for r in page]}
        if token:
            answer["NextToken"] = token
        return answer

    def _list_steps(self, state: RegionState, region: str, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("PipelineExecutionArn"):
            raise validation_error("PipelineExecutionArn is required.")
        run = self._find_execution(state, params["PipelineExecutionArn"])
        now = self.clock()
        descending = params.get("SortOrder", "Descending") == "Descending"
        # Keyed by start order, so a page boundary stays put while newer steps start.
        ordered = sorted(run.steps.values(), key=lambda s: s.seq, reverse=descending)
        after = params.get("NextToken")
        if after:
            boundary = _offset(after)
            ordered = [s for s in ordered if (s.seq < boundary if descending else s.seq > boundary)]
        size = int(params.get("MaxResults") or 50)
        page = ordered[:size]
        answer: dict[str, Any] = {"PipelineExecutionSteps": [s.to_api(now) for s in page]}
        if len(ordered) > size:
            answer["NextToken"] = _token(page[-1].seq)
        return answer

    def _stop_execution(self, state: RegionState, region: str, params: dict[str, Any]) -> dict[str, Any]:
        run = self._find_execution(state, params["PipelineExecutionArn"])
        run.request_stop(self.clock())
        return {"PipelineExecutionArn": run.arn}

    def _update_execution(self, state: RegionState, region: str, params: dict[str, Any]) -> dict[str, Any]:
        run = self._find_execution(state, params["PipelineExecutionArn"])
        if "PipelineExecutionDisplayName" in params:
            run.display_name = params["PipelineExecutionDisplayName"]
        if "PipelineExecutionDescription" in params:
            run.description = params["PipelineExecutionDescription"]
        if "ParallelismConfiguration" in params:
            run.parallelism = params["ParallelismConfiguration"]["MaxParallelExecutionSteps"]
        run.last_modified = max(run.last_modified, self.clock())
        return {"PipelineExecutionArn": run.arn}

    def _definition_for_execution(
        self, state: RegionState, region: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        run = self._find_execution(state, params["PipelineExecutionArn"])
        return {"PipelineDefinition": run.plan.text, "CreationTime": run.created}

    def _parameters_for_execution(
        self, state: RegionState, region: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        run = self._find_execution(state, params["PipelineExecutionArn"])
        page, token = _page(run.parameters, params)
        answer: dict[str, Any] = {"PipelineParameters": page}
        if token:
            answer["NextToken"] = token
        return answer
