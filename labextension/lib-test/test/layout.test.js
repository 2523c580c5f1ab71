"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const strict_1 = __importDefault(require("node:assert/strict"));
const node_test_1 = require("node:test");
const layout_1 = require("../src/layout");
const DIAMOND = {
    pipelineName: 'p',
    nodes: [
        { name: 'Prep', type: 'Processing' },
        { name: 'Train', type: 'Training' },
        { name: 'Tune', type: 'Tuning' },
        { name: 'Check', type: 'Condition' },
        { name: 'Register', type: 'RegisterModel', parent: 'Check', branch: 'if' },
        { name: 'Fail', type: 'Fail', parent: 'Check', branch: 'else' }
    ],
    edges: [
        { source: 'Prep', target: 'Train', kind: 'depends_on' },
        { source: 'Prep', target: 'Train', kind: 'property' },
        { source: 'Prep', target: 'Tune', kind: 'property' },
        { source: 'Train', target: 'Check', kind: 'property' },
        { source: 'Tune', target: 'Check', kind: 'depends_on' },
        { source: 'Check', target: 'Register', kind: 'condition_if' },
        { source: 'Check', target: 'Fail', kind: 'condition_else' }
    ]
};
function node(layout, name) {
    const found = layout.nodes.find(n => n.name === name);
    strict_1.default.ok(found, `node ${name} laid out`);
    return found;
}
(0, node_test_1.test)('top to bottom: every edge points down, from an earlier rank to a later one', () => {
    const layout = (0, layout_1.layoutDag)(DIAMOND);
    for (const edge of layout.edges) {
        strict_1.default.ok(node(layout, edge.source).y < node(layout, edge.target).y, `${edge.source} above ${edge.target}`);
    }
});
(0, node_test_1.test)('no two boxes overlap and all fit in the picture', () => {
    const layout = (0, layout_1.layoutDag)(DIAMOND);
    for (const a of layout.nodes) {
        strict_1.default.ok(a.x - a.width / 2 >= 0 && a.x + a.width / 2 <= layout.width);
        strict_1.default.ok(a.y - a.height / 2 >= 0 && a.y + a.height / 2 <= layout.height);
        for (const b of layout.nodes) {
            if (a === b) {
                continue;
            }
            const apart = Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
            strict_1.default.ok(apart, `${a.name} and ${b.name} overlap`);
        }
    }
});
(0, node_test_1.test)('left to right puts successors to the right', () => {
    const layout = (0, layout_1.layoutDag)(DIAMOND, { direction: 'LR' });
    strict_1.default.ok(node(layout, 'Prep').x < node(layout, 'Train').x);
    strict_1.default.ok(node(layout, 'Check').x < node(layout, 'Fail').x);
});
(0, node_test_1.test)('edges of several kinds between two steps are drawn once, with every kind', () => {
    const edges = (0, layout_1.drawableEdges)(DIAMOND);
    const prepTrain = edges.filter(e => e.source === 'Prep' && e.target === 'Train');
    strict_1.default.equal(prepTrain.length, 1);
    strict_1.default.deepEqual(prepTrain[0].kinds, ['depends_on', 'property']);
    strict_1.default.equal(edges.length, 6);
});
(0, node_test_1.test)('edges to unknown steps and self-loops are left out instead of breaking the picture', () => {
    const dag = {
        nodes: [{ name: 'A' }, { name: 'B' }],
        edges: [
            { source: 'A', target: 'B', kind: 'depends_on' },
            { source: 'A', target: 'Ghost', kind: 'depends_on' },
            { source: 'B', target: 'B', kind: 'property' }
        ]
    };
    const layout = (0, layout_1.layoutDag)(dag);
    strict_1.default.equal(layout.edges.length, 1);
    strict_1.default.ok(layout.edges[0].points.length >= 2);
});
(0, node_test_1.test)('a cycle still lays out (the linter reports it; the picture must not hang)', () => {
    const dag = {
        nodes: [{ name: 'A' }, { name: 'B' }],
        edges: [
            { source: 'A', target: 'B', kind: 'depends_on' },
            { source: 'B', target: 'A', kind: 'depends_on' }
        ]
    };
    const layout = (0, layout_1.layoutDag)(dag);
    strict_1.default.equal(layout.nodes.length, 2);
    strict_1.default.equal(layout.edges.length, 2);
});
(0, node_test_1.test)('an empty DAG gives an empty picture', () => {
    const layout = (0, layout_1.layoutDag)({ nodes: [], edges: [] });
    strict_1.default.equal(layout.nodes.length, 0);
});
(0, node_test_1.test)('long names are cut with an ellipsis and boxes widen up to a limit', () => {
    strict_1.default.equal((0, layout_1.truncateLabel)('short'), 'short');
    const long = 'x'.repeat(80);
    strict_1.default.equal((0, layout_1.truncateLabel)(long).length, 32);
    strict_1.default.ok((0, layout_1.truncateLabel)(long).endsWith('\u2026'));
    strict_1.default.equal((0, layout_1.nodeWidth)('a', ''), 120);
    strict_1.default.ok((0, layout_1.nodeWidth)(long, '') > 200 && (0, layout_1.nodeWidth)(long, '') === (0, layout_1.nodeWidth)(long + 'more', ''));
});
(0, node_test_1.test)('edge paths start at the first point and pass through the last', () => {
    strict_1.default.equal((0, layout_1.edgePath)([]), '');
    strict_1.default.equal((0, layout_1.edgePath)([{ x: 0, y: 0 }, { x: 10, y: 20 }]), 'M0.0,0.0 L10.0,20.0');
    const curved = (0, layout_1.edgePath)([{ x: 0, y: 0 }, { x: 5, y: 10 }, { x: 10, y: 20 }]);
    strict_1.default.ok(curved.startsWith('M0.0,0.0 Q'));
    strict_1.default.ok(curved.endsWith('10.0,20.0'));
});
(0, node_test_1.test)('a 200-step pipeline lays out', () => {
    const nodes = Array.from({ length: 200 }, (_, i) => ({ name: `step-${i}` }));
    const edges = nodes.slice(1).map((n, i) => ({ source: `step-${Math.floor(i / 2)}`, target: n.name, kind: 'depends_on' }));
    const layout = (0, layout_1.layoutDag)({ nodes, edges });
    strict_1.default.equal(layout.nodes.length, 200);
    strict_1.default.equal(layout.edges.length, 199);
});
