"""The DAG picture of one pipeline: laid out once, recoloured cheaply for every run snapshot.

It also carries the DAG wire shape, so a display can emit ``application/vnd.sagemaker-ack.dag+json``
for the JupyterLab extension with the SVG as the ``text/html`` fallback for every other front end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...core.dag import build_dag
from ...core.definition import Definition
from .layout import Layout, layout_dag
from .snapshots import progress, step_states
from .svg import render_svg

DAG_MIME = "application/vnd.sagemaker-ack.dag+json"
RUN_MIME = "application/vnd.sagemaker-ack.run+json"


class DagPicture:
    """Layout and wire shape of a pipeline's steps; :meth:`svg` colours them by a snapshot's step states."""

    def __init__(
        self,
        pipeline_name: str | None,
        nodes: Sequence[Mapping[str, Any]],
        edges: Sequence[Mapping[str, Any]],
    ) -> None:
        self.pipeline_name = pipeline_name
        self.nodes = [dict(n) for n in nodes]
        self.edges = [dict(e) for e in edges]
        self.types = {str(n["name"]): str(n.get("type") or "") for n in self.nodes}
        self.branches = {str(n["name"]): str(n["branch"]) for n in self.nodes if n.get("branch")}
        self._layout: Layout | None = None

    @classmethod
    def from_definition(cls, definition: Definition, pipeline_name: str | None = None) -> DagPicture:
        wire = build_dag(definition).to_wire(definition, pipeline_name)
        return cls(pipeline_name, wire["nodes"], wire["edges"])

    @classmethod
    def from_snapshot(cls, snapshot: Mapping[str, Any]) -> DagPicture:
        """Steps only, no edges: all that is known of a run whose definition is not at hand."""
        nodes = [
            {"name": s.get("name"), "type": s.get("type"), "parent": None, "branch": None}
            for s in snapshot.get("steps") or []
        ]
        return cls(snapshot.get("pipelineName"), nodes, [])

    @property
    def layout(self) -> Layout:
        if self._layout is None:
            self._layout = layout_dag(
                [str(n["name"]) for n in self.nodes],
                [(str(e["source"]), str(e["target"]), str(e.get("kind") or "")) for e in self.edges],
                self.types,
            )
        return self._layout

    def svg(self, snapshot: Mapping[str, Any] | None = None) -> str:
        names = [str(n["name"]) for n in self.nodes]
        return render_svg(self.layout, step_states(snapshot, names), self.types, self.branches)

    def progress(self, snapshot: Mapping[str, Any] | None) -> tuple[int, int]:
        """(done, total) as the extension counts it: a step in a branch not taken is done."""
        return progress(snapshot, len(self.nodes), self.nodes)

    def wire(self, snapshot: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The DAG wire shape, with ``run`` when there is a snapshot."""
        out: dict[str, Any] = {"pipelineName": self.pipeline_name, "nodes": self.nodes, "edges": self.edges}
        if snapshot is not None:
            out["run"] = dict(snapshot)
        return out
