"""``python -m jupyter_sagemaker_ack.sandbox.sagemaker``: run the emulator until SIGTERM/SIGINT.

With ``--ready-file F`` it writes ``{"url": ..., "pid": ...}`` to F once it accepts connections, so a
supervisor (``sagemaker-ack sandbox up``) knows where it listens without parsing output.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
from pathlib import Path

from .emulator import SageMakerEmulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m jupyter_sagemaker_ack.sandbox.sagemaker", description=__doc__
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--account-id", default="123456789012")
    parser.add_argument("--region", default="us-east-1", help="used when a request names no region")
    parser.add_argument("--ready-file", type=Path, help="write {url, pid} here when ready")
    parser.add_argument("--config", type=Path, help="JSON settings file (shape of POST /_emulator/config)")
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost"):
        parser.error("the emulator only listens on the loopback interface")
    settings = json.loads(args.config.read_text()) if args.config else None
    emulator = SageMakerEmulator(
        host=args.host, port=args.port, account_id=args.account_id, region=args.region, config=settings
    ).start()
    done = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: done.set())
    if args.ready_file:
        temporary = args.ready_file.with_name(args.ready_file.name + ".tmp")
        temporary.write_text(json.dumps({"url": emulator.url, "pid": os.getpid()}))
        temporary.replace(args.ready_file)
    print(f"SageMaker emulator listening on {emulator.url}", flush=True)
    done.wait()
    emulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
