"""Render time of big DAGs in both pictures: the Python static SVG and the extension's TypeScript layout.

Python: layout + SVG of a fresh ``DagPicture`` (what a saved output's fallback costs). TypeScript:
``layoutDag`` + every edge's path under node (the extension's layout code, compiled by the test config; the
DOM drawing is measured in the browser by tests/browser/test_dag_view.py). Each at 10, 45 and 200 steps;
targets: 200 steps <= 0.25 s (Python) and <= 0.25 s (TypeScript, under node), and
200 steps <= 60x the 10-step time (20x the steps: at most 3x worse than linear). ``BENCH_SMOKE=1``: one
sample each, targets still checked. Exits non-zero on a miss.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from _common import finish, median_seconds, report

from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import chain_definition
from jupyter_sagemaker_ack.faces.display.picture import DagPicture

SIZES = (10, 45, 200)
LABEXTENSION = Path(__file__).resolve().parents[1] / "labextension"
SMOKE = os.environ.get("BENCH_SMOKE", "") not in ("", "0")

NODE_SCRIPT = """
const { layoutDag, pathOf } = require('./lib-test/src/layout.js');
const { dags, repeat } = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const median = xs => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
layoutDag(dags[dags.length - 1]); // warm the JIT up first
console.log(JSON.stringify(dags.map(dag => {
  const samples = [];
  for (let i = 0; i < repeat; i++) {
    const t = process.hrtime.bigint();
    const laid = layoutDag(dag);
    laid.edges.forEach(e => pathOf(e, laid.direction));
    samples.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  return median(samples);
})));
"""


def python_seconds(definition: dict[str, object], repeat: int) -> float:
    parsed = parse_definition(definition)

    def draw() -> None:
        DagPicture.from_definition(parsed, "bench").svg({"status": "Executing", "steps": []})

    return median_seconds(draw, repeat)


def typescript_seconds(pictures: list[DagPicture], repeat: int) -> list[float]:
    node = shutil.which("node")
    tsc = LABEXTENSION / "node_modules" / "typescript" / "bin" / "tsc"
    if node is None or not tsc.exists():
        raise SystemExit("needs node and the extension's npm packages: cd labextension && jlpm install")
    subprocess.run([node, str(tsc), "-p", "tsconfig.test.json"], cwd=LABEXTENSION, check=True)
    answer = subprocess.run(
        [node, "-e", NODE_SCRIPT],
        cwd=LABEXTENSION,
        input=json.dumps({"dags": [p.wire() for p in pictures], "repeat": repeat}),
        capture_output=True,
        text=True,
        check=True,
    )
    seconds: list[float] = json.loads(answer.stdout)
    return seconds


def main() -> None:
    repeat = 1 if SMOKE else 5
    definitions = [chain_definition(n, fan_out=5) for n in SIZES]
    python_seconds(definitions[0], 1)  # imports and caches warm
    py = [python_seconds(d, repeat) for d in definitions]
    ts = typescript_seconds(
        [DagPicture.from_definition(parse_definition(d), "bench") for d in definitions], repeat
    )
    for n, p, t in zip(SIZES, py, ts, strict=True):
        print(f"{n:>4} steps: Python SVG {p * 1000:8.1f} ms   TypeScript layout {t * 1000:8.1f} ms")
    finish(
        [
            report("Python static SVG, 200 steps", py[-1], 0.25),
            report("TypeScript layout, 200 steps", ts[-1], 0.25),
            report("Python 200 / 10 steps", py[-1] / py[0], 60.0, "x"),
            report("TypeScript 200 / 10 steps", ts[-1] / ts[0], 60.0, "x"),
        ]
    )


if __name__ == "__main__":
    main()
