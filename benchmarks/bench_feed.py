"""One feed per run: SageMaker and Kubernetes API calls per minute with 1 and with 10 viewers of a run.

A real Jupyter Server with the extension runs against the sandbox; N websocket viewers follow the same running
run (its steps last minutes) for a measured window, from before the first viewer joins. Calls are counted at
the server's clients, never in the sandbox: a wrapper around botocore's API call counts every SageMaker call
the server makes, and one around urllib3's connection pool every request to the Kubernetes API's port (a watch
is one request). Target: 10 viewers cost what 1 viewer costs (at most one call, or 10 %, more in the window,
for the poller's phase). The server's hub is read too (``GET /sagemaker-ack/debug/feeds``): one feed, N
viewers.

    python benchmarks/bench_feed.py [--window 60] [--policy aws]      # BENCH_SMOKE=1: a 15 s window

``--policy aws`` (default) paces the poller as for real AWS, whose budget is 23 calls per execution-minute;
``--policy sandbox`` polls as fast as the sandbox allows. Exits non-zero on a miss.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-feed"


# --- the counting server (runs in its own process: `bench_feed.py --serve COUNTS PORT`) ----------------


def serve(counts_file: Path, kube_port: int, port: int) -> None:
    """Jupyter Server with the extension, counting the API calls its clients make into ``counts_file``."""
    import botocore.client
    import urllib3.connectionpool

    counts: Counter[str] = Counter()
    lock = threading.Lock()
    make_api_call = botocore.client.BaseClient._make_api_call
    urlopen = urllib3.connectionpool.HTTPConnectionPool.urlopen

    def counted_api_call(self: Any, operation: str, params: Any) -> Any:
        with lock:
            counts[f"{self.meta.service_model.service_name}:{operation}"] += 1
        return make_api_call(self, operation, params)

    def counted_urlopen(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if self.port == kube_port:
            with lock:
                counts[f"kubernetes:{method} {'watch' if 'watch=' in url else 'request'}"] += 1
        return urlopen(self, method, url, *args, **kwargs)

    botocore.client.BaseClient._make_api_call = counted_api_call  # type: ignore[method-assign]
    urllib3.connectionpool.HTTPConnectionPool.urlopen = counted_urlopen  # type: ignore[method-assign]

    def dump() -> None:
        while True:
            with lock:
                text = json.dumps(dict(counts))
            tmp = counts_file.with_suffix(".tmp")
            tmp.write_text(text)
            tmp.replace(counts_file)
            time.sleep(0.2)

    threading.Thread(target=dump, daemon=True).start()
    from jupyter_server.serverapp import ServerApp

    ServerApp.launch_instance(
        argv=[
            "--ServerApp.jpserver_extensions={'jupyter_sagemaker_ack': True}",
            "--ServerApp.allow_root=True",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={TOKEN}",
            "--ServerApp.open_browser=False",
        ]
    )


# --- the benchmark ----------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _counts(path: Path) -> Counter[str]:
    try:
        return Counter(json.loads(path.read_text()))
    except (OSError, ValueError):
        return Counter()


def _by_service(counts: Counter[str]) -> dict[str, int]:
    out = {"sagemaker": 0, "kubernetes": 0}
    for key, n in counts.items():
        service = key.split(":", 1)[0]
        if service in out:
            out[service] += n
    return out


def _get(url: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _submit(env: dict[str, str], pipeline: str) -> str:
    from jupyter_sagemaker_ack.config import resolve_settings
    from jupyter_sagemaker_ack.core.definition import parse_definition
    from jupyter_sagemaker_ack.examples.synthetic import abalone_definition
    from jupyter_sagemaker_ack.services import render, submit

    settings = resolve_settings(env=env)
    rendered = render.render(
        parse_definition(abalone_definition()), settings, pipeline_name=pipeline, execution=True
    )
    (run,) = submit.submit(rendered.docs, settings).execution_names
    return str(run)


async def _viewers(url: str, count: int, window: float, counts_file: Path, hub_url: str) -> Any:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    request = HTTPRequest(url, headers={"Authorization": f"token {TOKEN}"})
    before = _counts(counts_file)
    sockets = [await websocket_connect(request) for _ in range(count)]
    received = [0] * count

    async def read(i: int) -> None:
        while await sockets[i].read_message() is not None:
            received[i] += 1

    readers = [asyncio.ensure_future(read(i)) for i in range(count)]
    await asyncio.sleep(window)
    after = _counts(counts_file)
    try:
        hub = _get(hub_url)
    except OSError:
        hub = {"feeds": [], "feedsOpened": None}  # a server without the hub
    for sock in sockets:
        sock.close()
    for reader in readers:
        reader.cancel()
    return after - before, hub, received


def measure(viewers: int, window: float, base: str, env: dict[str, str], counts_file: Path) -> Any:
    run = _submit(env, f"bench-feed-{os.getpid()}-{viewers}")
    url = base.replace("http", "ws", 1) + f"sagemaker-ack/runs/default/{run}/events"
    calls, hub, received = asyncio.run(
        _viewers(url, viewers, window, counts_file, base + "sagemaker-ack/debug/feeds")
    )
    time.sleep(1.0)  # the feed ends after the last viewer left
    return run, calls, hub, received


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    smoke = os.environ.get("BENCH_SMOKE") == "1"
    parser.add_argument("--window", type=float, default=15.0 if smoke else 60.0, help="Seconds measured.")
    parser.add_argument("--policy", default="aws", choices=("aws", "sandbox"), help="Polling policy.")
    parser.add_argument("--viewers", type=int, default=10)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import finish, report

    from jupyter_sagemaker_ack.sandbox import stack
    from jupyter_sagemaker_ack.sandbox.sagemaker import configure_remote

    with tempfile.TemporaryDirectory(prefix="bench-feed-") as tmp:
        state = Path(tmp) / "sandbox"
        info = stack.up(state)
        server: subprocess.Popen[bytes] | None = None
        try:
            configure_remote(info.endpoints["sagemaker"], {"durations": {"default": 600.0}})
            env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "AWS_PROFILE")}
            env.update(info.env)
            env["SAGEMAKER_ACK_POLL_POLICY"] = args.policy
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
            env["JUPYTER_CONFIG_DIR"] = str(Path(tmp) / "config")
            env["JUPYTER_RUNTIME_DIR"] = str(Path(tmp) / "runtime")
            env["JUPYTER_DATA_DIR"] = str(Path(tmp) / "data")
            kube_port = int(urllib.parse.urlsplit(info.endpoints["kubernetes"]).port or 80)
            port = _free_port()
            counts_file = Path(tmp) / "counts.json"
            log = (Path(tmp) / "server.log").open("wb")
            server = subprocess.Popen(
                [sys.executable, __file__, "--serve", str(counts_file), str(kube_port), str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            base = f"http://127.0.0.1:{port}/"
            deadline = time.monotonic() + 60
            while True:
                try:
                    _get(base + "api/status")
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        log_text = (Path(tmp) / "server.log").read_text()
                        raise SystemExit(f"the server did not start: {log_text}") from None
                    time.sleep(0.2)

            results = {}
            for n in (1, args.viewers):
                run, calls, hub, received = measure(n, args.window, base, env, counts_file)
                per_minute = {k: v * 60.0 / args.window for k, v in _by_service(calls).items()}
                results[n] = (calls, per_minute)
                feeds = [(f["name"], f["viewers"]) for f in hub["feeds"]]
                print(
                    f"{n:2d} viewer(s) of {run}: SageMaker {per_minute['sagemaker']:.1f} calls/min, "
                    f"Kubernetes {per_minute['kubernetes']:.1f} calls/min; hub feeds {feeds}, "
                    f"opened {hub['feedsOpened']}; messages per viewer {received}"
                )
                print(
                    f"   calls in the {args.window:g} s from the first viewer: {dict(sorted(calls.items()))}"
                )
        finally:
            if server is not None:
                server.terminate()
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
            stack.down(state)

    one, many = results[1][0], results[args.viewers][0]
    checks = []
    for service in ("sagemaker", "kubernetes"):
        a, b = _by_service(one)[service], _by_service(many)[service]
        allowed = a + max(1, round(0.1 * a))  # one call more for the poller's phase in the window
        checks.append(
            report(
                f"{service} calls in {args.window:g} s with {args.viewers} viewers (1 viewer: {a})",
                b,
                allowed,
                "calls",
            )
        )
    finish(checks)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--serve":
        serve(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
