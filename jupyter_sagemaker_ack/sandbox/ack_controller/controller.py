"""The ACK controller stand-in as a running thing: watches, a work queue, one worker.

Like controller-runtime under the real controller, it lists and watches both kinds, reconciles a CR when it
first sees it, when its generation changes (spec edits; annotation- or label-only edits do not wake it) or
when its deletion starts, and again when the previous reconcile asked to be requeued.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from pathlib import Path
from typing import Any, cast

import boto3
import urllib3
from botocore.config import Config
from kubernetes import config as kube_config
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from .calls import CallLog
from .kube import KubeObjects
from .reconciler import Reconciler, Settings, Timing
from .resources import EXECUTION, GROUP, PIPELINE, VERSION, Kind
from .workqueue import DelayQueue

log = logging.getLogger(__name__)
# The kubernetes package's watch and config helpers carry no annotations.
_new_client_from_config: Any = kube_config.new_client_from_config
# How long one watch request lasts before the server ends it and it is renewed (from the same point).
WATCH_SECONDS = 300
Key = tuple[str, str, str]


_clients: dict[tuple[str, str | None, int], Any] = {}
_clients_lock = threading.Lock()


def sagemaker_client(region: str, endpoint: str | None, max_attempts: int) -> Any:
    """A boto3 SageMaker client, shared by every controller in the process (building one takes ~1 s)."""
    key = (region, endpoint, max_attempts)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            session = boto3.session.Session()
            credentials: dict[str, str] = {}
            if session.get_credentials() is None:
                credentials = {"aws_access_key_id": "sandbox", "aws_secret_access_key": "sandbox"}
            client = session.client(
                "sagemaker",
                region_name=region,
                endpoint_url=endpoint,
                config=Config(retries={"mode": "standard", "total_max_attempts": max_attempts}),
                **credentials,
            )
            _clients[key] = client
        return client


class AckControllerEmulator:
    """Reconciles Pipeline and PipelineExecution CRs into the SageMaker API, as the ACK controller does.

    ``requeue_seconds`` is how soon a CR that is not yet synced (a running execution) is looked at again;
    the default is short (0.5 s) for tests and demos, ``realistic=True`` uses the controller's 30 s.
    ``calls`` records every SageMaker call it makes (``call_log``: also appended to that file).
    """

    def __init__(
        self,
        kubeconfig: str | Path | None = None,
        api_client: ApiClient | None = None,
        sagemaker_endpoint: str | None = None,
        region: str = "us-east-1",
        requeue_seconds: float | None = None,
        realistic: bool = False,
        namespace: str | None = None,
        account_id: str = "123456789012",
        max_attempts: int = 3,
        call_log: Path | None = None,
    ) -> None:
        if api_client is None:
            if kubeconfig is None:
                raise ValueError("give kubeconfig= or api_client=")
            api_client = _new_client_from_config(str(kubeconfig))
        self.api_client = api_client
        self.sagemaker_endpoint = sagemaker_endpoint
        self.region = region
        self.namespace = namespace
        self.max_attempts = max_attempts
        if requeue_seconds is not None:
            timing = Timing.short(requeue_seconds) if not realistic else Timing(not_synced=requeue_seconds)
        else:
            timing = Timing() if realistic else Timing.short(0.5)
        self.settings = Settings(default_region=region, account_id=account_id, timing=timing)
        self.kube = KubeObjects(api_client)
        self.calls = CallLog(call_log)
        self.reconciler = Reconciler(self.kube, self._client_for, self.settings, self.calls)
        self.queue = DelayQueue()
        self._seen: dict[Key, tuple[Any, bool]] = {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._listed: dict[str, threading.Event] = {}
        self._resume: dict[str, str] = {}
        # Watch requests made and events received (bookmarks aside): an idle controller adds to neither.
        self.stats = {"watch_requests": 0, "events": 0}
        self._responses: set[Any] = set()
        self._responses_lock = threading.Lock()

    # -- AWS clients -------------------------------------------------------------------------------

    def _client_for(self, region: str) -> Any:
        return sagemaker_client(region, self.sagemaker_endpoint, self.max_attempts)

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self, timeout: float = 30.0) -> AckControllerEmulator:
        """Start watching and reconciling in background threads; returns after the first list of each kind."""
        if self._threads:
            return self
        self._stop.clear()
        for kind in (PIPELINE, EXECUTION):
            self._listed[kind.name] = threading.Event()
            thread = threading.Thread(
                target=self._watch_loop, args=(kind,), name=f"ack-watch-{kind.plural}", daemon=True
            )
            self._threads.append(thread)
        self._threads.append(threading.Thread(target=self._work_loop, name="ack-worker", daemon=True))
        for thread in self._threads:
            thread.start()
        deadline = time.monotonic() + timeout
        for event in self._listed.values():
            if not event.wait(max(0.0, deadline - time.monotonic())):
                self.stop()
                raise RuntimeError("the ACK controller emulator could not list its resources in time")
        return self

    def stop(self) -> None:
        self._stop.set()
        self.queue.close()
        with self._responses_lock:
            for response in list(self._responses):
                with contextlib.suppress(RuntimeError, ValueError, OSError):  # already released or closed
                    response.shutdown()  # wakes the watch threads blocked in a read
        for thread in self._threads:
            thread.join(5)
        self._threads = []
        self.queue = DelayQueue()

    def __enter__(self) -> AckControllerEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- watching ----------------------------------------------------------------------------------

    def _list(self, kind: Kind) -> tuple[list[dict[str, Any]], str]:
        custom = self.kube.custom
        if self.namespace:
            answer = custom.list_namespaced_custom_object(GROUP, VERSION, self.namespace, kind.plural)
        else:
            answer = custom.list_cluster_custom_object(GROUP, VERSION, kind.plural)
        listing: dict[str, Any] = answer  # type: ignore[assignment]
        return list(listing.get("items") or []), str(listing.get("metadata", {}).get("resourceVersion", ""))

    def _observe(self, kind: Kind, event_type: str, obj: dict[str, Any]) -> None:
        meta = obj.get("metadata") or {}
        key: Key = (kind.name, str(meta.get("namespace", "")), str(meta.get("name", "")))
        if event_type == "DELETED":
            self._seen.pop(key, None)
            self.queue.forget(key)
            return
        marker = (meta.get("generation"), bool(meta.get("deletionTimestamp")))
        if self._seen.get(key) != marker:
            self._seen[key] = marker
            self.queue.add(key)

    def _watch_loop(self, kind: Kind) -> None:
        """List, then watch from the last resourceVersion seen, for as long as the controller runs.

        The resourceVersion advances with every event and bookmark, so a watch that ends (the server's
        timeout, a dropped connection) resumes where it stopped instead of replaying what it saw; only a
        410 Gone or an error relists. An idle watch costs nothing here: the read blocks until the server
        sends something (a bookmark at the latest), and ``stop()`` shuts the connection down.
        """
        resource_version = ""
        failures = 0
        while not self._stop.is_set():
            try:
                if not resource_version:
                    items, resource_version = self._list(kind)
                    self._resume[kind.name] = resource_version
                    for item in items:
                        self._observe(kind, "ADDED", item)
                    self._listed[kind.name].set()
                resource_version = self._watch_once(kind, resource_version)
                failures = 0
            except ApiException as error:
                if error.status != 410:
                    level = logging.DEBUG if failures else logging.WARNING
                    log.log(level, "watching %s failed (%s); listing again", kind.plural, error.status)
                    failures += 1
                    self._stop.wait(min(5.0, 0.5 * failures))
                resource_version = ""
            except (urllib3.exceptions.HTTPError, OSError, ValueError) as error:
                if self._stop.is_set():
                    return
                log.debug("watch of %s interrupted: %s", kind.plural, error)
                failures += 1
                self._stop.wait(min(5.0, 0.2 * failures))
                resource_version = self._resume.get(kind.name, resource_version)

    def _watch_once(self, kind: Kind, resource_version: str) -> str:
        """One watch request; returns the resourceVersion to resume from (empty after 410 Gone)."""
        custom = self.kube.custom
        args: tuple[Any, ...] = (GROUP, VERSION, kind.plural)
        func: Any = custom.list_cluster_custom_object
        if self.namespace:
            func = custom.list_namespaced_custom_object
            args = (GROUP, VERSION, self.namespace, kind.plural)
        self.stats["watch_requests"] += 1
        response = func(
            *args,
            watch=True,
            resource_version=resource_version,
            allow_watch_bookmarks=True,
            timeout_seconds=WATCH_SECONDS,
            _preload_content=False,
            _request_timeout=(5, WATCH_SECONDS + 30),
        )
        with self._responses_lock:
            self._responses.add(response)
        try:
            pending = b""
            for chunk in response.stream(amt=None, decode_content=False):
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    if line.strip():
                        resource_version = self._on_event(kind, json.loads(line), resource_version)
                        self._resume[kind.name] = resource_version
                if self._stop.is_set():
                    break
        finally:
            with self._responses_lock:
                self._responses.discard(response)
            response.release_conn()
        return resource_version

    def _on_event(self, kind: Kind, event: dict[str, Any], resource_version: str) -> str:
        obj = event.get("object") or {}
        if event.get("type") == "ERROR":
            if obj.get("code") == 410:
                raise ApiException(status=410, reason=obj.get("message"))
            raise ApiException(status=obj.get("code", 500), reason=obj.get("message"))
        if event.get("type") != "BOOKMARK":
            self.stats["events"] += 1
            self._observe(kind, str(event.get("type")), obj)
        return str((obj.get("metadata") or {}).get("resourceVersion") or resource_version)

    # -- working -----------------------------------------------------------------------------------

    def _work_loop(self) -> None:
        kinds = {PIPELINE.name: PIPELINE, EXECUTION.name: EXECUTION}
        while not self._stop.is_set():
            item = self.queue.get()
            if item is None:
                return
            key = cast(Key, item)
            kind_name, namespace, name = key
            try:
                delay = self.reconciler.reconcile(kinds[kind_name], namespace, name)
            except ApiException as error:
                if error.status != 409:
                    log.warning("reconciling %s %s/%s failed: %s", kind_name, namespace, name, error)
                delay = 0.0 if error.status == 409 else self.settings.timing.error_base
            except Exception:
                log.exception("reconciling %s %s/%s failed", kind_name, namespace, name)
                delay = self.settings.timing.error_base
            if delay is not None and not self._stop.is_set():
                self.queue.add(key, delay)
