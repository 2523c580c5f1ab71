"""Bundle a 1,000-step definition into 3 environments in <= 2 s, and how that compares with one render.

The bundle does per environment what render does once (substitute, digest, render, lint the result) plus
the README and the DAG picture, so its time is judged against rendering the same definition once.
The 1,000-step synthetic definition is over SageMaker's inline limit (lint's SMA701 error), so the bundle
runs with ``force`` as ``render`` does here; the work measured is the same either way.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from _common import fastest_seconds, finish, median_seconds, report, sized

from jupyter_sagemaker_ack.config import Settings
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import ROLE, chain_definition
from jupyter_sagemaker_ack.services.bundle import bundle
from jupyter_sagemaker_ack.services.render import render

ENVIRONMENTS = """\
environments:
  dev:
    namespace: ml-dev
    region: us-east-1
    roleARN: {role}
    keep: ["123456789012", "sagemaker-ack-demo"]
  staging:
    namespace: ml-staging
    region: us-west-2
    roleARN: arn:aws:iam::555555555555:role/Staging
    parallelism: 4
    substitutions: {{"123456789012": "555555555555", "sagemaker-ack-demo": "staging-bucket"}}
  prod:
    namespace: ml-prod
    region: eu-west-1
    roleARN: arn:aws:iam::999999999999:role/Prod
    parallelism: 8
    deletionPolicy: retain
    parameters: {{ProcessingInstanceCount: 4}}
    substitutions: {{"123456789012": "999999999999", "sagemaker-ack-demo": "prod-bucket"}}
"""


def main() -> None:
    steps = sized(1_000, 200)
    work = Path(tempfile.mkdtemp(prefix="bench-bundle-"))
    try:
        source = work / "def.json"
        source.write_text(json.dumps(chain_definition(steps)))
        envs = work / "envs.yaml"
        envs.write_text(ENVIRONMENTS.format(role=ROLE))
        settings = Settings()
        counter = iter(range(1_000))

        def one_bundle() -> None:
            bundle(
                str(source), work / f"out-{next(counter)}", envs, settings, pipeline_name="bench", force=True
            )

        def one_render() -> None:
            render(
                parse_definition(source.read_text()),
                settings,
                pipeline_name="bench",
                role_arn=ROLE,
                force=True,
            )

        repeat = sized(5, 2)
        t_bundle = median_seconds(one_bundle, repeat=repeat)
        fast_bundle = fastest_seconds(one_bundle, repeat=repeat)
        fast_render = fastest_seconds(one_render, repeat=repeat)
        print(
            f"{steps:,} steps: bundle into 3 environments {t_bundle:.3f} s (fastest {fast_bundle:.3f} s), "
            f"render once {fast_render:.3f} s"
        )
        finish(
            [
                report(f"bundle of {steps:,} steps into 3 environments", t_bundle, 2.0),
                report(
                    "bundle (3 environments) / render once, fastest of each",
                    fast_bundle / fast_render,
                    6.0,
                    "x",
                ),
            ]
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
