"""HTTP routing of the Kubernetes REST paths onto the store, the registry and the watch streams."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import yaml
from aiohttp import web

from . import access, discovery, openapi, protobuf
from .paging import Pager
from .registry import Registry, WriteOptions
from .selectors import field_matcher, label_matcher
from .status import ApiError, bad_request, method_not_allowed
from .store import ResourceType, Store
from .tables import table, wants_table
from .watch import WatchStream

_SSAR = ("authorization.k8s.io", "v1", "selfsubjectaccessreviews")


def json_response(obj: Any, status: int = 200, warnings: list[str] | None = None) -> web.Response:
    response = web.Response(
        body=json.dumps(obj, separators=(",", ":")).encode(), status=status, content_type="application/json"
    )
    for warning in warnings or []:
        escaped = warning.replace('"', '\\"')
        response.headers.add("Warning", f'299 - "{escaped}"')
    return response


def _options(request: web.Request) -> WriteOptions:
    query = request.query
    agent = request.headers.get("User-Agent", "")
    manager = query.get("fieldManager") or (agent.split("/")[0] if agent else "unknown")
    if request.method == "PATCH" and request.content_type == "application/apply-patch+yaml":
        manager = query.get("fieldManager") or "unknown"
    return WriteOptions(
        manager=manager,
        validation=query.get("fieldValidation") or "Warn",
        dry_run=bool(query.getall("dryRun", [])),
        force=query.get("force") == "true",
    )


async def _body(request: web.Request) -> Any:
    raw = await request.read()
    if not raw:
        raise bad_request("the request body is empty")
    if request.content_type == protobuf.CONTENT_TYPE:
        return protobuf.decode(raw)
    try:
        if "yaml" in request.content_type:
            return yaml.safe_load(raw.decode("utf-8"))
        return json.loads(raw)
    except (ValueError, yaml.YAMLError) as exc:
        raise bad_request(f"the request body is not valid JSON: {exc}") from exc


def _document(
    build: Callable[[web.Request], dict[str, Any]],
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        return json_response(build(request))

    return handler


async def _healthy(request: web.Request) -> web.Response:
    return web.Response(text="ok")


class Api:
    def __init__(
        self, store: Store, registry: Registry, policy: access.AccessPolicy, bookmark_every: float
    ) -> None:
        self.store = store
        self.registry = registry
        self.policy = policy
        self.bookmark_every = bookmark_every
        self.pager = Pager(store)

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/version", _document(lambda r: discovery.version_info())),
            web.get("/version/", _document(lambda r: discovery.version_info())),
            web.get("/api", _document(lambda r: discovery.core_versions(r.host))),
            web.get("/apis", _document(lambda r: discovery.group_list(self.store))),
            web.get("/openapi/v2", _document(lambda r: openapi.v2_document(self.store))),
            web.get("/openapi/v3", _document(lambda r: openapi.root_document(self.store))),
            web.get("/openapi/v3/{key:.+}", self.openapi_gv),
            *(web.get(path, _healthy) for path in ("/healthz", "/readyz", "/livez")),
            web.get("/apis/{group}", self.api_group),
            web.route("*", "/api/{version}{rest:.*}", self.resource),
            web.route("*", "/apis/{group}/{version}{rest:.*}", self.resource),
        ]

    async def openapi_gv(self, request: web.Request) -> web.Response:
        doc = openapi.gv_document(self.store, request.match_info["key"])
        if doc is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        return json_response(doc)

    async def api_group(self, request: web.Request) -> web.Response:
        doc = discovery.group(self.store, request.match_info["group"])
        if doc is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        return json_response(doc)

    async def resource(self, request: web.Request) -> web.StreamResponse:
        group, version = request.match_info.get("group", ""), request.match_info["version"]
        segments = [s for s in request.match_info["rest"].split("/") if s]
        if not segments:
            doc = discovery.resource_list(self.store, group, version)
            if doc is None:
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            return json_response(doc)
        namespace = ""
        if segments[0] == "namespaces" and len(segments) >= 3:
            namespace, segments = segments[1], segments[2:]
        plural, name, sub = [*segments, "", ""][:3]
        if len(segments) > 3 or sub not in ("", "status"):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if (group, version, plural) == _SSAR and request.method == "POST":
            return await self.access_review(request)
        rtype = self.store.resource(group, version, plural)
        if sub and not rtype.status_subresource:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if bool(namespace) != rtype.namespaced and (name or not rtype.namespaced):
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if name:
            return await self.item(request, rtype, namespace, name, sub)
        return await self.collection(request, rtype, namespace)

    async def access_review(self, request: web.Request) -> web.Response:
        user = self.policy.identify(request.headers)
        return json_response(access.review(self.policy, await _body(request), self.store, user), status=201)

    async def collection(
        self, request: web.Request, rtype: ResourceType, namespace: str
    ) -> web.StreamResponse:
        query = request.query
        if request.method == "POST":
            opts = _options(request)
            created = self.registry.create(rtype, namespace, await _body(request), opts)
            return json_response(created, 201, opts.warnings)
        if request.method not in ("GET", "DELETE"):
            raise method_not_allowed()
        labels = label_matcher(query.get("labelSelector"))
        fields = field_matcher(query.get("fieldSelector"), ignore_unknown=rtype.plural == "events")
        as_table = wants_table(request.headers.get("Accept", ""))
        if request.method == "GET" and query.get("watch") in ("true", "1"):
            stream = WatchStream(self.store, rtype, namespace or None, labels, fields)
            return await stream.serve(request, dict(query), as_table, self.bookmark_every)
        if request.method == "DELETE":
            opts = _options(request)
            items = self.store.select(rtype, namespace or None, labels, fields)
            items = [self.registry.delete(rtype, namespace, i["metadata"]["name"], opts) for i in items]
            return json_response(
                {
                    "kind": rtype.list_kind,
                    "apiVersion": rtype.api_version,
                    "metadata": {"resourceVersion": str(self.store.rv)},
                    "items": items,
                }
            )
        page = self.pager.page(rtype, namespace or None, labels, fields, dict(query))
        if as_table:
            answer = table(rtype, page.items, page.resource_version, query.get("includeObject", "Metadata"))
            answer["metadata"] = page.metadata()
            return json_response(answer)
        return json_response(
            {
                "kind": rtype.list_kind,
                "apiVersion": rtype.api_version,
                "metadata": page.metadata(),
                "items": page.items,
            }
        )

    async def item(
        self, request: web.Request, rtype: ResourceType, namespace: str, name: str, sub: str
    ) -> web.Response:
        opts = _options(request)
        if request.method == "GET":
            obj = self.store.get(rtype, namespace, name)
            if wants_table(request.headers.get("Accept", "")):
                return json_response(
                    table(
                        rtype,
                        [obj],
                        obj["metadata"]["resourceVersion"],
                        request.query.get("includeObject", "Metadata"),
                    )
                )
            return json_response(obj)
        if request.method == "PUT":
            return json_response(
                self.registry.update(rtype, namespace, name, await _body(request), sub, opts),
                200,
                opts.warnings,
            )
        if request.method == "PATCH":
            raw = await request.read()
            obj, created = self.registry.patch(rtype, namespace, name, request.content_type, raw, sub, opts)
            return json_response(obj, 201 if created else 200, opts.warnings)
        if request.method == "DELETE" and not sub:
            return json_response(self.registry.delete(rtype, namespace, name, opts))
        raise method_not_allowed()
