"""The server extension application: configuration (traitlets), the worker threads and the routes.

Loaded by Jupyter Server through ``_jupyter_server_extension_points`` in the package ``__init__``. Settings
for the services (bucket, namespace, kube context, endpoints...) come from the ``SageMakerAck`` config
section shared with ``%config`` (``c.SageMakerAck.s3_endpoint = ...`` in jupyter_server_config.py, or
``--SageMakerAck.s3_endpoint=...`` on the command line), then the environment, as
``settings.resolve_settings`` orders them. Every setting is a trait there; ``jupyter server --help-all`` lists
them.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from jupyter_server.extension.application import ExtensionApp
from traitlets import Float, Int

from ...config import SageMakerAck, Settings, resolve_settings
from ...core.errors import UserError
from .feeds import FeedHub
from .shared import SharedAnswers

if TYPE_CHECKING:
    from ...services.runs import PacedExecutions


class SageMakerAckServerApp(ExtensionApp):
    """Serves ``/sagemaker-ack/`` to the JupyterLab front end (pipelines, runs, stop, review)."""

    name = "jupyter_sagemaker_ack"
    description = "SageMaker ACK pipelines and runs for JupyterLab."
    load_other_extensions = True
    classes = [SageMakerAck]

    worker_threads = Int(
        4, config=True, help="Threads for blocking service calls (cluster and SageMaker reads, stop, review)."
    )
    max_run_streams = Int(
        32,
        config=True,
        help="Runs followed at once (one feed each, shared by all its viewers); more are refused and the "
        "page polls.",
    )
    history_refresh_seconds = Float(
        10.0,
        config=True,
        help="How often SageMaker is asked for each pipeline's executions (runs whose CR is gone), "
        "whatever the number of sidebars polling the runs list.",
    )
    list_max_age = Float(
        0.5,
        config=True,
        help="Seconds a runs or pipelines list answer is shared by the viewers that ask for it (each open "
        "sidebar polls about once a second).",
    )
    review_max_bytes = Int(5 * 1024 * 1024, config=True, help="Largest YAML file the review endpoint reads.")

    executor: ThreadPoolExecutor
    feeds: FeedHub
    executions: PacedExecutions
    lists: SharedAnswers

    def initialize_settings(self) -> None:
        self.executor = ThreadPoolExecutor(
            max_workers=self.worker_threads, thread_name_prefix="sagemaker-ack"
        )
        self.feeds = FeedHub(self.ack_settings, max_feeds=self.max_run_streams)
        self.lists = SharedAnswers(self.list_max_age)
        from ...services.runs import PacedExecutions  # the services import the AWS and cluster clients

        self.executions = PacedExecutions(self.ack_settings, self.history_refresh_seconds)
        self.check_ack_settings()

    def initialize_handlers(self) -> None:
        from .handlers import routes

        self.handlers.extend(routes(self))

    def ack_settings(self) -> Settings:
        """The services' settings as configured now (``c.SageMakerAck.*`` > environment > defaults)."""
        configured: dict[str, Any] = SageMakerAck(config=self.config).configured()
        return resolve_settings(traitlets_config=configured)

    def check_ack_settings(self) -> None:
        """Refuse a bad ``c.SageMakerAck.*`` value at start-up, in the server log, rather than per request."""
        try:
            self.ack_settings()
        except UserError as exc:
            self.log.error("sagemaker-ack: %s Fix: %s", exc.problem, exc.fix)

    async def stop_extension(self) -> None:
        self.feeds.close_all()
        self.executor.shutdown(wait=False, cancel_futures=True)
