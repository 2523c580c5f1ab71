"""Model + digest + render of a generated 1,000-step definition <= 1 s; 10x the steps <= 12x the time."""

from __future__ import annotations

import json

from _common import fastest_seconds, finish, median_seconds, report

from jupyter_sagemaker_ack.core import manifests
from jupyter_sagemaker_ack.core.dag import build_dag
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import ROLE, chain_definition


def pipeline_of(text: str) -> None:
    defn = parse_definition(text)
    build_dag(defn).topological_order()
    _ = defn.digest
    doc = manifests.render_pipeline(defn, manifests.PipelineOptions("BenchPipeline", ROLE))
    manifests.dump_yaml([doc])


def main() -> None:
    small = json.dumps(chain_definition(1_000))
    large = json.dumps(chain_definition(10_000))
    t_small = median_seconds(lambda: pipeline_of(small), repeat=5)
    # The ratio compares the fastest runs of each size (load on the machine distorts medians), full size
    # even in a smoke run: a ratio of smaller sizes would judge something else.
    fast_small = fastest_seconds(lambda: pipeline_of(small), repeat=3)
    t_large = fastest_seconds(lambda: pipeline_of(large), repeat=3)
    print(
        f"1,000 steps ({len(small) / 1e6:.1f} MB): {t_small:.3f} s; "
        f"10,000 steps ({len(large) / 1e6:.1f} MB): {t_large:.3f} s"
    )
    finish(
        [
            report("model+digest+render, 1,000 steps", t_small, 1.0),
            report("time ratio for 10x the steps (fastest of 3 each)", t_large / fast_small, 12.0, "x"),
        ]
    )


if __name__ == "__main__":
    main()
