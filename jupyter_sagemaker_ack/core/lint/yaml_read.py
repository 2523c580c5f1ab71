"""A position-aware, safe YAML read: documents, the node of every value, and parse errors with position.

Documents are composed and constructed by PyYAML's safe loader; the node tree is kept beside each value so
any path can be turned back into ``line:column``. When the text does not parse, the text-level repairs of
:mod:`.yaml_text` are tried so that one broken line does not hide every other problem of the file.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..bounded import ReaderLimit, check_yaml
from .findings import Finding, finding
from .positions import JsonPath, Position
from .scalars import scalar_offsets
from .yaml_text import Repair, repair_text

# The C build of the same safe loader when PyYAML has it: same documents, same marks, much faster.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlDocument:
    """One document of a YAML stream, with its nodes for positions."""

    value: Any
    node: yaml.Node | None
    file: str | None
    index: int
    text: str = ""
    to_original: Callable[[int, int], Position] = field(default=lambda line, column: (line + 1, column + 1))
    _scalar_cache: dict[JsonPath, Callable[[int], Position | None]] = field(default_factory=dict, repr=False)

    def node_at(self, path: JsonPath) -> tuple[yaml.Node | None, yaml.Node | None]:
        """(key node, value node) of ``path``; the deepest existing ancestor when the path is absent."""
        node = self.node
        key_node: yaml.Node | None = None
        for part in path:
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == part:
                        key_node, node = k, v
                        break
                else:
                    return key_node, node
            elif (
                isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value)
            ):
                key_node, node = None, node.value[part]
            else:
                return key_node, node
        return key_node, node

    def position(self, path: JsonPath, *, key: bool = False, within: int | None = None) -> Position | None:
        if within is not None and not key:
            return self.scalar_position(path)(within)
        key_node, value_node = self.node_at(path)
        target = key_node if key and key_node is not None else value_node
        if target is None:
            return None
        mark = target.start_mark
        return self.to_original(mark.line, mark.column)

    def scalar_position(self, path: JsonPath) -> Callable[[int], Position | None]:
        """A function from offsets in the string value at ``path`` to positions in the file."""
        cached = self._scalar_cache.get(path)
        if cached is None:
            cached = self._scalar_cache[path] = self._scalar_position(path)
        return cached

    def _scalar_position(self, path: JsonPath) -> Callable[[int], Position | None]:
        _, node = self.node_at(path)
        fallback = self.position(path)
        if not isinstance(node, yaml.ScalarNode):
            return lambda offset: fallback
        mapping: list[tuple[int, int]] | None = None

        def to_position(offset: int) -> Position | None:
            nonlocal mapping
            if mapping is None:
                mapping = scalar_offsets(self.text, node) or []
            if not mapping:
                return fallback
            line0, column0 = mapping[min(max(offset, 0), len(mapping) - 1)]
            return self.to_original(line0, column0)

        return to_position


@dataclass
class YamlRead:
    documents: list[YamlDocument]
    findings: list[Finding]


def read_yaml(text: str, filename: str | None = None) -> YamlRead:
    """All documents of ``text`` with positions, or findings saying why (and where) it does not parse.

    A stream past the reader limits (aliases, expanded values, depth: :mod:`..bounded`) is one finding,
    before anything is built from it.
    """
    try:
        check_yaml(text, allow_recursive=True)
    except ReaderLimit as limit:
        return YamlRead([], [_limit_finding(limit, filename, limit.line, limit.column)])
    try:
        documents = _compose(text, filename, Repair(text))
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as first_error:
        repair = repair_text(text, filename)
        if repair.changed:
            try:
                check_yaml(repair.text, allow_recursive=True)
                documents = _compose(repair.text, filename, repair)
            except (yaml.YAMLError, RecursionError, ValueError, TypeError, ReaderLimit) as error:
                return YamlRead([], [*repair.findings, _syntax_finding(error, filename, repair)])
            return YamlRead(documents, [*repair.findings, *_value_findings(repair.text, documents)])
        return YamlRead([], [_syntax_finding(first_error, filename, Repair(text))])
    return YamlRead(documents, _value_findings(text, documents))


def _limit_finding(limit: ReaderLimit, filename: str | None, line: int, column: int) -> Finding:
    """The reader's refusal as it words it, the limit and what to change (the fix names the limit)."""
    return finding("SMA103", f"{limit.problem} {limit.fix}", file=filename, line=line, column=column)


def _value_findings(text: str, documents: list[YamlDocument]) -> list[Finding]:
    """What parses as YAML but cannot be sent as JSON: a value that contains itself, NaN and Infinity.

    Both are refusals of the reader (kubectl and every JSON body refuse them), not rule findings.
    """
    found: list[Finding] = []
    try:
        check_yaml(text)
    except ReaderLimit as limit:  # only the recursive alias passes the first, permissive check
        document = documents[0] if documents else None
        found.append(_limit_finding(limit, document.file if document else None, limit.line, limit.column))
    for document in documents:
        found.extend(_non_json_numbers(document))
    return found


_FLOAT_TAG = "tag:yaml.org,2002:float"


def _non_json_numbers(document: YamlDocument) -> list[Finding]:
    found: list[Finding] = []
    seen: set[int] = set()
    stack: list[yaml.Node] = [document.node] if document.node is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.ScalarNode) and node.tag == _FLOAT_TAG and not _finite(node.value):
            line, column = document.to_original(node.start_mark.line, node.start_mark.column)
            found.append(
                finding(
                    "SMA103",
                    f"The YAML holds {node.value[:40]}, which is not a JSON number.",
                    hint="Replace it with a finite number or a string; SageMaker and Kubernetes take JSON only.",
                    file=document.file,
                    line=line,
                    column=column,
                )
            )
    return found


def _finite(text: str) -> bool:
    bare = text.lstrip("+-").lower()
    if bare in (".inf", ".nan"):
        return False
    try:
        return math.isfinite(float(text.replace("_", "")))
    except ValueError:  # a form float() does not take (e.g. sexagesimal 1:30.5): finite by construction
        return True


def _compose(text: str, filename: str | None, repair: Repair) -> list[YamlDocument]:
    loader = _SafeLoader(text)
    documents: list[YamlDocument] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            value = loader.construct_document(node)
            documents.append(
                YamlDocument(value, node, filename, len(documents), text=text, to_original=repair.original)
            )
    finally:
        loader.dispose()
    return documents


def _syntax_finding(error: BaseException, filename: str | None, repair: Repair) -> Finding:
    if isinstance(error, ReaderLimit):
        line, column = repair.original(error.line - 1, error.column - 1)
        return _limit_finding(error, filename, line, column)
    if isinstance(error, RecursionError):
        return finding("SMA103", "The YAML nests too deeply to read.", file=filename, line=1, column=1)
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or (str(error).splitlines() or ["unreadable"])[0]
    context = getattr(error, "context", None)
    message = f"The YAML cannot be read: {problem}"
    if context:
        message += f" ({context})"
    if mark is None:
        return finding("SMA103", message + ".", file=filename, line=1, column=1)
    line, column = repair.original(mark.line, mark.column)
    return finding("SMA103", message + ".", file=filename, line=line, column=column)


def duplicate_keys(document: YamlDocument) -> list[Finding]:
    """Keys that appear twice in one mapping: the safe loader keeps the last one without a word."""
    found: list[Finding] = []
    seen_nodes: set[int] = set()
    stack: list[yaml.Node] = [document.node] if document.node is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen and key.value != "<<":
                        line, column = document.to_original(key.start_mark.line, key.start_mark.column)
                        found.append(
                            finding(
                                "SMA105",
                                f"The key '{key.value}' appears more than once in the same mapping.",
                                file=document.file,
                                line=line,
                                column=column,
                            )
                        )
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return found
