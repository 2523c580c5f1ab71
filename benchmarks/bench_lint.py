"""Lint of a generated 1,000-step (~1 MB) definition <= 0.5 s, with its ratio to json.loads of the same text.

Three cases: the definition as it is (its only finding is its size, over SageMaker's inline limit), the same
with one broken reference in the last step (findings force the position index of the whole text), and the
rendered ACK YAML carrying it (YAML read, positions inside the block scalar). Only the first has a target.
"""

from __future__ import annotations

import json

from _common import finish, median_seconds, report, sized

from jupyter_sagemaker_ack.core import manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.lint import lint_definition, lint_text
from jupyter_sagemaker_ack.examples.synthetic import ROLE, chain_definition


def main() -> None:
    definition = chain_definition(1_000)
    text = json.dumps(definition)
    broken = dict(
        definition, Steps=[*definition["Steps"][:-1], {**definition["Steps"][-1], "DependsOn": ["Nope"]}]
    )
    broken_text = json.dumps(broken, indent=2)
    yaml_text = manifests.dump_yaml(
        [manifests.render_pipeline(parse_definition(text), manifests.PipelineOptions("BenchPipeline", ROLE))]
    )
    codes = sorted({f.code for f in lint_definition(text)})
    baseline = median_seconds(lambda: json.loads(text), repeat=7)
    t_lint = median_seconds(lambda: lint_definition(text, "bench.json"), repeat=sized(7, 3))
    t_broken = median_seconds(lambda: lint_definition(broken_text, "broken.json"), repeat=sized(5, 1))
    t_yaml = median_seconds(lambda: lint_text(yaml_text, "bench.yaml"), repeat=sized(3, 1))
    print(f"definition: {len(definition['Steps'])} steps, {len(text) / 1e6:.2f} MB compact; findings {codes}")
    print(f"json.loads baseline: {baseline * 1000:.1f} ms")
    print(f"lint definition:              {t_lint * 1000:.1f} ms ({t_lint / baseline:.1f}x json.loads)")
    print(f"lint with positioned finding: {t_broken * 1000:.1f} ms ({t_broken / baseline:.1f}x json.loads)")
    print(
        f"lint of the ACK YAML ({len(yaml_text) / 1e6:.2f} MB): "
        f"{t_yaml * 1000:.1f} ms ({t_yaml / baseline:.1f}x)"
    )
    finish([report("lint of a 1,000-step definition", t_lint, 0.5)])


if __name__ == "__main__":
    main()
