"""``python -m jupyter_sagemaker_ack.sandbox.ack_controller``: run the controller until SIGTERM/SIGINT.

With ``--ready-file F`` it writes ``{"pid": ...}`` to F once it has listed both kinds and is reconciling.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import threading
from pathlib import Path

from .controller import AckControllerEmulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m jupyter_sagemaker_ack.sandbox.ack_controller", description=__doc__
    )
    parser.add_argument("--kubeconfig", required=True, type=Path)
    parser.add_argument("--sagemaker-endpoint", help="SageMaker API URL (default: boto3's own resolution)")
    parser.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    parser.add_argument("--namespace", help="watch only this namespace (default: all)")
    parser.add_argument("--requeue-seconds", type=float, help="re-check interval while not synced")
    parser.add_argument("--realistic", action="store_true", help="the real controller's intervals (30 s)")
    parser.add_argument("--ready-file", type=Path, help="write {pid} here when ready")
    parser.add_argument("--call-log", type=Path, help="append every SageMaker call made here (JSON lines)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    controller = AckControllerEmulator(
        kubeconfig=args.kubeconfig,
        sagemaker_endpoint=args.sagemaker_endpoint,
        region=args.region,
        requeue_seconds=args.requeue_seconds,
        realistic=args.realistic,
        namespace=args.namespace,
        call_log=args.call_log,
    ).start()
    done = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: done.set())
    if args.ready_file:
        temporary = args.ready_file.with_name(args.ready_file.name + ".tmp")
        temporary.write_text(json.dumps({"pid": os.getpid()}))
        temporary.replace(args.ready_file)
    print("ACK controller emulator reconciling", flush=True)
    done.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
