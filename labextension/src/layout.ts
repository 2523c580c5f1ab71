/**
 * Lays a pipeline DAG out: ranks by the package's one ranking rule (the Python static picture implements the
 * same rule in faces/display/layout.py, and a test compares the two), order and coordinates by dagre, and
 * edge routes that never cross a box. Pure (no DOM, no JupyterLab) so it runs in node's test runner; the
 * SVG drawing lives in dagview.ts.
 */

import { graphlib, layout as dagreLayout } from '@dagrejs/dagre';

import { STATE_TABLE } from './statetable';
import { IDag } from './wire';

const SIZES = STATE_TABLE.layout;
export const NODE_HEIGHT = SIZES.nodeHeight;
const BIG_DAG_STEPS = 100;

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
  rank: number;
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
  /**
   * The route: leaves the source's bottom (right, left to right), crosses each rank it skips through a free
   * slot dagre reserved for it, enters the target's top. Only the stretches between ranks bend.
   */
  points: IPoint[];
  /** True for an edge that closes a cycle (only in a definition lint rejects); drawn beside the boxes. */
  back: boolean;
}

export interface IDagLayout {
  width: number;
  height: number;
  direction: 'TB' | 'LR';
  nodes: ILaidOutNode[];
  edges: ILaidOutEdge[];
}

export interface ILayoutOptions {
  direction?: 'TB' | 'LR';
  margin?: number;
}

/** A label no wider than the box allows, with an ellipsis when cut. */
export function truncateLabel(text: string, maxChars: number = SIZES.maxLabelChars): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}\u2026`;
}

/** The box width a node needs for its name and its second line (type, or icon and state under a run). */
export function nodeWidth(name: string, type: string): number {
  const nameWidth = truncateLabel(name).length * SIZES.nameCharWidth;
  const lineWidth = Math.max(truncateLabel(type).length, SIZES.minLineChars) * SIZES.lineCharWidth;
  return Math.max(SIZES.minNodeWidth, Math.ceil(Math.max(nameWidth, lineWidth) + SIZES.padding));
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

/**
 * The ranking rule, the same in the Python static picture (faces/display/layout.py: rank_steps):
 * 1. edges that close a cycle are set aside (depth-first from each step in definition order, successors in
 *    edge order; an edge to a step still on the path closes a cycle);
 * 2. every step sits one rank below its deepest predecessor (sources at rank 0);
 * 3. a source with successors moves down to just above its nearest successor, so a step that only feeds
 *    the end of a pipeline is drawn there rather than at the top with an edge across the whole picture.
 * Returns the rank of every step and the set aside edges as `source\u0000target` keys.
 */
export function rankSteps(
  names: readonly string[],
  edges: readonly { source: string; target: string }[]
): { ranks: Map<string, number>; back: Set<string> } {
  const successors = new Map<string, string[]>(names.map(name => [name, []]));
  for (const edge of edges) {
    if (successors.has(edge.source) && successors.has(edge.target) && edge.source !== edge.target) {
      successors.get(edge.source)!.push(edge.target);
    }
  }
  const back = new Set<string>();
  const done = new Set<string>();
  const onPath = new Set<string>();
  const order: string[] = [];
  for (const start of names) {
    if (done.has(start)) {
      continue;
    }
    const stack: [string, number][] = [[start, 0]];
    onPath.add(start);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const next = successors.get(top[0])![top[1]++];
      if (next === undefined) {
        stack.pop();
        onPath.delete(top[0]);
        done.add(top[0]);
        order.push(top[0]);
      } else if (onPath.has(next)) {
        back.add(`${top[0]}\u0000${next}`);
      } else if (!done.has(next)) {
        onPath.add(next);
        stack.push([next, 0]);
      }
    }
  }
  order.reverse(); // a topological order of the forward edges
  const predecessors = new Map<string, string[]>(names.map(name => [name, []]));
  for (const [source, targets] of successors) {
    for (const target of targets) {
      if (!back.has(`${source}\u0000${target}`)) {
        predecessors.get(target)!.push(source);
      }
    }
  }
  const ranks = new Map<string, number>();
  for (const name of order) {
    const above = predecessors.get(name)!.map(p => ranks.get(p)!);
    ranks.set(name, above.length ? Math.max(...above) + 1 : 0);
  }
  for (const name of names) {
    const below = successors
      .get(name)!
      .filter(target => !back.has(`${name}\u0000${target}`))
      .map(target => ranks.get(target)!);
    if (predecessors.get(name)!.length === 0 && below.length) {
      ranks.set(name, Math.min(...below) - 1);
    }
  }
  return { ranks, back };
}

/**
 * The route of a forward edge from its source box to its target box through dagre's slot points: a straight
 * stretch through every rank the edge skips (the slot dagre kept free there), bends only between ranks.
 * `bands` maps the centre of each rank (y top to bottom, x left to right) to half its depth.
 */
export function routeEdge(
  source: ILaidOutNode,
  target: ILaidOutNode,
  slots: readonly IPoint[],
  bands: ReadonlyMap<number, number>,
  direction: 'TB' | 'LR'
): IPoint[] {
  const tb = direction === 'TB';
  const along = (p: IPoint): number => (tb ? p.y : p.x);
  const side = (p: IPoint): number => (tb ? p.x : p.y);
  const point = (a: number, s: number): IPoint => (tb ? { x: s, y: a } : { x: a, y: s });
  const half = (node: ILaidOutNode): number => (tb ? node.height : node.width) / 2;
  const route: IPoint[] = [point(along(source) + half(source), side(source))];
  for (const slot of slots) {
    const centre = [...bands.keys()].find(c => Math.abs(c - along(slot)) < 0.5);
    if (centre === undefined || centre <= along(source) || centre >= along(target)) {
      continue; // a point between ranks: the bend is drawn there anyway
    }
    const depth = bands.get(centre)!;
    route.push(point(centre - depth, side(slot)), point(centre + depth, side(slot)));
  }
  route.push(point(along(target) - half(target), side(target)));
  return route;
}

/** Position every node and route every edge of the DAG. Duplicate node names keep their first entry. */
export function layoutDag(dag: IDag, options: ILayoutOptions = {}): IDagLayout {
  const margin = options.margin ?? SIZES.margin;
  const direction = options.direction ?? 'TB';
  const graph = new graphlib.Graph({ multigraph: false, compound: false });
  graph.setGraph({
    rankdir: direction,
    ranker: 'none',
    nodesep: SIZES.nodeSep,
    ranksep: SIZES.rankSep,
    edgesep: SIZES.edgeSep,
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
    nodes.set(node.name, {
      name: node.name,
      label: truncateLabel(node.name),
      type: truncateLabel(type),
      parent: node.parent ?? null,
      branch: node.branch ?? null,
      rank: 0,
      x: 0,
      y: 0,
      width: nodeWidth(node.name, type),
      height: NODE_HEIGHT
    });
  }
  const edges = drawableEdges(dag);
  const { ranks, back } = rankSteps([...nodes.keys()], edges);
  for (const laid of nodes.values()) {
    laid.rank = ranks.get(laid.name) ?? 0;
    // dagre leaves a rank between two ranks of steps for the bends (its minlen 2 for edge labels)
    graph.setNode(laid.name, { width: laid.width, height: laid.height, rank: 2 * laid.rank });
  }
  const isBack = (edge: { source: string; target: string }): boolean => back.has(`${edge.source}\u0000${edge.target}`);
  for (const edge of edges) {
    if (!isBack(edge)) {
      graph.setEdge(edge.source, edge.target, {});
    }
  }

  if (nodes.size) {
    // dagre's extra ordering passes cost more than they gain past ~100 steps (half the time at 200)
    dagreLayout(graph, { disableOptimalOrderHeuristic: nodes.size > BIG_DAG_STEPS });
  }

  for (const laid of nodes.values()) {
    const placed = graph.node(laid.name);
    laid.x = placed.x ?? 0;
    laid.y = placed.y ?? 0;
  }
  const tb = direction === 'TB';
  const bands = new Map<number, number>();
  for (const n of nodes.values()) {
    const centre = tb ? n.y : n.x;
    bands.set(centre, Math.max(bands.get(centre) ?? 0, (tb ? n.height : n.width) / 2));
  }
  const laidEdges: ILaidOutEdge[] = edges.map(edge => {
    const source = nodes.get(edge.source)!;
    const target = nodes.get(edge.target)!;
    if (isBack(edge)) {
      return { ...edge, back: true, points: backRoute(source, target, direction) };
    }
    const label = graph.edge(edge.source, edge.target) as { points?: IPoint[] } | undefined;
    const slots = (label?.points ?? []).slice(1, -1);
    return { ...edge, back: false, points: routeEdge(source, target, slots, bands, direction) };
  });
  const size = graph.graph() as { width?: number; height?: number };
  let width = Math.ceil(size.width ?? 0);
  if (laidEdges.some(e => e.back)) {
    width += 48; // back edges bulge out to the right
  }
  return {
    width: nodes.size ? width : 0,
    height: nodes.size ? Math.ceil(size.height ?? 0) : 0,
    direction,
    nodes: [...nodes.values()],
    edges: laidEdges
  };
}

function backRoute(source: ILaidOutNode, target: ILaidOutNode, direction: 'TB' | 'LR'): IPoint[] {
  if (direction === 'TB') {
    return [
      { x: source.x + source.width / 2, y: source.y },
      { x: Math.max(source.x + source.width / 2, target.x + target.width / 2) + 40, y: (source.y + target.y) / 2 },
      { x: target.x + target.width / 2, y: target.y }
    ];
  }
  return [
    { x: source.x, y: source.y + source.height / 2 },
    { x: (source.x + target.x) / 2, y: Math.max(source.y, target.y) + source.height / 2 + 40 },
    { x: target.x, y: target.y + target.height / 2 }
  ];
}

const fmt = (p: IPoint): string => `${p.x.toFixed(1)},${p.y.toFixed(1)}`;

/** An SVG path through any points: straight first and last segments, smooth in between. */
export function edgePath(points: readonly IPoint[]): string {
  if (points.length === 0) {
    return '';
  }
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

/**
 * The SVG path of a routed edge (see routeEdge): S-bends between ranks, whose control points stay between
 * the ranks so the curve cannot touch a box, and straight runs through the ranks it skips.
 */
export function routedPath(points: readonly IPoint[], direction: 'TB' | 'LR' = 'TB'): string {
  if (points.length === 0) {
    return '';
  }
  let d = `M${fmt(points[0])}`;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    if (i % 2 === 0) {
      d += ` L${fmt(b)}`; // through a rank, in the slot kept free for this edge
    } else if (direction === 'TB') {
      const mid = (a.y + b.y) / 2;
      d += ` C${fmt({ x: a.x, y: mid })} ${fmt({ x: b.x, y: mid })} ${fmt(b)}`;
    } else {
      const mid = (a.x + b.x) / 2;
      d += ` C${fmt({ x: mid, y: a.y })} ${fmt({ x: mid, y: b.y })} ${fmt(b)}`;
    }
  }
  return d;
}

/** The path of any laid out edge. */
export function pathOf(edge: ILaidOutEdge, direction: 'TB' | 'LR' = 'TB'): string {
  return edge.back ? edgePath(edge.points) : routedPath(edge.points, direction);
}
