"""`sagemaker-ack sandbox up` is ready in at most 3 s (median of 5), against a bare interpreter start."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import command_seconds, finish, report

from jupyter_sagemaker_ack.sandbox import stack


def main() -> None:
    base = command_seconds([sys.executable, "-c", "pass"], repeat=5)
    samples = []
    for _ in range(5):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            stack.up(Path(tmp))
            samples.append(time.perf_counter() - start)
            stack.down(Path(tmp))
    ready = statistics.median(samples)
    print(f"sandbox up samples: {', '.join(f'{s:.2f}' for s in samples)} s; bare interpreter {base:.3f} s")
    finish([report("sandbox up ready (median of 5)", ready, 3.0)])


if __name__ == "__main__":
    main()
