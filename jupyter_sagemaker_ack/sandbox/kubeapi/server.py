"""The emulator process: aiohttp app wiring, error and fault middleware, and a threaded runner."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from aiohttp import web

from .access import AccessPolicy, rbac_types
from .admin import Admin
from .crds import default_crds
from .discovery import builtin_types
from .faults import Faults
from .handlers import Api, json_response
from .registry import Registry, WriteOptions
from .status import ApiError
from .store import Store

T = TypeVar("T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_REASONS = {
    429: "TooManyRequests",
    500: "InternalError",
    502: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}
DEFAULT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


class KubeApiServer:
    """A CRD-aware stand-in for a Kubernetes API server, on 127.0.0.1, in a background thread.

    For development, demos and tests only: one process, state in memory, bearer tokens and RBAC only when
    switched on (access.py).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        crds: Iterable[dict[str, Any]] | None = None,
        watch_window: int = 10_000,
        bookmark_interval: float = 5.0,
    ) -> None:
        self.host, self.port = host, port
        self.faults = Faults()
        self.access = AccessPolicy()
        self.store = Store(watch_window)
        self.registry = Registry(self.store)
        self._watch_window = watch_window
        self._bookmark_interval = bookmark_interval
        self._crds = list(crds) if crds is not None else default_crds()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.faults.on_drop_watches = lambda abrupt: self.call(self.store.close_watchers, abrupt)
        self._seed()

    def _seed(self) -> None:
        for rtype in [*builtin_types(), *rbac_types()]:
            self.store.register(rtype)
        opts = WriteOptions(manager="kube-apiserver")
        namespaces = self.store.types[("", "namespaces")]
        for name in DEFAULT_NAMESPACES:
            self.registry.create(namespaces, "", {"metadata": {"name": name}}, opts)
        crd_type = self.store.types[("apiextensions.k8s.io", "customresourcedefinitions")]
        for crd in self._crds:
            self.registry.create(crd_type, "", dict(crd), opts)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def app(self) -> web.Application:
        middlewares = [self._errors, self._inject_faults, self._authorize]
        app = web.Application(middlewares=middlewares, client_max_size=64 * 1024**2)
        app.add_routes(Admin(self.store, self.faults, self.access, self._watch_window).routes())
        app.add_routes(Api(self.store, self.registry, self.access, self._bookmark_interval).routes())
        return app

    @web.middleware
    async def _errors(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as exc:
            response = json_response(exc.body(), exc.code)
            response.headers.update(exc.headers)
            return response

    @web.middleware
    async def _inject_faults(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/_emulator/"):
            return await handler(request)
        wait, rule = self.faults.take(request.method, request.path_qs)
        if wait:
            await asyncio.sleep(wait)
        if rule is not None:
            headers = {"Retry-After": str(rule.retry_after)} if rule.retry_after else {}
            reason = _REASONS.get(rule.status, "InternalError")
            raise ApiError(
                rule.status, reason, f"injected fault: {rule.status} for {request.path}", headers=headers
            )
        return await handler(request)

    @web.middleware
    async def _authorize(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """With RBAC on (see access.py), who the bearer token is and whether their Roles allow the request."""
        if not request.path.startswith("/_emulator/"):
            user = self.access.identify(request.headers)
            self.access.authorize(self.store, request.method, request.path, request.query, user)
        return await handler(request)

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` on the server's loop thread (where the store lives) and return its result."""
        if self._loop is None or threading.current_thread() is self._thread:
            return fn(*args)

        async def run() -> T:
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout=30)

    def compact(self) -> None:
        self.call(self.store.compact)

    def set_watch_window(self, size: int) -> None:
        self.call(self.store.set_watch_window, size)

    async def serve(self) -> None:
        """Start listening on the current loop (used by the CLI and by ``start``)."""
        self._runner = web.AppRunner(self.app(), access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = getattr(site, "_server", None)
        if server is not None and server.sockets:
            self.port = server.sockets[0].getsockname()[1]

    async def shutdown(self) -> None:
        self.store.close_watchers()
        if self._runner is not None:
            await self._runner.cleanup()

    def start(self) -> KubeApiServer:
        self._thread = threading.Thread(target=self._run, name="kubeapi-emulator", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise self._error
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self.serve())
        except BaseException as exc:  # handed to the thread that called start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(self.shutdown())
        loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    def __enter__(self) -> KubeApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
