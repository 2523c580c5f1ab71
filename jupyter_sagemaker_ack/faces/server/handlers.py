"""The REST and websocket handlers under ``/sagemaker-ack/`` (docs/CONTRACTS.md).

Every handler is authenticated and authorized; POSTs go through ``APIHandler``'s XSRF check. Blocking
service calls run on the extension's worker threads so the server's event loop never waits on a cluster.
User mistakes come back as ``400 {"problem", "fix"}``; the front end shows both.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from jupyter_core.utils import ensure_async
from jupyter_server.auth.decorator import authorized, ws_authenticated
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from tornado import web
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from ...core.errors import UserError
from .feeds import Feed, FeedRefused
from .review import review_text
from .wire import problem, to_wire, without_steps

if TYPE_CHECKING:
    from .app import SageMakerAckServerApp

AUTH_RESOURCE = "sagemaker_ack"
PREFIX = "sagemaker-ack"
# Kubernetes object names (RFC 1123 subdomains); anything else is not a run and gets a 404.
_K8S_NAME = r"[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?"
RUN = rf"/{PREFIX}/runs/(?P<namespace>{_K8S_NAME})/(?P<name>{_K8S_NAME})"
YAML_SUFFIXES = (".yaml", ".yml")

T = TypeVar("T")


class AckHandler(APIHandler):
    """Base of the REST handlers: the extension app, a worker-thread runner and UserError answers."""

    auth_resource = AUTH_RESOURCE

    def initialize(self, ack: SageMakerAckServerApp) -> None:
        self.ack = ack

    async def in_worker(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.ack.executor, functools.partial(function, *args, **kwargs))

    async def answer(
        self, function: Callable[..., Any], *args: Any, shared: tuple[Any, ...] | None = None, **kwargs: Any
    ) -> None:
        """Run a blocking call on a worker thread and write its result, or the user's mistake, as JSON.

        ``shared``: the question this call answers, so that viewers asking it at about the same time share
        one answer (:mod:`.shared`).
        """
        try:
            if shared is None:
                result = await self.in_worker(function, *args, **kwargs)
            else:
                result = await self.ack.lists.get(shared, lambda: self.in_worker(function, *args, **kwargs))
        except UserError as error:
            from ...services import unreachable

            self.set_status(400)
            self.finish(json.dumps(problem(unreachable.explain(error, self.ack.ack_settings()))))
            return
        self.finish(json.dumps(result))


def _list_pipelines(ack: SageMakerAckServerApp) -> dict[str, Any]:
    from ...services import runs

    return {"pipelines": to_wire(runs.list_pipelines(ack.ack_settings()))}


def _list_runs(ack: SageMakerAckServerApp, pipeline: str | None) -> dict[str, Any]:
    """The runs (CRs and SageMaker's history, paced by the extension) and what could not be asked."""
    from ...services.runs import list_history

    listing = list_history(ack.ack_settings(), pipeline=pipeline, executions=ack.executions)
    return {
        "runs": [without_steps(run) for run in to_wire(listing.runs)],
        "problems": [problem(error) for error in listing.problems],
    }


def _get_run(ack: SageMakerAckServerApp, namespace: str, name: str) -> dict[str, Any]:
    from ...services import runs

    settings = ack.ack_settings()
    snapshot: dict[str, Any] = to_wire(runs.get_run(namespace, name, settings))
    if snapshot.get("dag") is None:
        snapshot["dag"] = _run_dag(namespace, snapshot.get("pipelineName"), settings)
    return snapshot


def _run_dag(namespace: str, pipeline_name: Any, settings: Any) -> Any:
    """The DAG of the run's pipeline, read from its ACK Pipeline in the cluster."""
    from ...services import runs

    if not isinstance(pipeline_name, str):
        return None
    return to_wire(runs.get_dag(namespace, pipeline_name, settings))


def _stop_run(ack: SageMakerAckServerApp, namespace: str, name: str) -> dict[str, Any]:
    from ...services import stop

    # The page follows the run to Stopped over its event stream; the request does not wait for it.
    return dict(to_wire(stop.stop_run(namespace, name, ack.ack_settings(), wait=False)))


class PipelinesHandler(AckHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        await self.answer(_list_pipelines, self.ack, shared=("pipelines",))


class RunsHandler(AckHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        pipeline = self.get_query_argument("pipeline", None) or None
        await self.answer(_list_runs, self.ack, pipeline, shared=("runs", pipeline))


class RunHandler(AckHandler):
    @web.authenticated
    @authorized
    async def get(self, namespace: str, name: str) -> None:
        await self.answer(_get_run, self.ack, namespace, name)


class StopHandler(AckHandler):
    @web.authenticated
    @authorized
    async def post(self, namespace: str, name: str) -> None:
        await self.answer(_stop_run, self.ack, namespace, name)


class ReviewHandler(AckHandler):
    """Lint, DAG and S3 verification of a YAML file from the Jupyter contents."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.get_json_body()
        path = body.get("path") if isinstance(body, dict) else None
        if not isinstance(path, str) or not path.strip():
            raise web.HTTPError(400, 'Send {"path": "<contents path of a YAML file>"}.')
        path = path.strip().strip("/")
        if not path.lower().endswith(YAML_SUFFIXES):
            self.set_status(400)
            self.finish(
                json.dumps(
                    {"problem": f"{path} is not a YAML file.", "fix": "Review a .yaml or .yml ACK manifest."}
                )
            )
            return
        contents: Any = self.contents_manager  # its get() is untyped
        model = await ensure_async(contents.get(path, content=False))
        if model.get("type") != "file":
            raise web.HTTPError(400, f"{path} is a {model.get('type')}, not a file.")
        size = model.get("size")
        if isinstance(size, int) and size > self.ack.review_max_bytes:
            raise web.HTTPError(
                413, f"{path} is {size} bytes; the review reads at most {self.ack.review_max_bytes}."
            )
        model = await ensure_async(contents.get(path, content=True, type="file", format="text"))
        await self.answer(review_text, model["content"], path, self.ack.ack_settings())


class RunEventsHandler(WebSocketMixin, WebSocketHandler, JupyterHandler):
    """``runs/<namespace>/<name>/events``: one run snapshot per message until the run's outcome.

    Every viewer of a run joins the run's one feed in the extension's hub (:mod:`.feeds`): one CR watch and
    one SageMaker poller whatever the number of viewers. A viewer that joins late gets the last snapshot
    at once. A problem (``{"problem", "fix"}``) is sent as a last message before the socket closes.
    """

    auth_resource = AUTH_RESOURCE

    def initialize(self, ack: SageMakerAckServerApp) -> None:
        self.ack = ack
        self._feed: Feed | None = None

    def set_default_headers(self) -> None:
        """No JSON/CSP API headers on a websocket upgrade."""

    @ws_authenticated
    async def get(self, namespace: str, name: str) -> None:
        if not await ensure_async(
            self.authorizer.is_authorized(self, self.current_user, "read", AUTH_RESOURCE)
        ):
            raise web.HTTPError(403)
        await super().get(namespace=namespace, name=name)

    def open(self, namespace: str, name: str) -> None:
        super().open()
        try:
            self._feed = self.ack.feeds.join(namespace, name, self)
        except FeedRefused:
            self.close(1013, "Too many run streams; poll instead.")
        except UserError as error:
            self.deliver(json.dumps(problem(error)))
            self.feed_ended(1011, "The run cannot be watched.")

    def on_message(self, message: str | bytes) -> None:
        """The stream is one-way; messages from the page are ignored."""

    def on_close(self) -> None:
        if self._feed is not None:
            self.ack.feeds.leave(self._feed, self)
            self._feed = None

    def deliver(self, message: str) -> None:
        if self.ws_connection is None:
            return
        with contextlib.suppress(WebSocketClosedError):  # the viewer left; on_close says so
            self.write_message(message)

    def feed_ended(self, code: int, reason: str) -> None:
        self._feed = None
        if self.ws_connection is not None:
            self.close(code, reason)


class FeedsHandler(AckHandler):
    """``debug/feeds``: the run feeds open now, their viewers, and how many feeds were ever opened."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.finish(json.dumps(self.ack.feeds.describe()))


def routes(ack: SageMakerAckServerApp) -> list[tuple[str, type, dict[str, Any]]]:
    from .retry_routes import retry_routes

    kwargs = {"ack": ack}
    return [
        *retry_routes(ack),
        (rf"/{PREFIX}/pipelines", PipelinesHandler, kwargs),
        (rf"/{PREFIX}/runs", RunsHandler, kwargs),
        (rf"{RUN}/stop", StopHandler, kwargs),
        (rf"{RUN}/events", RunEventsHandler, kwargs),
        (RUN, RunHandler, kwargs),
        (rf"/{PREFIX}/review", ReviewHandler, kwargs),
        (rf"/{PREFIX}/debug/feeds", FeedsHandler, kwargs),
    ]
