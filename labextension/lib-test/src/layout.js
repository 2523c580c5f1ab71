"use strict";
/**
 * Lays a pipeline DAG out with dagre: node boxes sized to their labels, edge routes as point lists.
 * Pure (no DOM, no JupyterLab) so it runs in node's test runner; the SVG drawing lives in svg.ts.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.NODE_HEIGHT = void 0;
exports.truncateLabel = truncateLabel;
exports.nodeWidth = nodeWidth;
exports.drawableEdges = drawableEdges;
exports.layoutDag = layoutDag;
exports.edgePath = edgePath;
const dagre_1 = require("@dagrejs/dagre");
exports.NODE_HEIGHT = 44;
const CHAR_WIDTH = 7.2;
const MIN_NODE_WIDTH = 120;
const MAX_LABEL_CHARS = 32;
/** A label no wider than the box allows, with an ellipsis when cut. */
function truncateLabel(text, maxChars = MAX_LABEL_CHARS) {
    return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}\u2026`;
}
/** The box width a node needs for its name and type line. */
function nodeWidth(name, type) {
    const chars = Math.max(truncateLabel(name).length, truncateLabel(type).length);
    return Math.max(MIN_NODE_WIDTH, Math.ceil(chars * CHAR_WIDTH + 24));
}
/**
 * The edges worth drawing: both ends known, no self-loops, one edge per ordered pair carrying every kind
 * that links the pair (a step often both depends on and reads a property of the same step).
 */
function drawableEdges(dag) {
    const names = new Set(dag.nodes.map(node => node.name));
    const byPair = new Map();
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
        }
        else {
            byPair.set(key, { source: edge.source, target: edge.target, kinds: [edge.kind] });
        }
    }
    return [...byPair.values()];
}
/** Position every node and route every edge of the DAG. Duplicate node names keep their first entry. */
function layoutDag(dag, options = {}) {
    const margin = options.margin ?? 16;
    const graph = new dagre_1.graphlib.Graph({ multigraph: false, compound: false });
    graph.setGraph({
        rankdir: options.direction ?? 'TB',
        nodesep: 28,
        ranksep: 44,
        edgesep: 12,
        marginx: margin,
        marginy: margin
    });
    graph.setDefaultEdgeLabel(() => ({}));
    const nodes = new Map();
    for (const node of dag.nodes) {
        if (nodes.has(node.name)) {
            continue;
        }
        const type = node.type ?? '';
        const laid = {
            name: node.name,
            label: truncateLabel(node.name),
            type: truncateLabel(type),
            parent: node.parent ?? null,
            branch: node.branch ?? null,
            x: 0,
            y: 0,
            width: nodeWidth(node.name, type),
            height: exports.NODE_HEIGHT
        };
        nodes.set(node.name, laid);
        graph.setNode(node.name, { width: laid.width, height: laid.height });
    }
    const edges = drawableEdges(dag);
    for (const edge of edges) {
        graph.setEdge(edge.source, edge.target, {});
    }
    (0, dagre_1.layout)(graph);
    for (const laid of nodes.values()) {
        const placed = graph.node(laid.name);
        laid.x = placed.x ?? 0;
        laid.y = placed.y ?? 0;
    }
    const laidEdges = edges.map(edge => {
        const label = graph.edge(edge.source, edge.target);
        const points = (label?.points ?? []).map(p => ({ x: p.x, y: p.y }));
        return { ...edge, points };
    });
    const size = graph.graph();
    return {
        width: Math.ceil(size.width ?? 0),
        height: Math.ceil(size.height ?? 0),
        nodes: [...nodes.values()],
        edges: laidEdges
    };
}
/** An SVG path through the points: straight first and last segments, smooth in between. */
function edgePath(points) {
    if (points.length === 0) {
        return '';
    }
    const fmt = (p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`;
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
