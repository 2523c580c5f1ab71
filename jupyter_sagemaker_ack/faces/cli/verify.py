"""``sagemaker-ack verify FILE|DIR``: prove the ACK YAML is the published S3 version."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ...config import resolve_settings
from ...services.signature_check import signer_from
from ...services.verify import verify as verify_manifests
from ._common import user_errors

EXIT_MISMATCH = 1


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--region", help="AWS region of the bucket. Default: $AWS_REGION.")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.option(
    "--trust-bucket",
    "trust_buckets",
    multiple=True,
    metavar="BUCKET",
    help="Also verify against BUCKET (repeatable). Trusted by default: the configured bucket "
    "(SAGEMAKER_ACK_BUCKET); a pinned version in any other bucket fails, and nothing is asked of it.",
)
@click.option(
    "--require-signature",
    is_flag=True,
    help="Fail unless the pinned version's hand-off record is signed by --signer (or the key of "
    "--signer-public-key) and no signed field changed since.",
)
@click.option(
    "--signer", metavar="KEY", help="KMS key (ARN or alias/NAME) that must have signed; KMS Verify."
)
@click.option(
    "--signer-public-key",
    metavar="FILE",
    help="The signer's public key (DER or PEM SubjectPublicKeyInfo): verify the signature offline.",
)
@user_errors
def verify(
    path: Path,
    region: str | None,
    as_json: bool,
    trust_buckets: tuple[str, ...],
    require_signature: bool,
    signer: str | None,
    signer_public_key: str | None,
) -> None:
    """Check each ACK Pipeline in PATH against the S3 version its annotations pin.

    Only trusted buckets are asked. With --require-signature (implied by --signer and
    --signer-public-key), the hand-off record must also be signed by the expected key.
    Exits 0 when verified, 1 when a check fails, 2 on a usage mistake.
    """
    expected = (
        signer_from(signer, signer_public_key) if require_signature or signer or signer_public_key else None
    )
    report = verify_manifests(
        path, resolve_settings({"region": region}), trust_buckets=trust_buckets, signer=expected
    )
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(report.table())
        for document, differences in report.differences.items():
            click.echo(f"\n{document}: S3 object -> YAML")
            for line in differences.lines():
                click.echo(f"  {line}")
        click.echo("\nverified: the YAML is what was published" if report.ok else "\nNOT verified")
    if not report.ok:
        sys.exit(EXIT_MISMATCH)
