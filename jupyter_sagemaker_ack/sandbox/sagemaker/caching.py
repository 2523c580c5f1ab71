"""Step caching (``CacheConfig: {Enabled, ExpireAfter}``), as SageMaker Pipelines reuses earlier step runs.

A step with caching on looks for an earlier successful run of the same step of the same pipeline whose
arguments, after parameters and execution variables are filled in, were identical. If one finished
within ``ExpireAfter`` (an ISO 8601 duration such as ``PT1H`` or ``P30D``; no expiry when absent), the
step does not run again: it succeeds at once with the earlier run's metadata, and ListPipelineExecutionSteps
shows ``CacheHitResult: {SourcePipelineExecutionArn}`` naming the execution that did the work. Failed and
stopped step runs are never reused, and a hit is not itself a new source.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .expressions import render

_DURATION = re.compile(
    r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_UNIT_SECONDS = (365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1)


@dataclass(frozen=True)
class CacheSetting:
    enabled: bool
    expire_after: float | None  # seconds; None keeps entries for as long as the emulator runs


def parse_duration(text: str) -> float:
    """Seconds in an ISO 8601 duration (years as 365 days, months as 30); ValueError when malformed."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(text)
    return sum(float(part) * unit for part, unit in zip(match.groups(), _UNIT_SECONDS, strict=True) if part)


def read_cache_config(step_name: str, value: Any) -> tuple[CacheSetting | None, list[str]]:
    if value is None:
        return None, []
    if not isinstance(value, Mapping):
        return None, [f"CacheConfig of step '{step_name}' must be an object."]
    enabled = value.get("Enabled", False)
    if not isinstance(enabled, bool):
        return None, [f"CacheConfig.Enabled of step '{step_name}' must be true or false."]
    expire = value.get("ExpireAfter")
    if expire is None:
        return CacheSetting(enabled, None), []
    try:
        return CacheSetting(enabled, parse_duration(str(expire))), []
    except ValueError:
        return None, [
            f"CacheConfig.ExpireAfter of step '{step_name}' is not an ISO 8601 duration: {expire!r}."
        ]


def signature(arguments: Any, variables: Mapping[str, Any]) -> str:
    """The step's arguments as they would be sent, parameters and execution variables filled in."""

    def fill(value: Any) -> Any:
        if isinstance(value, Mapping):
            get = value.get("Get")
            if isinstance(get, str) and len(value) == 1 and get in variables:
                return variables[get]
            if "Std:Join" in value and isinstance(value["Std:Join"], Mapping):
                join = value["Std:Join"]
                parts = [fill(v) for v in join.get("Values") or []]
                if not any(isinstance(p, (dict, list)) for p in parts):
                    return str(join.get("On", "")).join(render(p) for p in parts)
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    return json.dumps(fill(arguments), sort_keys=True, separators=(",", ":"), default=str)


@dataclass
class CacheEntry:
    source_execution_arn: str
    finished: float
    metadata: dict[str, Any]


@dataclass
class StepCache:
    """Successful cacheable step runs of one region, by (pipeline, step name, step type, signature)."""

    entries: dict[tuple[str, str, str, str], CacheEntry] = field(default_factory=dict)

    def find(self, key: tuple[str, str, str, str], setting: CacheSetting, now: float) -> CacheEntry | None:
        entry = self.entries.get(key)
        if entry is None or (
            setting.expire_after is not None and now - entry.finished > setting.expire_after
        ):
            return None
        return entry

    def record(self, key: tuple[str, str, str, str], entry: CacheEntry) -> None:
        self.entries[key] = entry

    def forget_pipeline(self, pipeline: str) -> None:
        for key in [k for k in self.entries if k[0] == pipeline]:
            del self.entries[key]
