"""The HTTP face of the emulator: SageMaker's JSON 1.1 protocol on 127.0.0.1, plus a small admin API.

boto3 reaches it through ``AWS_ENDPOINT_URL_SAGEMAKER`` or ``endpoint_url=``: every call is ``POST /`` with
``X-Amz-Target: SageMaker.<Operation>``. Errors are HTTP 400 with ``{"__type", "message"}``. The region is
read from the request's SigV4 credential scope, so ARNs name the region the client asked for.

Admin API (never throttled): ``GET/POST /_emulator/config`` reads or merges settings (see ``config.py``),
``POST /_emulator/reset`` forgets every pipeline and restores default settings, ``GET /_emulator/health``.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import uuid
from typing import Any

from aiohttp import web

from .backend import SageMakerBackend
from .errors import ApiError
from .validation import validate_request

JSON_11 = "application/x-amz-json-1.1"
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/")
_TARGET_PREFIX = "SageMaker."


def _json_default(value: Any) -> Any:
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _api_response(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(body, default=_json_default).encode(),
        content_type=JSON_11,
        headers={"x-amzn-RequestId": str(uuid.uuid4())},
    )


def build_app(backend: SageMakerBackend) -> web.Application:
    async def api(request: web.Request) -> web.Response:
        target = request.headers.get("X-Amz-Target", "")
        if not target.startswith(_TARGET_PREFIX):
            return _api_response(
                ApiError("UnknownOperationException", f"Missing or unknown X-Amz-Target {target!r}").body(),
                400,
            )
        operation = target[len(_TARGET_PREFIX) :]
        try:
            if not backend.config.allow_request(operation):
                raise ApiError("ThrottlingException", "Rate exceeded")
            injected = backend.config.api_error(operation)
            if injected is not None:
                raise ApiError(*injected)
            raw = await request.read()
            try:
                params = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                raise ApiError("SerializationException", "Request body is not valid JSON.") from None
            if not isinstance(params, dict):
                raise ApiError("SerializationException", "Request body must be a JSON object.")
            validate_request(operation, params)
            match = _SCOPE.search(request.headers.get("Authorization", ""))
            answer = backend.call(operation, params, region=match.group(1) if match else None)
        except ApiError as error:
            return _api_response(error.body(), error.status)
        return _api_response(answer)

    async def get_config(request: web.Request) -> web.Response:
        return web.json_response(backend.config.to_dict())

    async def post_config(request: web.Request) -> web.Response:
        try:
            data = await request.json()
            if not isinstance(data, dict):
                raise ApiError("ValidationException", "Settings must be a JSON object.")
            backend.config.update(data)
        except json.JSONDecodeError:
            return web.json_response({"message": "Body is not JSON."}, status=400)
        except ApiError as error:
            return web.json_response(error.body(), status=400)
        return web.json_response(backend.config.to_dict())

    async def reset(request: web.Request) -> web.Response:
        backend.reset()
        backend.config.reset()
        return web.json_response({"reset": True})

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "operations": list(backend.operations)})

    app = web.Application(client_max_size=8 * 1024 * 1024)
    app.router.add_post("/", api)
    app.router.add_get("/_emulator/config", get_config)
    app.router.add_post("/_emulator/config", post_config)
    app.router.add_post("/_emulator/reset", reset)
    app.router.add_get("/_emulator/health", health)
    return app


class ServerThread:
    """An aiohttp application served from its own event loop in a daemon thread."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.bound_port = 0

    def start(self, timeout: float = 10.0) -> None:
        self._thread = threading.Thread(target=self._run, name=f"emulator-{self._port}", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("the emulator did not start in time")
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve())
        except BaseException as error:  # reported to start()'s caller
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(self._shutdown())
        loop.close()

    async def _serve(self) -> None:
        self._runner = web.AppRunner(self._app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.bound_port = sockets[0].getsockname()[1] if sockets else self._port

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
        self._thread = None
