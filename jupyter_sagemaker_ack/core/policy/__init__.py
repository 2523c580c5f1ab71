"""Pipeline policies: what a DevOps team allows a pipeline to use, checked before anyone applies it.

``read_policy`` reads a ``PipelinePolicy`` file; ``check_documents`` / ``check_definition_text`` /
``check_definition_value`` judge manifests and definitions against one or more policies and return lint
findings (codes SMA901-SMA910 in ``core.lint.findings.CODES``), so JSON, SARIF and the gates treat them
like every other finding.
"""

from __future__ import annotations

from .documents import check_definition_text, check_definition_value, check_documents, manifest_context
from .model import API_VERSION, KIND, RULES, PipelinePolicy, read_policy
from .rules import PipelineContext, check_policies

__all__ = [
    "API_VERSION",
    "KIND",
    "RULES",
    "PipelineContext",
    "PipelinePolicy",
    "check_definition_text",
    "check_definition_value",
    "check_documents",
    "check_policies",
    "manifest_context",
    "read_policy",
]
