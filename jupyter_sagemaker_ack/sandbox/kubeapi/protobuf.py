"""Decoding the Kubernetes protobuf bodies kubectl sends for built-in kinds (namespaces, access reviews).

kubectl encodes built-in objects as `application/vnd.kubernetes.protobuf`: a `k8s\\0` magic, then a
`runtime.Unknown` envelope around the object. Only the fields the emulator uses are decoded, by hand, so no
protobuf runtime is needed.
"""

from __future__ import annotations

from typing import Any

from .status import bad_request

CONTENT_TYPE = "application/vnd.kubernetes.protobuf"
_MAGIC = b"k8s\x00"
_META_STRINGS = {1: "name", 2: "generateName", 3: "namespace"}
_META_MAPS = {11: "labels", 12: "annotations"}
_RESOURCE = {1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource", 6: "subresource", 7: "name"}
_NON_RESOURCE = {1: "path", 2: "verb"}


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise bad_request("truncated protobuf body")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def fields(data: bytes) -> dict[int, list[bytes]]:
    """The length-delimited fields of one message by number (varint and fixed fields are skipped)."""
    out: dict[int, list[bytes]] = {}
    pos = 0
    while pos < len(data):
        tag, pos = _varint(data, pos)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            _, pos = _varint(data, pos)
        elif wire == 2:
            size, pos = _varint(data, pos)
            out.setdefault(number, []).append(data[pos : pos + size])
            pos += size
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
        else:
            raise bad_request(f"unsupported protobuf wire type {wire}")
    return out


def _strings(data: bytes, names: dict[int, str]) -> dict[str, str]:
    found = fields(data)
    return {name: found[num][0].decode("utf-8") for num, name in names.items() if num in found}


def _object_meta(data: bytes) -> dict[str, Any]:
    meta: dict[str, Any] = _strings(data, _META_STRINGS)
    found = fields(data)
    for num, name in _META_MAPS.items():
        entries = [_strings(entry, {1: "key", 2: "value"}) for entry in found.get(num, [])]
        if entries:
            meta[name] = {e.get("key", ""): e.get("value", "") for e in entries}
    if 14 in found:
        meta["finalizers"] = [f.decode("utf-8") for f in found[14]]
    return meta


def decode(body: bytes) -> dict[str, Any]:
    """The object in a protobuf body, as JSON would carry it (metadata, plus the spec of access reviews)."""
    if not body.startswith(_MAGIC):
        raise bad_request("protobuf body lacks the k8s envelope")
    envelope = fields(body[len(_MAGIC) :])
    type_meta = _strings((envelope.get(1) or [b""])[0], {1: "apiVersion", 2: "kind"})
    message = fields((envelope.get(2) or [b""])[0])
    obj: dict[str, Any] = {**type_meta, "metadata": _object_meta((message.get(1) or [b""])[0])}
    if type_meta.get("kind") == "SelfSubjectAccessReview":
        spec_fields = fields((message.get(2) or [b""])[0])
        spec: dict[str, Any] = {}
        if 1 in spec_fields:
            spec["resourceAttributes"] = _strings(spec_fields[1][0], _RESOURCE)
        if 2 in spec_fields:
            spec["nonResourceAttributes"] = _strings(spec_fields[2][0], _NON_RESOURCE)
        obj["spec"] = spec
    return obj
