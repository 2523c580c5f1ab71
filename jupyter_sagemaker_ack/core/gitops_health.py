"""Health checks that tell a GitOps tool a failed or stopped run from a good one.

ACK sets ``Ready=True`` on every run SageMaker has finished with, failed and stopped ones included, so Argo
CD's generic ACK check (Ready -> Healthy) and Flux's kstatus both show a failed run as healthy. The Argo CD
checks here are Lua (Argo CD runs gopher-lua: Lua 5.1 semantics) under per-kind keys, since EKS-managed
Argo CD refuses wildcard keys. Flux reads kstatus; from Flux 2.5 a Kustomization's ``healthCheckExprs``
(CEL) can read the run's own status, given here too.
"""

from __future__ import annotations

from typing import Any

import yaml

from . import ack

ARGOCD_CM = "argocd-cm"
ARGOCD_NAMESPACE = "argocd"
HEALTH_KEY = "resource.customizations.health.{group}_{kind}"

# Shared by both scripts: the condition of a type, or nil.
_CONDITION = """\
local function condition(kind)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end
local function message(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return fallback
end
hs = {}
local terminal = condition("ACK.Terminal")
if terminal ~= nil and terminal.status == "True" then
  hs.status = "Degraded"
  hs.message = message(terminal, "ACK cannot reconcile the resource (ACK.Terminal)")
  return hs
end
"""

EXECUTION_LUA = (
    _CONDITION
    + """\
local phase = nil
if obj.status ~= nil then
  phase = obj.status.pipelineExecutionStatus
end
if phase == "Succeeded" then
  hs.status = "Healthy"
  hs.message = "The run succeeded"
  return hs
end
if phase == "Failed" then
  hs.status = "Degraded"
  local reason = obj.status.failureReason
  if reason == nil or reason == "" then
    reason = "no reason given"
  end
  hs.message = "The run failed: " .. reason
  return hs
end
if phase == "Stopped" then
  hs.status = "Suspended"
  hs.message = "The run was stopped"
  return hs
end
local recoverable = condition("ACK.Recoverable")
if recoverable ~= nil and recoverable.status == "True" then
  hs.status = "Progressing"
  hs.message = message(recoverable, "ACK will retry (ACK.Recoverable)")
  return hs
end
if phase == "Executing" or phase == "Stopping" then
  hs.status = "Progressing"
  hs.message = "The run is " .. string.lower(phase)
  return hs
end
hs.status = "Progressing"
hs.message = "Waiting for the controller to start the run"
return hs
"""
)

PIPELINE_LUA = (
    _CONDITION
    + """\
local recoverable = condition("ACK.Recoverable")
if recoverable ~= nil and recoverable.status == "True" then
  hs.status = "Progressing"
  hs.message = message(recoverable, "ACK will retry (ACK.Recoverable)")
  return hs
end
local synced = condition("ACK.ResourceSynced")
local phase = nil
if obj.status ~= nil then
  phase = obj.status.pipelineStatus
end
if phase == "Active" and synced ~= nil and synced.status == "True" then
  hs.status = "Healthy"
  hs.message = "The pipeline is active and in sync"
  return hs
end
hs.status = "Progressing"
if phase == nil then
  hs.message = "Waiting for the controller to create the pipeline"
else
  hs.message = "The pipeline is " .. phase .. ", waiting until it is active and in sync"
end
return hs
"""
)

SCRIPTS = {ack.PIPELINE_KIND: PIPELINE_LUA, ack.EXECUTION_KIND: EXECUTION_LUA}


def health_key(kind: str) -> str:
    return HEALTH_KEY.format(group=ack.GROUP, kind=kind)


def argocd_patch(namespace: str = ARGOCD_NAMESPACE) -> dict[str, Any]:
    """The ``argocd-cm`` ConfigMap patch: one health check per kind (no wildcard keys)."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": ARGOCD_CM,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/part-of": "argocd"},
        },
        "data": {health_key(kind): script for kind, script in SCRIPTS.items()},
    }


class _Literal(yaml.SafeDumper):
    """Writes multi-line strings as ``|`` blocks, so the Lua reads as Lua in the patch."""


_Literal.add_representer(
    str,
    lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None),
)


def argocd_patch_yaml(namespace: str = ARGOCD_NAMESPACE) -> str:
    return yaml.dump(argocd_patch(namespace), Dumper=_Literal, sort_keys=False, width=100_000)


# Flux 2.5+ Kustomization.spec.healthCheckExprs: CEL over the object itself.
FLUX_HEALTH_CHECK_EXPRS: list[dict[str, str]] = [
    {
        "apiVersion": ack.API_VERSION,
        "kind": ack.EXECUTION_KIND,
        "inProgress": "status.?pipelineExecutionStatus.orValue('') in ['', 'Executing', 'Stopping']",
        "failed": "status.?pipelineExecutionStatus.orValue('') in ['Failed', 'Stopped'] || "
        "status.?conditions.orValue([]).exists(c, c.type == 'ACK.Terminal' && c.status == 'True')",
        "current": "status.?pipelineExecutionStatus.orValue('') == 'Succeeded'",
    },
    {
        "apiVersion": ack.API_VERSION,
        "kind": ack.PIPELINE_KIND,
        "failed": "status.?conditions.orValue([]).exists(c, c.type == 'ACK.Terminal' && c.status == 'True')",
        "current": "status.?pipelineStatus.orValue('') == 'Active' && "
        "status.?conditions.orValue([]).exists(c, c.type == 'ACK.ResourceSynced' && c.status == 'True')",
    },
]

FLUX_EXPLANATION = """\
Flux checks health with kstatus, which reads the Ready condition and knows nothing of SageMaker. ACK sets
Ready=True on every run SageMaker has finished with: a Succeeded, a Failed and a Stopped PipelineExecution
all look Current (healthy) to Flux. A run still executing, or a resource ACK cannot reconcile
(ACK.Terminal, Ready=False), looks InProgress until the health check times out. kstatus cannot tell a
failed or stopped run from a good one.

From Flux 2.5, a Kustomization can judge these kinds by their own status with CEL expressions
(spec.healthCheckExprs, with spec.wait: true). Add this to the Kustomization that applies the bundle:
"""


def flux_kustomization_snippet() -> str:
    body = {"spec": {"wait": True, "healthCheckExprs": FLUX_HEALTH_CHECK_EXPRS}}
    return yaml.safe_dump(body, sort_keys=False, width=100_000)
