import assert from 'node:assert/strict';
import { test } from 'node:test';

import { drawableEdges, edgePath, layoutDag, nodeWidth, pathOf, rankSteps, truncateLabel } from '../src/layout';
import { STATE_TABLE } from '../src/statetable';
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
  assert.equal(nodeWidth('a', ''), STATE_TABLE.layout.minNodeWidth);
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

/** The points an SVG path of M, L, Q and C commands passes through, sampled along each segment. */
function samplePath(d: string, perSegment = 24): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  let at = { x: 0, y: 0 };
  for (const [, command, args] of d.matchAll(/([MLQC])([^MLQC]*)/g)) {
    const nums = args.trim().split(/[ ,]+/).map(Number);
    const pts = [];
    for (let i = 0; i < nums.length; i += 2) {
      pts.push({ x: nums[i], y: nums[i + 1] });
    }
    if (command === 'M') {
      at = pts[0];
      out.push(at);
      continue;
    }
    const ctrl = [at, ...pts];
    for (let k = 1; k <= perSegment; k++) {
      const t = k / perSegment;
      let level = ctrl;
      while (level.length > 1) {
        level = level.slice(1).map((p, i) => ({ x: level[i].x + (p.x - level[i].x) * t, y: level[i].y + (p.y - level[i].y) * t }));
      }
      out.push(level[0]);
    }
    at = pts[pts.length - 1];
  }
  return out;
}

/** Like examples/synthetic.py chain_definition: each step reads the one before and depends on earlier ones. */
function chain(n: number, fanOut = 3): IDag {
  const name = (i: number): string => `Step-${String(i).padStart(5, '0')}`;
  const nodes = Array.from({ length: n }, (_, i) => ({ name: name(i), type: 'Processing' }));
  const edges = [];
  for (let i = 1; i < n; i++) {
    edges.push({ source: name(i - 1), target: name(i), kind: 'property' });
    for (let j = Math.max(0, i - fanOut); j < i; j++) {
      if ((i + j) % 2 === 0) {
        edges.push({ source: name(j), target: name(i), kind: 'depends_on' });
      }
    }
  }
  return { nodes, edges };
}

function fanOut(n: number): IDag {
  const nodes = [{ name: 'Root', type: 'Processing' }, ...Array.from({ length: n }, (_, i) => ({ name: `Leaf-${i}`, type: 'Training' }))];
  return { nodes, edges: nodes.slice(1).map(leaf => ({ source: 'Root', target: leaf.name, kind: 'depends_on' })) };
}

for (const [label, dag] of [
  ['the diamond', DIAMOND],
  ['a 45-step chain with skip edges', chain(45)],
  ['a 42-step fan-out', fanOut(42)],
  ['a 200-step layered DAG', chain(200, 5)]
] as const) {
  test(`no edge of ${label} passes through a box other than its two ends`, () => {
    const layout = layoutDag(dag);
    for (const edge of layout.edges) {
      const d = edgePathOf(layout, edge);
      for (const p of samplePath(d)) {
        for (const n of layout.nodes) {
          if (n.name === edge.source || n.name === edge.target) {
            continue;
          }
          const inside = Math.abs(p.x - n.x) < n.width / 2 - 0.5 && Math.abs(p.y - n.y) < n.height / 2 - 0.5;
          assert.ok(!inside, `${edge.source} -> ${edge.target} crosses ${n.name} at ${p.x},${p.y}`);
        }
      }
    }
  });
}

function edgePathOf(layout: ReturnType<typeof layoutDag>, edge: ReturnType<typeof layoutDag>['edges'][number]): string {
  return pathOf(edge, layout.direction);
}

test('a routed edge leaves the bottom of its source and enters the top of its target', () => {
  const layout = layoutDag(chain(12));
  for (const edge of layout.edges) {
    const [first, last] = [edge.points[0], edge.points[edge.points.length - 1]];
    const source = node(layout, edge.source);
    const target = node(layout, edge.target);
    assert.equal(first.y, source.y + source.height / 2);
    assert.equal(last.y, target.y - target.height / 2);
    assert.ok(pathOf(edge).startsWith('M') && !pathOf(edge).includes('NaN'));
  }
});

test('ranks: one below the deepest predecessor; a source sits just above its nearest successor', () => {
  const { ranks, back } = rankSteps(
    ['A', 'B', 'C', 'D', 'Late'],
    [
      { source: 'A', target: 'B' },
      { source: 'B', target: 'C' },
      { source: 'A', target: 'C' },
      { source: 'C', target: 'D' },
      { source: 'Late', target: 'D' }
    ]
  );
  assert.deepEqual(Object.fromEntries(ranks), { A: 0, B: 1, C: 2, D: 3, Late: 2 });
  assert.equal(back.size, 0);
  const layout = layoutDag(chain(45));
  const ys = [...new Set(layout.nodes.map(n => n.y))];
  assert.equal(ys.length, 45, 'a chain is one step per rank');
});

test('an edge closing a cycle is set aside and drawn beside the boxes', () => {
  const { back } = rankSteps(['A', 'B', 'C'], [
    { source: 'A', target: 'B' },
    { source: 'B', target: 'C' },
    { source: 'C', target: 'A' }
  ]);
  assert.deepEqual([...back], ['C\u0000A']);
  const layout = layoutDag({ nodes: [{ name: 'A' }, { name: 'B' }, { name: 'C' }], edges: [
    { source: 'A', target: 'B', kind: 'depends_on' },
    { source: 'B', target: 'C', kind: 'depends_on' },
    { source: 'C', target: 'A', kind: 'depends_on' }
  ] });
  assert.equal(layout.edges.filter(e => e.back).length, 1);
});

test('a 42-step fan-out keeps its root above the middle of its leaves', () => {
  const layout = layoutDag(fanOut(42));
  const root = node(layout, 'Root');
  const leaves = layout.nodes.filter(n => n.name !== 'Root');
  const middle = (Math.min(...leaves.map(n => n.x)) + Math.max(...leaves.map(n => n.x))) / 2;
  assert.ok(Math.abs(root.x - middle) < root.width, `root at ${root.x}, leaves centred at ${middle}`);
});

test('left to right, edges keep out of the boxes too', () => {
  const layout = layoutDag(chain(30), { direction: 'LR' });
  for (const edge of layout.edges) {
    assert.ok(node(layout, edge.source).x < node(layout, edge.target).x);
    for (const p of samplePath(pathOf(edge, 'LR'))) {
      for (const n of layout.nodes) {
        if (n.name !== edge.source && n.name !== edge.target) {
          const inside = Math.abs(p.x - n.x) < n.width / 2 - 0.5 && Math.abs(p.y - n.y) < n.height / 2 - 0.5;
          assert.ok(!inside, `${edge.source} -> ${edge.target} crosses ${n.name}`);
        }
      }
    }
  }
});

test('a 200-step layered pipeline stays narrow: no staircase of straight long edges', () => {
  const layout = layoutDag(chain(200, 5));
  assert.ok(layout.width < 2500, `width ${layout.width}`);
});
