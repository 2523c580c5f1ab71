"""One connection to a cluster: the official client from kubeconfig (context, namespace) or in-cluster config.

Also where Kubernetes API failures become one clear :class:`UserError` (unreachable server, no credentials,
forbidden, missing object), so no caller has to know the client's exception types.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ...config import Settings
from ...core import ack, bounded, names
from ...core.errors import UserError

IN_CLUSTER_NAMESPACE_FILE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
DEFAULT_KUBECONFIG = Path("~/.kube/config")
# (connect, read) seconds for ordinary requests; watches set their own.
REQUEST_TIMEOUT = (5.0, 30.0)
CONNECT_RETRIES = 1


@dataclass
class KubeCluster:
    """The API client of one cluster and the namespace commands default to."""

    api_client: Any
    namespace: str
    context: str | None
    server: str

    @property
    def custom(self) -> Any:
        from kubernetes.client import CustomObjectsApi

        return CustomObjectsApi(self.api_client)

    def close(self) -> None:
        close = getattr(self.api_client, "close", None)
        if close is not None:
            close()


def _kubeconfig_paths(settings: Settings) -> list[Path]:
    raw = settings.kubeconfig or os.environ.get("KUBECONFIG") or ""
    paths = [Path(p).expanduser() for p in raw.split(os.pathsep) if p]
    return paths or [DEFAULT_KUBECONFIG.expanduser()]


def in_cluster() -> bool:
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and IN_CLUSTER_NAMESPACE_FILE.exists()


def cluster_configured(settings: Settings) -> bool:
    """Whether any cluster is configured (a kubeconfig file exists, or we run in a pod)."""
    return any(p.is_file() for p in _kubeconfig_paths(settings)) or in_cluster()


def connect(settings: Settings, namespace: str | None = None) -> KubeCluster:
    """The configured cluster's client; namespace: argument > settings > kubeconfig context > default."""
    from kubernetes import client
    from kubernetes import config as kube_config
    from kubernetes.config.config_exception import ConfigException

    config: Any = kube_config  # its loaders are untyped

    paths = [p for p in _kubeconfig_paths(settings) if p.is_file()]
    if not paths and in_cluster():
        configuration = client.Configuration()
        try:
            config.load_incluster_config(client_configuration=configuration)
        except ConfigException as exc:
            raise UserError(
                f"The in-cluster Kubernetes configuration is unusable: {exc}.",
                "Check the pod's service account token, or set KUBECONFIG to a kubeconfig file.",
            ) from None
        configuration.retries = CONNECT_RETRIES
        ns = namespace or settings.namespace or IN_CLUSTER_NAMESPACE_FILE.read_text().strip() or "default"
        return KubeCluster(client.ApiClient(configuration), ns, None, str(configuration.host))
    if not paths:
        where = ", ".join(str(p) for p in _kubeconfig_paths(settings))
        raise UserError(
            f"No Kubernetes configuration found (looked for {where}).",
            "Set KUBECONFIG to your cluster's kubeconfig (e.g. `aws eks update-kubeconfig --name CLUSTER`), "
            "or run `sagemaker-ack sandbox up` and source its env file.",
        )
    for path in paths:
        _check_kubeconfig(path)
    config_file = os.pathsep.join(str(p) for p in paths)
    try:
        contexts, active = config.list_kube_config_contexts(config_file=config_file)
        chosen = active
        if settings.kube_context:
            chosen = next((c for c in contexts if c.get("name") == settings.kube_context), None)
            if chosen is None:
                names = ", ".join(c.get("name", "?") for c in contexts)
                raise UserError(
                    f"The kubeconfig has no context '{settings.kube_context}'.",
                    f"Pick one of: {names} (SAGEMAKER_ACK_KUBE_CONTEXT or --context).",
                )
        configuration = client.Configuration()
        config.load_kube_config(
            config_file=config_file,
            context=settings.kube_context,
            client_configuration=configuration,
            persist_config=False,
        )
    except (ConfigException, ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        detail = str(exc).strip().replace("\n", " ") or type(exc).__name__
        raise UserError(
            f"The kubeconfig {config_file} cannot be used: {detail}.",
            "Check it with `kubectl config view`, or pick another context.",
        ) from None
    configuration.retries = CONNECT_RETRIES
    context_ns = ((chosen or {}).get("context") or {}).get("namespace")
    ns = namespace or settings.namespace or context_ns or "default"
    _check_namespace(ns, "--namespace" if namespace else "settings" if settings.namespace else "kubeconfig")
    name = (chosen or {}).get("name")
    return KubeCluster(client.ApiClient(configuration), ns, name, str(configuration.host))


def _check_namespace(namespace: str, where: str) -> None:
    try:
        names.check_namespace(namespace)
    except UserError as exc:
        raise UserError(f"{exc.problem.rstrip('.')} (from {where}).", exc.fix) from None


def _check_kubeconfig(path: Path) -> None:
    """A kubeconfig the client can read: UTF-8 YAML, within the reader limits, a mapping at the top."""
    fix = (
        "Point KUBECONFIG at a valid kubeconfig (`kubectl config view` shows what kubectl reads), "
        "e.g. `aws eks update-kubeconfig --name CLUSTER`."
    )
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise UserError(f"The kubeconfig {path} cannot be read: {exc.strerror or exc}.", fix) from None
    except UnicodeDecodeError as exc:
        raise UserError(f"The kubeconfig {path} is not UTF-8 text (byte {exc.start}).", fix) from None
    try:
        documents = bounded.load_yaml_all(text, unique_keys=False)  # as lenient as kubectl
    except bounded.ReaderLimit as exc:
        raise UserError(f"The kubeconfig {path}: {exc.problem}", fix) from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise UserError(f"The kubeconfig {path} is not valid YAML{where}.", fix) from None
    if len(documents) > 1 or (documents and not isinstance(documents[0], dict)):
        raise UserError(f"The kubeconfig {path} is not a kubeconfig (a YAML mapping).", fix)


def request(
    cluster: KubeCluster,
    method: str,
    path: str,
    *,
    query: dict[str, str] | None = None,
    body: Any = None,
    content_type: str = "application/json",
    timeout: Any = REQUEST_TIMEOUT,
) -> tuple[int, dict[str, Any]]:
    """One REST call through the official client; any 2xx answer (200 and 201 alike) gives its JSON body.

    The generated ``patch_*`` methods map only HTTP 200 to a body, so a server-side apply that creates an
    object (201) would come back empty through them.
    """
    api = cluster.api_client
    headers = {"Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = content_type
    serialized = api.param_serialize(
        method=method,
        resource_path=path,
        query_params=list((query or {}).items()),
        header_params=headers,
        body=body,
        auth_settings=["BearerToken"],
    )
    response = api.call_api(*serialized, _request_timeout=timeout)
    response.read()
    answer = api.response_deserialize(response, {"2XX": "object"})
    data = answer.data if isinstance(answer.data, dict) else {}
    return int(answer.status_code), data


def api_status(exc: Any) -> dict[str, Any]:
    """The ``metav1.Status`` body of an ApiException (empty when it has none)."""
    body = getattr(exc, "body", None)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str) and body.startswith("{"):
        try:
            parsed = json.loads(body)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def describe_api_error(
    exc: Exception, action: str, target: str, cluster: KubeCluster | None = None
) -> UserError:
    """One clear UserError for a failed Kubernetes call."""
    from kubernetes.client.exceptions import ApiException

    server = f" at {cluster.server}" if cluster is not None else ""
    if isinstance(exc, ApiException):
        status = api_status(exc)
        message = status.get("message") or exc.reason or str(exc.status)
        if exc.status == 401:
            return UserError(
                f"The Kubernetes API{server} rejected our credentials while trying to {action} {target}.",
                "Refresh them (`aws eks update-kubeconfig`, `aws sso login`); check `kubectl auth whoami`.",
            )
        if exc.status == 403:
            return UserError(
                f"Forbidden: you may not {action} {target}: {message}",
                "Ask a cluster admin to bind you the ack-sagemaker-writer role in that namespace.",
            )
        if exc.status == 404:
            return UserError(
                f"Not found: could not {action} {target}: {message}", "Check the name and namespace."
            )
        if exc.status == 422:
            return UserError(
                f"The Kubernetes API refused to {action} {target}: {message}",
                "Fix the manifest (`sagemaker-ack lint FILE` shows where), or render it again.",
            )
        return UserError(
            f"Could not {action} {target}: {message}",
            "Check the cluster's state (`kubectl get` the object) and try again.",
        )
    return UserError(
        f"Cannot reach the Kubernetes API{server} to {action} {target}: {type(exc).__name__}: {exc}.",
        "Check the cluster is up and the kubeconfig context is right (`kubectl cluster-info`).",
    )


@contextmanager
def kube_call(action: str, target: str, cluster: KubeCluster | None = None) -> Iterator[None]:
    """Turn any Kubernetes client failure inside the block into :func:`describe_api_error`'s UserError."""
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    try:
        yield
    except (ApiException, HTTPError, OSError) as exc:
        raise describe_api_error(exc, action, target, cluster) from None


def resource_label(kind: str, namespace: str, name: str | None = None) -> str:
    plural = ack.PLURALS.get(kind, kind)
    return f"{plural}/{name} in namespace {namespace}" if name else f"{plural} in namespace {namespace}"
