/**
 * Lays a pipeline DAG out with dagre: node boxes sized to their labels, edge routes as point lists.
 * Pure (no DOM, no JupyterLab) so it runs in node's test runner; the SVG drawing lives in svg.ts.
 */

import { graphlib, layout as dagreLayout } from '@dagrejs/dagre';

import { IDag } from './wire';

export const NODE_HEIGHT = 44;
const CHAR_WIDTH = 7.2;
const MIN_NODE_WIDTH = 120;
const MAX_LABEL_CHARS = 32;

export interface IPoint {
  x: number;
  y: number;
}

export interface ILaidOutNode {
  name: string;
  label: string;
  type: string;
  parent: string | null;
  branch: string | null;
  /** Centre of the box. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ILaidOutEdge {
  source: string;
  target: string;
  /** Every edge kind between the two nodes, e.g. ["depends_on", "property"]. */
  kinds: string[];
  points: IPoint[];
}

export interface IDagLayout {
  width: number;
  height: number;
  nodes: ILaidOutNode[];
  edges: ILaidOutEdge[];
}

export interface ILayoutOptions {
  direction?: 'TB' | 'LR';
  margin?: number;
}

/** A label no wider than the box allows, with an ellipsis when cut. */
export function truncateLabel(text: string, maxChars: number = MAX_LABEL_CHARS): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}\u2026`;
}

/** The box width a node needs for its name and type line. */
export function nodeWidth(name: string, type: string): number {
  const chars = Math.max(truncateLabel(name).length, truncateLabel(type).length);
  return Math.max(MIN_NODE_WIDTH, Math.ceil(chars * CHAR_WIDTH + 24));
}

/**
 * The edges worth drawing: both ends known, no self-loops, one edge per ordered pair carrying every kind
 * that links the pair (a step often both depends on and reads a property of the same step).
 */
export function drawableEdges(dag: IDag): { source: string; target: string; kinds: string[] }[] {
  const names = new Set(dag.nodes.map(node => node.name));
  const byPair = new Map<string, { source: string; target: string; kinds: string[] }>();
  for (const edge of dag.edges) {
    if (!names.has(edge.source) || !names.has(edge.target) || edge.source === edge.target) {
      continue;
    }
    const key = JSON.stringify([edge.source, edge.target]);
    const known = byPair.get(key);
    if (known) {
      if (!known.kinds.includes(edge.kind)) {
        known.kinds.push(edge.kind);
      }
    } else {
      byPair.set(key, { source: edge.source, target: edge.target, kinds: [edge.kind] });
    }
  }
  return [...byPair.values()];
}

/** Position every node and route every edge of the DAG. Duplicate node names keep their first entry. */
export function layoutDag(dag: IDag, options: ILayoutOptions = {}): IDagLayout {
  const margin = options.margin ?? 16;
  const graph = new graphlib.Graph({ multigraph: false, compound: false });
  graph.setGraph({
    rankdir: options.direction ?? 'TB',
    nodesep: 28,
    ranksep: 44,
    edgesep: 12,
    marginx: margin,
    marginy: margin
  });
  graph.setDefaultEdgeLabel(() => ({}));

  const nodes = new Map<string, ILaidOutNode>();
  for (const node of dag.nodes) {
    if (nodes.has(node.name)) {
      continue;
    }
    const type = node.type ?? '';
    const laid: ILaidOutNode = {
      name: node.name,
      label: truncateLabel(node.name),
      type: truncateLabel(type),
      parent: node.parent ?? null,
      branch: node.branch ?? null,
      x: 0,
      y: 0,
      width: nodeWidth(node.name, type),
      height: NODE_HEIGHT
    };
    nodes.set(node.name, laid);
    graph.setNode(node.name, { width: laid.width, height: laid.height });
  }
  const edges = drawableEdges(dag);
  for (const edge of edges) {
    graph.setEdge(edge.source, edge.target, {});
  }

  dagreLayout(graph);

  for (const laid of nodes.values()) {
    const placed = graph.node(laid.name);
    laid.x = placed.x ?? 0;
    laid.y = placed.y ?? 0;
  }
  const laidEdges: ILaidOutEdge[] = edges.map(edge => {
    const label = graph.edge(edge.source, edge.target) as { points?: IPoint[] } | undefined;
    const points = (label?.points ?? []).map(p => ({ x: p.x, y: p.y }));
    return { ...edge, points };
  });
  const size = graph.graph() as { width?: number; height?: number };
  return {
    width: Math.ceil(size.width ?? 0),
    height: Math.ceil(size.height ?? 0),
    nodes: [...nodes.values()],
    edges: laidEdges
  };
}

/** An SVG path through the points: straight first and last segments, smooth in between. */
export function edgePath(points: readonly IPoint[]): string {
  if (points.length === 0) {
    return '';
  }
  const fmt = (p: IPoint): string => `${p.x.toFixed(1)},${p.y.toFixed(1)}`;
  if (points.length < 3) {
    return `M${points.map(fmt).join(' L')}`;
  }
  let d = `M${fmt(points[0])}`;
  for (let i = 1; i < points.length - 1; i++) {
    const mid = { x: (points[i].x + points[i + 1].x) / 2, y: (points[i].y + points[i + 1].y) / 2 };
    d += ` Q${fmt(points[i])} ${fmt(i === points.length - 2 ? points[i + 1] : mid)}`;
  }
  return d;
}
