"""List paging with ``limit`` and ``continue``, as the Kubernetes API server pages a list out of etcd.

Every page of one list shows the collection as it was at the first page's resourceVersion, so objects
created or changed between pages neither appear twice nor go missing, and every page reports that same
resourceVersion (a watch started from it sees every later change). The continue token is opaque to
clients; like the real one it is base64 of ``{"v", "rv", "start"}``. The emulator keeps the first page's
snapshot instead of reading an older etcd revision: once the token's revision is compacted away, or the
snapshot has been dropped, the next page is ``410 Gone`` with the API server's own message and, as the API
server does, a token (revision -1) that continues the list inconsistently, from the latest state.
``metadata.remainingItemCount`` is given only when no selector filters the list, as the API server does.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from .selectors import Matcher
from .status import ApiError, bad_request
from .store import ResourceType, Store

CONTINUE_FORMAT = "meta.k8s.io/v1"
TOO_OLD = (
    "The provided continue parameter is too old to display a consistent list result. You can start a new "
    "list without the continue parameter, or use the continue token in this response to retrieve the "
    "remainder of the results. Continuing with the provided token results in an inconsistent list - objects "
    "that were created, modified, or deleted between the time the first chunk was returned and now may show "
    "up in the list."
)
LATEST = -1  # the revision of a token that continues a list from whatever is there now
Slot = tuple[str, str]


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    resource_version: str
    continue_token: str | None = None
    remaining: int | None = None

    def metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"resourceVersion": self.resource_version}
        if self.continue_token:
            meta["continue"] = self.continue_token
            if self.remaining is not None:
                meta["remainingItemCount"] = self.remaining
        return meta


def encode_token(rv: int, start: Slot) -> str:
    key = f"{start[0]}/{start[1]}\x00" if start[0] else f"{start[1]}\x00"
    body = json.dumps({"v": CONTINUE_FORMAT, "rv": rv, "start": key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def decode_token(token: str) -> tuple[int, Slot]:
    try:
        body = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if body.get("v") != CONTINUE_FORMAT or not isinstance(body.get("rv"), int):
            raise ValueError("unknown token version")
        key = str(body["start"]).removesuffix("\x00")
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error, UnicodeDecodeError) as exc:
        raise bad_request(f"continue key is not valid: {exc}") from None
    namespace, _, name = key.rpartition("/")
    return body["rv"], (namespace, name)


class Pager:
    """Serves list pages; keeps the snapshots of lists still being paged (the oldest go first)."""

    def __init__(self, store: Store, keep: int = 64) -> None:
        self.store = store
        self.keep = keep
        self._snapshots: OrderedDict[tuple[Any, ...], tuple[list[Slot], list[dict[str, Any]]]] = OrderedDict()

    def page(
        self,
        rtype: ResourceType,
        namespace: str | None,
        labels: Matcher,
        fields: Matcher,
        query: dict[str, str],
    ) -> Page:
        limit = _limit(query.get("limit"))
        token = query.get("continue") or ""
        filtered = bool(query.get("labelSelector") or query.get("fieldSelector"))
        if not token and limit is None:
            return Page(self.store.select(rtype, namespace, labels, fields), str(self.store.rv))
        identity = (rtype.key, namespace, query.get("labelSelector"), query.get("fieldSelector"))
        if token:
            rv, after = decode_token(token)
            slots, objects = self._snapshot(identity, rv, after, rtype, namespace, labels, fields)
            rv = self.store.rv if rv == LATEST else rv
            start = bisect.bisect_right(slots, after)
        else:
            rv = self.store.rv
            slots, objects = self._take(rtype, namespace, labels, fields)
            start = 0
        end = len(objects) if limit is None else min(len(objects), start + limit)
        if end >= len(objects):
            return Page(objects[start:], str(rv))
        self._remember((*identity, rv), slots, objects)
        remaining = None if filtered else len(objects) - end
        return Page(objects[start:end], str(rv), encode_token(rv, slots[end - 1]), remaining)

    def _take(
        self, rtype: ResourceType, namespace: str | None, labels: Matcher, fields: Matcher
    ) -> tuple[list[Slot], list[dict[str, Any]]]:
        objects = self.store.select(rtype, namespace, labels, fields)
        slots = [(o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in objects]
        return slots, objects

    def _snapshot(
        self,
        identity: tuple[Any, ...],
        rv: int,
        after: Slot,
        rtype: ResourceType,
        namespace: str | None,
        labels: Matcher,
        fields: Matcher,
    ) -> tuple[list[Slot], list[dict[str, Any]]]:
        if rv == LATEST:
            return self._take(rtype, namespace, labels, fields)
        if rv > self.store.rv or rv < 0:
            raise bad_request(f"continue key is not valid: resource version {rv} is not one this server gave")
        kept = self._snapshots.get((*identity, rv))
        if kept is not None and rv >= self.store.compacted_rv:
            self._snapshots.move_to_end((*identity, rv))
            return kept
        if rv == self.store.rv:
            return self._take(rtype, namespace, labels, fields)
        raise ApiError(410, "Expired", TOO_OLD, metadata={"continue": encode_token(LATEST, after)})

    def _remember(self, key: tuple[Any, ...], slots: list[Slot], objects: list[dict[str, Any]]) -> None:
        self._snapshots[key] = (slots, objects)
        self._snapshots.move_to_end(key)
        while len(self._snapshots) > self.keep:
            self._snapshots.popitem(last=False)

    def forget(self) -> None:
        """Drop every snapshot: each list being paged answers its next page with 410 Gone."""
        self._snapshots.clear()


def _limit(value: str | None) -> int | None:
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise bad_request(f"invalid limit: {value!r}") from None
    return number if number > 0 else None
