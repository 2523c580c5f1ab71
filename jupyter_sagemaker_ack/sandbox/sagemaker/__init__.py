"""A SageMaker Pipelines emulator: the pipeline API over HTTP, executions run through their DAG on a clock.

moto stores pipelines but finishes every execution at once and has no step listing or stop; this emulator
runs executions step by step (conditions, failures, retry policies, step caching, stop, parallelism) so
status, watch and stop code paths can be exercised locally with the real boto3 client. It reads definitions
with its own walker (``graph.py``), never the project's core, so it can catch what the core misses.
"""

from __future__ import annotations

from .config import EmulatorConfig
from .emulator import SageMakerEmulator, configure_remote

__all__ = ["EmulatorConfig", "SageMakerEmulator", "configure_remote"]
