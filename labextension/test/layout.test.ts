import assert from 'node:assert/strict';
import { test } from 'node:test';

import { drawableEdges, edgePath, layoutDag, nodeWidth, truncateLabel } from '../src/layout';
import { IDag } from '../src/wire';

const DIAMOND: IDag = {
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

function node(layout: ReturnType<typeof layoutDag>, name: string) {
  const found = layout.nodes.find(n => n.name === name);
  assert.ok(found, `node ${name} laid out`);
  return found;
}

test('top to bottom: every edge points down, from an earlier rank to a later one', () => {
  const layout = layoutDag(DIAMOND);
  for (const edge of layout.edges) {
    assert.ok(node(layout, edge.source).y < node(layout, edge.target).y, `${edge.source} above ${edge.target}`);
  }
});

test('no two boxes overlap and all fit in the picture', () => {
  const layout = layoutDag(DIAMOND);
  for (const a of layout.nodes) {
    assert.ok(a.x - a.width / 2 >= 0 && a.x + a.width / 2 <= layout.width);
    assert.ok(a.y - a.height / 2 >= 0 && a.y + a.height / 2 <= layout.height);
    for (const b of layout.nodes) {
      if (a === b) {
        continue;
      }
      const apart =
        Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
      assert.ok(apart, `${a.name} and ${b.name} overlap`);
    }
  }
});

test('left to right puts successors to the right', () => {
  const layout = layoutDag(DIAMOND, { direction: 'LR' });
  assert.ok(node(layout, 'Prep').x < node(layout, 'Train').x);
  assert.ok(node(layout, 'Check').x < node(layout, 'Fail').x);
});

test('edges of several kinds between two steps are drawn once, with every kind', () => {
  const edges = drawableEdges(DIAMOND);
  const prepTrain = edges.filter(e => e.source === 'Prep' && e.target === 'Train');
  assert.equal(prepTrain.length, 1);
  assert.deepEqual(prepTrain[0].kinds, ['depends_on', 'property']);
  assert.equal(edges.length, 6);
});

test('edges to unknown steps and self-loops are left out instead of breaking the picture', () => {
  const dag: IDag = {
    nodes: [{ name: 'A' }, { name: 'B' }],
    edges: [
      { source: 'A', target: 'B', kind: 'depends_on' },
      { source: 'A', target: 'Ghost', kind: 'depends_on' },
      { source: 'B', target: 'B', kind: 'property' }
    ]
  };
  const layout = layoutDag(dag);
  assert.equal(layout.edges.length, 1);
  assert.ok(layout.edges[0].points.length >= 2);
});

test('a cycle still lays out (the linter reports it; the picture must not hang)', () => {
  const dag: IDag = {
    nodes: [{ name: 'A' }, { name: 'B' }],
    edges: [
      { source: 'A', target: 'B', kind: 'depends_on' },
      { source: 'B', target: 'A', kind: 'depends_on' }
    ]
  };
  const layout = layoutDag(dag);
  assert.equal(layout.nodes.length, 2);
  assert.equal(layout.edges.length, 2);
});

test('an empty DAG gives an empty picture', () => {
  const layout = layoutDag({ nodes: [], edges: [] });
  assert.equal(layout.nodes.length, 0);
});

test('long names are cut with an ellipsis and boxes widen up to a limit', () => {
  assert.equal(truncateLabel('short'), 'short');
  const long = 'x'.repeat(80);
  assert.equal(truncateLabel(long).length, 32);
  assert.ok(truncateLabel(long).endsWith('\u2026'));
  assert.equal(nodeWidth('a', ''), 120);
  assert.ok(nodeWidth(long, '') > 200 && nodeWidth(long, '') === nodeWidth(long + 'more', ''));
});

test('edge paths start at the first point and pass through the last', () => {
  assert.equal(edgePath([]), '');
  assert.equal(edgePath([{ x: 0, y: 0 }, { x: 10, y: 20 }]), 'M0.0,0.0 L10.0,20.0');
  const curved = edgePath([{ x: 0, y: 0 }, { x: 5, y: 10 }, { x: 10, y: 20 }]);
  assert.ok(curved.startsWith('M0.0,0.0 Q'));
  assert.ok(curved.endsWith('10.0,20.0'));
});

test('a 200-step pipeline lays out', () => {
  const nodes = Array.from({ length: 200 }, (_, i) => ({ name: `step-${i}` }));
  const edges = nodes.slice(1).map((n, i) => ({ source: `step-${Math.floor(i / 2)}`, target: n.name, kind: 'depends_on' }));
  const layout = layoutDag({ nodes, edges });
  assert.equal(layout.nodes.length, 200);
  assert.equal(layout.edges.length, 199);
});
