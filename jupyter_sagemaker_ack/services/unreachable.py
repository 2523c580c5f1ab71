"""Saying which service is down, in words: the Kubernetes API or SageMaker, where, and what to do.

The clients' own text ("MaxRetryError: HTTPConnectionPool(host=...)...") tells a user nothing they can act
on. A failure to connect becomes "The Kubernetes API at http://127.0.0.1:PORT is not answering", and when
the settings point at this machine (the sandbox's endpoints are all on 127.0.0.1) the fix is to start the
sandbox. Every other failure is passed on as it is.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..adapters import sagemaker_api
from ..config import Settings
from ..core.errors import UserError

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0"})
SANDBOX_FIX = "The settings point at the local sandbox: start it with `sagemaker-ack sandbox up`."
# The Kubernetes adapter's wording for a failure to connect (adapters.kube.connect.describe_api_error).
_KUBE_UNREACHABLE = re.compile(r"^Cannot reach the Kubernetes API(?: at (?P<server>\S+))? to ")


class Unreachable(UserError):
    """A service did not answer at all (refused, timed out, no route): ``service`` names it."""

    def __init__(self, problem: str, fix: str, service: str, endpoint: str | None) -> None:
        super().__init__(problem, fix)
        self.service = service
        self.endpoint = endpoint


def is_local(endpoint: str | None) -> bool:
    if not endpoint:
        return False
    host = urlsplit(endpoint if "//" in endpoint else f"//{endpoint}").hostname
    return host in LOCAL_HOSTS


def explain(error: UserError, settings: Settings, *, kube_server: str | None = None) -> UserError:
    """``error`` in words a user can act on when it says a service could not be reached; else ``error``."""
    if isinstance(error, Unreachable):
        return error
    found = _KUBE_UNREACHABLE.match(error.problem)
    if found is not None:
        server = kube_server or found.group("server")
        where = f" at {server}" if server else ""
        fix = (
            SANDBOX_FIX
            if is_local(server)
            else "Check that the cluster is up and the kubeconfig context is right (`kubectl cluster-info`)."
        )
        return Unreachable(f"The Kubernetes API{where} is not answering.", fix, "Kubernetes API", server)
    if isinstance(error, sagemaker_api.Transient) and not isinstance(error, sagemaker_api.Throttled):
        endpoint = settings.sagemaker_endpoint
        where = f" at {endpoint}" if endpoint else ""
        fix = (
            SANDBOX_FIX
            if is_local(endpoint)
            else "Check the network, AWS_REGION and AWS_ENDPOINT_URL_SAGEMAKER."
        )
        return Unreachable(f"SageMaker{where} is not answering.", fix, "SageMaker", endpoint)
    return error
