"""`python -m jupyter_sagemaker_ack.sandbox.kubeapi`: run the emulator as a process, announced in a file."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from pathlib import Path

from jupyter_sagemaker_ack.core.errors import UserError

from .crds import load_crd_files
from .server import KubeApiServer


async def _main(args: argparse.Namespace) -> None:
    crds = load_crd_files(args.crd) if args.crd else None
    server = KubeApiServer(args.host, args.port, crds=crds, watch_window=args.watch_window)
    try:
        await server.serve()
    except OSError as exc:
        raise UserError(
            f"Cannot listen on {args.host}:{args.port}: {exc.strerror}.", "Pick a free port or 0."
        ) from exc
    if args.ready_file:
        ready = Path(args.ready_file)
        partial = ready.with_name(ready.name + ".tmp")
        partial.write_text(json.dumps({"url": server.url, "pid": os.getpid()}), encoding="utf-8")
        partial.replace(ready)
    print(f"Kubernetes API emulator listening on {server.url}", flush=True)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    await stopped.wait()
    await server.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m jupyter_sagemaker_ack.sandbox.kubeapi", description=__doc__
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready-file", help='write {"url": ..., "pid": ...} here once listening')
    parser.add_argument("--crd", action="append", default=[], help="a CRD YAML file to serve (repeatable)")
    parser.add_argument("--watch-window", type=int, default=10_000, help="events kept for watch resumption")
    args = parser.parse_args(argv)
    try:
        asyncio.run(_main(args))
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
