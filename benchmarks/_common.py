"""Shared helpers of the benchmarks: timing, medians and one result line per target."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence


def median_seconds(fn: Callable[[], object], repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def command_seconds(args: Sequence[str], repeat: int = 7) -> float:
    return median_seconds(lambda: subprocess.run(list(args), check=True, capture_output=True), repeat)


def report(name: str, value: float, target: float, unit: str = "s", lower_is_better: bool = True) -> bool:
    ok = value <= target if lower_is_better else value >= target
    print(
        f"{'PASS' if ok else 'FAIL'}  {name}: {value:.4g} {unit} "
        f"(target {'<=' if lower_is_better else '>='} {target:g} {unit})"
    )
    return ok


def finish(results: Sequence[bool]) -> None:
    sys.exit(0 if all(results) else 1)
