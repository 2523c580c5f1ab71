"""Shared helpers of the benchmarks: timing, medians, one result line per target, and the smoke switch.

``BENCH_SMOKE=1`` (set by ``scripts/bench.sh --smoke``) asks every benchmark for small sizes and few
repeats: a few seconds each, enough to find a broken benchmark, not to judge a figure finely. Targets are
still judged, so a smoke run fails on a miss too; only absolute times (seconds, milliseconds) get
``SMOKE_SLACK`` times their target there, since one or two repeats on a shared CI machine measure its load
as much as the code. Ratios, counts and sizes are judged as in a full run.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import NoReturn

SMOKE = os.environ.get("BENCH_SMOKE", "") not in ("", "0")
SMOKE_SLACK = 3.0
_TIME_UNITS = ("s", "ms", "us")


def sized(full: int, smoke: int) -> int:
    """``full`` normally, ``smoke`` in a smoke run."""
    return smoke if SMOKE else full


def median_seconds(fn: Callable[[], object], repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def fastest_seconds(fn: Callable[[], object], repeat: int = 5) -> float:
    """The fastest of ``repeat`` runs, for ratios: other work on a shared machine only ever adds time."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return min(samples)


def command_seconds(args: Sequence[str], repeat: int = 7, *, fastest: bool = False) -> float:
    """Wall time of running ``args`` (median, or the fastest run)."""
    timer = fastest_seconds if fastest else median_seconds
    return timer(lambda: subprocess.run(list(args), check=True, capture_output=True), repeat)


def report(name: str, value: float, target: float, unit: str = "s", lower_is_better: bool = True) -> bool:
    if SMOKE and unit in _TIME_UNITS and lower_is_better:
        target *= SMOKE_SLACK
    ok = value <= target if lower_is_better else value >= target
    print(
        f"{'PASS' if ok else 'FAIL'}  {name}: {value:.4g} {unit} "
        f"(target {'<=' if lower_is_better else '>='} {target:g} {unit})"
    )
    return ok


def missing(piece: str, fix: str) -> NoReturn:
    """A piece the benchmark needs is not there: that is a failure, not a skip."""
    print(f"FAIL  missing {piece}: {fix}")
    sys.exit(1)


def finish(results: Sequence[bool]) -> None:
    if not results:
        print("FAIL  nothing was judged")
        sys.exit(1)
    sys.exit(0 if all(results) else 1)
