"""REST routes for retry, run history and run comparison, for the JupyterLab front end.

- ``POST runs/<namespace>/<name>/retry`` body ``{"fromStep": null|"STEP", "confirm": false|true,
  "name": null|"PLANNED"}``: without ``confirm`` the plan only (nothing created); with it, the plan and the
  new run's name. ``name`` is the new run's name a plan answered: confirming it creates exactly the run that
  was shown (each plan names its new run afresh), as long as the server still holds that plan.
  Answers ``{"plan": {namespace, source, sourceExecutionArn, sourceStatus, name, selected, reused, notRun},
  "created": bool}``; a refusal (a Succeeded or running run, an unknown step) is a 400 problem.
- ``GET history?pipeline=NAME[&namespace=NS]`` -> ``{"runs": [<run snapshot without steps> + durationSeconds,
  parameters, definitionDigest, definitionVersionId, retryOf]}``
- ``GET compare?a=RUN&b=RUN[&namespace=NS]`` -> ``{"a", "b", "parameters": [{name, a, b}], "definition":
  <core.diff to_dict> | null, "steps": [{name, a: {status, durationSeconds, reused} | null, b: ...}]}``
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from .handlers import PREFIX, RUN, AckHandler

if TYPE_CHECKING:
    from .app import SageMakerAckServerApp


# The plans shown (POST without confirm), until confirmed; the oldest are forgotten beyond PLANS_KEPT.
PLANS_KEPT = 64
_plans: OrderedDict[tuple[str, str, str | None, str], Any] = OrderedDict()
_plans_lock = threading.Lock()


def _retry(
    ack: SageMakerAckServerApp,
    namespace: str,
    name: str,
    from_step: str | None,
    confirm: bool,
    planned: str | None = None,
) -> Any:
    from ...services import retry

    settings = ack.ack_settings()
    proposal = None
    if confirm and planned:
        with _plans_lock:
            proposal = _plans.pop((namespace, name, from_step, planned), None)
    if proposal is None:
        proposal = retry.propose(namespace, name, settings, from_step=from_step)
    if confirm:
        retry.retry(proposal, settings)
    else:
        with _plans_lock:
            _plans[(namespace, name, from_step, proposal.name)] = proposal
            while len(_plans) > PLANS_KEPT:
                _plans.popitem(last=False)
    return {"plan": proposal.to_wire(), "created": confirm}


def _history(ack: SageMakerAckServerApp, pipeline: str, namespace: str | None) -> Any:
    from ...services.run_history import run_history

    return {"runs": [entry.to_wire() for entry in run_history(ack.ack_settings(), pipeline, namespace)]}


def _compare(ack: SageMakerAckServerApp, a: str, b: str, namespace: str | None) -> Any:
    from ...services.compare import compare_runs

    settings = ack.ack_settings()
    return compare_runs(namespace or settings.namespace, a, b, settings).to_wire()


class RetryHandler(AckHandler):
    @web.authenticated
    @authorized
    async def post(self, namespace: str, name: str) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            body = None
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("fromStep"), (str, type(None)))
            or not isinstance(body.get("name"), (str, type(None)))
        ):
            self.set_status(400)
            self.finish(
                json.dumps({"problem": 'The body is not {"fromStep": ..., "confirm": ...}.', "fix": ""})
            )
            return
        await self.answer(
            _retry,
            self.ack,
            namespace,
            name,
            body.get("fromStep"),
            body.get("confirm") is True,
            body.get("name"),
        )


class HistoryHandler(AckHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        pipeline = self.get_query_argument("pipeline", "")
        if not pipeline:
            self.set_status(400)
            self.finish(json.dumps({"problem": "Name the pipeline: ?pipeline=NAME.", "fix": ""}))
            return
        await self.answer(_history, self.ack, pipeline, self.get_query_argument("namespace", None))


class CompareHandler(AckHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        a, b = self.get_query_argument("a", ""), self.get_query_argument("b", "")
        if not a or not b:
            self.set_status(400)
            self.finish(json.dumps({"problem": "Name both runs: ?a=RUN&b=RUN.", "fix": ""}))
            return
        await self.answer(_compare, self.ack, a, b, self.get_query_argument("namespace", None))


def retry_routes(ack: SageMakerAckServerApp) -> list[tuple[str, type, dict[str, Any]]]:
    kwargs = {"ack": ack}
    return [
        (rf"{RUN}/retry", RetryHandler, kwargs),
        (rf"/{PREFIX}/history", HistoryHandler, kwargs),
        (rf"/{PREFIX}/compare", CompareHandler, kwargs),
    ]
