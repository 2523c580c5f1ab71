"""The status model of one pipeline run: snapshots, parsing, links, outcome rules and the waiter spec.

Two sources describe a run and neither is enough alone: the ACK ``PipelineExecution`` CR (conditions, the
execution ARN, a status that lags SageMaker by up to 30 s, no step detail) and SageMaker itself
(``DescribePipelineExecution`` + ``ListPipelineExecutionSteps``: fresh, per step). The modules:

- :mod:`.snapshots`: the values (``Condition``, ``StepSnapshot``, ``RunSnapshot``, the wire shape);
- :mod:`.parse`: CRs and SageMaker answers into those values;
- :mod:`.links`: console and CloudWatch links from ARNs;
- :mod:`.outcome` and :mod:`.merge`: how a run ended, one snapshot from both sources;
- :mod:`.waiting`: the one waiter specification (delays, timeouts, acceptors) and SageMaker's polling pace.

Callers inside the package import from the module that holds a name; this re-export keeps
``from jupyter_sagemaker_ack.core.status import X`` working.
"""

from __future__ import annotations

from .links import (
    METADATA_KINDS,
    arn_parts,
    cloudwatch_logs_url,
    console_base,
    execution_console_url,
    links,
    pipeline_name_of_arn,
)
from .merge import merge
from .outcome import Outcome, decide_outcome, fatal_condition
from .parse import (
    CrView,
    SageMakerView,
    clean_ack_message,
    parse_conditions,
    parse_describe,
    parse_execution_cr,
    parse_steps,
    parse_time,
)
from .snapshots import (
    FINAL_STATUSES,
    RECOVERABLE,
    RUN_STATUSES,
    STEP_STATUSES,
    SYNCED,
    TERMINAL,
    Condition,
    Progress,
    RunSnapshot,
    StepSnapshot,
    find_condition,
)
from .waiting import (
    CONDITION_FAILURES,
    CONDITION_RETRIES,
    EXECUTION_STARTED,
    PIPELINE_SYNCED,
    POLICIES,
    RUN_ENDED,
    Acceptor,
    Decision,
    Observation,
    PollPolicy,
    Waiters,
    WaiterSpec,
    decide,
    poll_policy,
    running_for,
)

__all__ = [
    "CONDITION_FAILURES",
    "CONDITION_RETRIES",
    "EXECUTION_STARTED",
    "FINAL_STATUSES",
    "METADATA_KINDS",
    "PIPELINE_SYNCED",
    "POLICIES",
    "RECOVERABLE",
    "RUN_ENDED",
    "RUN_STATUSES",
    "STEP_STATUSES",
    "SYNCED",
    "TERMINAL",
    "Acceptor",
    "Condition",
    "CrView",
    "Decision",
    "Observation",
    "Outcome",
    "PollPolicy",
    "Progress",
    "RunSnapshot",
    "SageMakerView",
    "StepSnapshot",
    "WaiterSpec",
    "Waiters",
    "arn_parts",
    "clean_ack_message",
    "cloudwatch_logs_url",
    "console_base",
    "decide",
    "decide_outcome",
    "execution_console_url",
    "fatal_condition",
    "find_condition",
    "links",
    "merge",
    "parse_conditions",
    "parse_describe",
    "parse_execution_cr",
    "parse_steps",
    "parse_time",
    "pipeline_name_of_arn",
    "poll_policy",
    "running_for",
]
