"""``doctor``: one read-only checklist of everything a first real run needs, each line with its fix.

AWS (credentials, region, bucket, KMS key, pipeline role) and Kubernetes (context, CRDs, controller,
access reviews) are checked in two threads, each call with a short timeout, so the whole list takes
seconds. Nothing is written anywhere.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, TimeoutError
from concurrent.futures import wait as wait_for

from ...config import Settings
from . import aws_checks, kube_checks
from .report import ERROR, OK, WARNING, Check, Report, error, warning

__all__ = ["ERROR", "OK", "WARNING", "Check", "Report", "run_doctor"]

DEADLINE_SECONDS = 30.0
AWS_CHECKS = (
    "aws region",
    "aws credentials",
    "s3 bucket",
    "kms key",
    "pipeline role",
)
KUBE_CHECKS = ("kube context", "ack crds", "ack controller", "kube access")


def _aws(settings: Settings) -> list[Check]:
    clients, lines = aws_checks.clients_for(settings)
    if clients is None:
        return [
            *lines,
            *(warning(n, "Not checked: no AWS region.", "Fix the region first.") for n in AWS_CHECKS[1:]),
        ]
    who = aws_checks.credentials(clients)
    lines.append(who)
    if who.status == ERROR:
        skipped = "Not checked: no usable AWS credentials."
        return [*lines, *(warning(n, skipped, "Fix the credentials first.") for n in AWS_CHECKS[2:])]
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="doctor-aws") as pool:
        bucket = pool.submit(aws_checks.bucket, clients, settings)
        key = pool.submit(aws_checks.kms_key, clients, settings)
        role = pool.submit(aws_checks.pipeline_role, clients, settings)
        return [*lines, *bucket.result(), *key.result(), role.result()]


def _kube(settings: Settings, grace_seconds: float) -> list[Check]:
    cluster, lines = kube_checks.context(settings)
    if cluster is None:
        skipped = "Not checked: the cluster cannot be reached."
        return [*lines, *(warning(n, skipped, "Fix the kube context first.") for n in KUBE_CHECKS[1:])]
    try:
        crds = kube_checks.crds(cluster)
        lines.append(crds)
        if crds.status == ERROR:
            lines.append(
                warning("ack controller", "Not checked: no ACK CRDs.", "Install the controller first.")
            )
        else:
            lines.append(kube_checks.controller(cluster, grace_seconds))
        lines.append(kube_checks.access(cluster))
    finally:
        cluster.close()
    return lines


def run_doctor(
    settings: Settings, *, controller_grace_seconds: float = kube_checks.CONTROLLER_GRACE_SECONDS
) -> Report:
    """Every check for these settings; never raises for a failed check (it is a line of the report)."""
    started = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="doctor")
    halves = {
        "aws": pool.submit(_aws, settings),
        "kube": pool.submit(_kube, settings, controller_grace_seconds),
    }
    wait_for(list(halves.values()), timeout=DEADLINE_SECONDS)
    checks: list[Check] = []
    for half, future in halves.items():
        try:
            checks.extend(future.result(timeout=0))
        except TimeoutError:
            checks.append(
                error(
                    f"{half} checks",
                    f"Still waiting after {DEADLINE_SECONDS:.0f}s.",
                    "Check the network and endpoints.",
                )
            )
    pool.shutdown(wait=False, cancel_futures=True)
    return Report(tuple(checks), time.monotonic() - started)
