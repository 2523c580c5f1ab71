"""The quickstart: the whole hand-off once, as the two people would do it, against whatever AWS and cluster
the settings point at (the sandbox, for a first try).

ML engineer: build the Abalone pipeline, capture it offline, lint, publish, render YAML with provenance.
DevOps engineer: verify the YAML against S3, ``kubectl apply`` the Pipeline, wait until it is synced,
apply the execution, wait for the run to finish, and read the steps' outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..adapters.kubectl import kubectl
from ..config import Settings
from ..core.errors import UserError
from ..core.status import RunSnapshot
from . import publish as publish_service
from . import render as render_service
from . import verify as verify_service
from . import watch as watch_service
from .lint import lint_pipeline


@dataclass(frozen=True)
class QuickstartResult:
    output_dir: Path
    files: list[Path]
    definition_uri: str
    version_id: str
    digest: str
    run: RunSnapshot


def run_quickstart(
    settings: Settings,
    output_dir: Path,
    *,
    say: Callable[[str], None] = print,
    timeout: float = 300.0,
) -> QuickstartResult:
    from ..examples.abalone import build_abalone_pipeline

    if not settings.bucket or not settings.kms_key or not settings.role_arn:
        raise UserError(
            "The quickstart needs a bucket, a KMS key and a role ARN.",
            "Run it on the sandbox (sagemaker-ack quickstart) or set SAGEMAKER_ACK_BUCKET, "
            "SAGEMAKER_ACK_KMS_KEY and SAGEMAKER_ACK_ROLE_ARN.",
        )
    say("1/6 building the Abalone pipeline with the SageMaker SDK (captured offline: no AWS calls)")
    pipeline: Any = build_abalone_pipeline(
        role_arn=settings.role_arn, region=settings.region or "us-east-1", bucket=settings.bucket
    )
    findings = lint_pipeline(pipeline)
    errors = [f for f in findings if f.severity == "error"]
    say(f"2/6 lint: {len(errors)} errors, {len(findings) - len(errors)} warnings")
    if errors:
        raise UserError(f"The pipeline has lint errors: {errors[0].message}", errors[0].hint)

    publication = publish_service.publish(pipeline, settings)
    say(f"3/6 published {publication.pinned_uri} (KMS key {publication.kms_key_arn})")

    rendered = render_service.render(
        pipeline, settings, role_arn=settings.role_arn, execution=True, provenance=publication.provenance()
    )
    files = rendered.write(output_dir)
    say(f"4/6 rendered {', '.join(str(p) for p in files)}")

    report = verify_service.verify(str(output_dir / "pipeline.yaml"), settings)
    if not report.ok:
        raise UserError(
            "The rendered YAML does not match the published definition.", "Re-run the quickstart."
        )
    say("5/6 verified: the YAML carries exactly the published S3 version")

    pipeline_doc, execution_doc = rendered.docs[0], rendered.docs[1]
    ns = settings.namespace or "default"
    kubeconfig = settings.kubeconfig
    kubectl(["apply", "-n", ns, "-f", str(output_dir / "pipeline.yaml")], kubeconfig=kubeconfig)
    kubectl(
        [
            "wait",
            "-n",
            ns,
            "--for=condition=ACK.ResourceSynced",
            f"--timeout={int(timeout)}s",
            f"pipeline/{pipeline_doc['metadata']['name']}",
        ],
        kubeconfig=kubeconfig,
    )
    kubectl(["apply", "-n", ns, "-f", str(output_dir / "execution.yaml")], kubeconfig=kubeconfig)
    run_name = execution_doc["metadata"]["name"]
    say(f"6/6 kubectl apply done; waiting for pipelineexecution/{run_name}")
    final = None
    for snapshot in watch_service.watch_run(ns, run_name, settings):
        final = snapshot
    if final is None:
        raise UserError(
            f"No status arrived for {run_name}.", "Check that the ACK controller watches the namespace."
        )
    return QuickstartResult(
        output_dir=output_dir,
        files=files,
        definition_uri=publication.definition_uri,
        version_id=publication.version_id,
        digest=publication.digest,
        run=final,
    )
