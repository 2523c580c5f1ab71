"""``sagemaker-ack lint PATH...``: the check both sides run before ``kubectl apply``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..._version import __version__
from ...config import resolve_settings
from ...core.errors import UserError
from ...core.lint import has_errors
from ...core.lint.report import to_json, to_sarif, to_text
from ...services.lint import LintOptions, check_paths
from ._common import user_errors
from .policy_option import chosen_policies, policy_option
from .render import parse_pairs

EXIT_FINDINGS = 1


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="text for a terminal, json for scripts, sarif for code-review tools.",
)
@click.option("--offline", is_flag=True, help="Do not verify pinned S3 versions against the bucket.")
@click.option(
    "--require-verified",
    is_flag=True,
    help="Make 'could not verify against S3' an error (no credentials, unreachable, untrusted bucket, "
    "--offline, or a Pipeline with no published version), so CI fails unless the YAML is proven.",
)
@click.option(
    "--trust-bucket",
    "trust_buckets",
    multiple=True,
    metavar="BUCKET",
    help="Also verify against BUCKET (repeatable). Trusted by default: the configured bucket "
    "(SAGEMAKER_ACK_BUCKET); a pinned version in any other bucket is reported, never requested.",
)
@policy_option
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A run parameter value the policies judge too, besides each parameter's default and enum values "
    "(repeatable).",
)
@user_errors
def lint(
    paths: tuple[Path, ...],
    output_format: str,
    offline: bool,
    require_verified: bool,
    trust_buckets: tuple[str, ...],
    policy_files: tuple[Path, ...],
    params: tuple[str, ...],
) -> None:
    """Lint definition JSON and ACK YAML files (or folders of them).

    A Pipeline that pins a published S3 version is verified against it, in trusted buckets only; an
    inline definition whose digest differs from its definition-digest annotation is an error even offline.

    With --policy (or the policy setting), every Pipeline and definition is also judged against each
    policy's rules: roles, instance types and counts, runtime, region, image registries, output KMS
    keys, network isolation and tags.

    Exits 1 when any finding is an error, 0 otherwise, 2 on a usage mistake.
    """
    try:
        configured = resolve_settings()
    except UserError:
        configured = None  # a bad setting is reported where verification needs it, as before
    policies = chosen_policies(policy_files, configured)
    checked = check_paths(
        paths,
        LintOptions(
            offline=offline,
            require_verified=require_verified,
            trust_buckets=trust_buckets,
            policies=policies,
            params=parse_pairs(params, "--param"),
        ),
    )
    findings = checked.findings
    if output_format == "json":
        click.echo(to_json(findings, files=checked.files))
    elif output_format == "sarif":
        click.echo(json.dumps(to_sarif(findings, version=__version__), indent=2))
    else:
        click.echo(to_text(findings, files=checked.files))
    if has_errors(findings):
        sys.exit(EXIT_FINDINGS)
