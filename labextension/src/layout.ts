/**
 * Lays a pipeline DAG out by the package's one set of layout rules, which the Python static picture
 * (faces/display/layout.py) implements step for step (a test compares the two on the example pipelines):
 * ranks, order within ranks, positions, and edge routes that run through a free slot of every rank they
 * skip, so no edge crosses a box. A layered (Sugiyama) layout like dagre's, written out here because
 * dagre's straight long edges turn a 200-step pipeline into an 11,000 px staircase, and so that the
 * Python picture can follow the same rules. Pure (no DOM, no JupyterLab) so it runs in node's test
 * runner; the SVG drawing lives in dagview.ts.
 */

import { STATE_TABLE } from './statetable';
import { IDag } from './wire';

const SIZES = STATE_TABLE.layout;
export const NODE_HEIGHT = SIZES.nodeHeight;

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
   * slot kept free for it, enters the target's top. Only the stretches between ranks bend.
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

/** A step, or the slot an edge takes in a rank it skips (`edge` set, no size). */
interface IItem {
  key: string;
  rank: number;
  /** Size across the ranks (width top to bottom) and along them (height top to bottom). */
  cross: number;
  along: number;
  edge: string | null;
  up: IItem[];
  down: IItem[];
  x: number;
  pos: number;
}

const SWEEPS = 4;

function separation(a: IItem, b: IItem): number {
  const gapA = a.edge ? SIZES.edgeSep : SIZES.nodeSep;
  const gapB = b.edge ? SIZES.edgeSep : SIZES.nodeSep;
  return a.cross / 2 + gapA / 2 + gapB / 2 + b.cross / 2;
}

/** Barycentre sweeps, down then up: each item moves to the mean position of its neighbours. */
function orderRows(rows: IItem[][]): void {
  const reorder = (row: IItem[], side: 'up' | 'down'): void => {
    const key = new Map(
      row.map(item => {
        const near = item[side];
        return [item, near.length ? near.reduce((sum, n) => sum + n.pos, 0) / near.length : item.pos];
      })
    );
    row.sort((a, b) => key.get(a)! - key.get(b)! || a.pos - b.pos);
    row.forEach((item, i) => (item.pos = i));
  };
  rows.forEach(row => row.forEach((item, i) => (item.pos = i)));
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    rows.slice(1).forEach(row => reorder(row, 'up'));
    rows.slice(0, -1).reverse().forEach(row => reorder(row, 'down'));
  }
}

/** Position across the ranks: packed, then pulled towards the neighbours' mean while keeping the gaps. */
function placeRows(rows: IItem[][]): void {
  const settle = (row: IItem[], desired: number[]): void => {
    const left = [...desired];
    for (let i = 1; i < row.length; i++) {
      left[i] = Math.max(desired[i], left[i - 1] + separation(row[i - 1], row[i]));
    }
    const right = [...desired];
    for (let i = row.length - 2; i >= 0; i--) {
      right[i] = Math.min(desired[i], right[i + 1] - separation(row[i], row[i + 1]));
    }
    row.forEach((item, i) => (item.x = (left[i] + right[i]) / 2)); // both keep every gap, so does the mean
  };
  rows.forEach(row => settle(row, row.map(() => 0)));
  for (let sweep = 0; sweep < 2 * SWEEPS; sweep++) {
    const side = sweep % 2 === 0 ? 'up' : 'down';
    const ordered = sweep % 2 === 0 ? rows.slice(1) : rows.slice(0, -1).reverse();
    for (const row of ordered) {
      settle(
        row,
        row.map(item => {
          const near = item[side];
          return near.length ? near.reduce((sum, n) => sum + n.x, 0) / near.length : item.x;
        })
      );
    }
  }
}

/**
 * Position every node and route every edge of the DAG. The rules are those of the Python static picture
 * (faces/display/layout.py), step for step, so both draw the same picture: ranks by rankSteps, a slot for
 * an edge in every rank it skips, order by barycentre sweeps, positions pulled towards the neighbours.
 * Duplicate node names keep their first entry.
 */
export function layoutDag(dag: IDag, options: ILayoutOptions = {}): IDagLayout {
  const margin = options.margin ?? SIZES.margin;
  const direction = options.direction ?? 'TB';
  const tb = direction === 'TB';
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
  const isBack = (edge: { source: string; target: string }): boolean => back.has(`${edge.source}\u0000${edge.target}`);

  const items = new Map<string, IItem>();
  const rows: IItem[][] = Array.from({ length: nodes.size ? Math.max(...ranks.values()) + 1 : 0 }, () => []);
  for (const laid of nodes.values()) {
    laid.rank = ranks.get(laid.name) ?? 0;
    const item: IItem = {
      key: laid.name,
      rank: laid.rank,
      cross: tb ? laid.width : laid.height,
      along: tb ? laid.height : laid.width,
      edge: null,
      up: [],
      down: [],
      x: 0,
      pos: 0
    };
    items.set(laid.name, item);
    rows[laid.rank].push(item);
  }
  const chains = new Map<string, IItem[]>();
  for (const edge of edges) {
    if (isBack(edge)) {
      continue;
    }
    const key = `${edge.source}\u0000${edge.target}`;
    let previous = items.get(edge.source)!;
    const chain: IItem[] = [];
    for (let rank = previous.rank + 1; rank < items.get(edge.target)!.rank; rank++) {
      const slot: IItem = { key: `${key}\u0000${rank}`, rank, cross: 0, along: 0, edge: key, up: [previous], down: [], x: 0, pos: 0 };
      rows[rank].push(slot);
      chain.push(slot);
      previous.down.push(slot);
      previous = slot;
    }
    previous.down.push(items.get(edge.target)!);
    items.get(edge.target)!.up.push(previous);
    chains.set(key, chain);
  }
  orderRows(rows);
  placeRows(rows);

  const everything = rows.flat();
  const low = Math.min(...everything.map(i => i.x - i.cross / 2));
  const high = Math.max(...everything.map(i => i.x + i.cross / 2));
  const shift = margin - low;
  const depths = rows.map(row => Math.max(0, ...row.map(i => i.along)));
  const centres: number[] = [];
  let at = margin;
  for (const depth of depths) {
    centres.push(at + depth / 2);
    at += depth + SIZES.rankSep;
  }
  for (const laid of nodes.values()) {
    const across = items.get(laid.name)!.x + shift;
    const along = centres[laid.rank];
    laid.x = tb ? across : along;
    laid.y = tb ? along : across;
  }
  const point = (along: number, across: number): IPoint => (tb ? { x: across, y: along } : { x: along, y: across });
  const laidEdges: ILaidOutEdge[] = edges.map(edge => {
    const source = nodes.get(edge.source)!;
    const target = nodes.get(edge.target)!;
    if (isBack(edge)) {
      return { ...edge, back: true, points: backRoute(source, target, direction) };
    }
    const points = [point(centres[source.rank] + depths[source.rank] / 2, tb ? source.x : source.y)];
    for (const slot of chains.get(`${edge.source}\u0000${edge.target}`)!) {
      const across = slot.x + shift;
      points.push(point(centres[slot.rank] - depths[slot.rank] / 2, across), point(centres[slot.rank] + depths[slot.rank] / 2, across));
    }
    points.push(point(centres[target.rank] - depths[target.rank] / 2, tb ? target.x : target.y));
    return { ...edge, back: false, points };
  });
  const crossExtent = Math.ceil(high - low + 2 * margin + (back.size ? 48 : 0));
  const alongExtent = Math.ceil(at - SIZES.rankSep + margin);
  return {
    width: nodes.size ? (tb ? crossExtent : alongExtent) : 0,
    height: nodes.size ? (tb ? alongExtent : crossExtent) : 0,
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
