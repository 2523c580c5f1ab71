import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatProgress } from '../src/format';
import { NOT_RUN, applySnapshot, mergeRunList, progressOf, rowFingerprint, runKey, stepStates } from '../src/snapshots';
import { IDag, IRunSnapshot } from '../src/wire';

function run(name: string, overrides: Partial<IRunSnapshot> = {}): IRunSnapshot {
  return {
    namespace: 'default',
    name,
    pipelineName: 'train',
    status: 'Executing',
    startTime: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:05Z',
    ...overrides
  };
}

const DAG: IDag = {
  pipelineName: 'train',
  nodes: [{ name: 'Prep' }, { name: 'Train' }, { name: 'Eval' }],
  edges: [
    { source: 'Prep', target: 'Train', kind: 'depends_on' },
    { source: 'Train', target: 'Eval', kind: 'property' }
  ]
};

test('a newer snapshot replaces the run with the same key', () => {
  const runs = [run('a'), run('b')];
  const next = applySnapshot(runs, run('a', { status: 'Succeeded', updatedAt: '2026-01-01T00:00:09Z' }));
  assert.equal(next.length, 2);
  assert.equal(next.find(r => r.name === 'a')?.status, 'Succeeded');
  assert.equal(runs[0].status, 'Executing', 'the input list is not changed');
});

test('an older snapshot never undoes a newer one', () => {
  const runs = [run('a', { status: 'Succeeded', updatedAt: '2026-01-01T00:00:09Z' })];
  const next = applySnapshot(runs, run('a', { status: 'Executing', updatedAt: '2026-01-01T00:00:01Z' }));
  assert.equal(next[0].status, 'Succeeded');
});

test('an ended run stays ended when a lagging cluster copy says it still runs', () => {
  const runs = [run('a', { status: 'Succeeded', outcome: 'Succeeded', updatedAt: '2026-01-01T00:00:09Z' })];
  const next = applySnapshot(runs, run('a', { status: 'Executing', updatedAt: '2026-01-01T00:00:10Z' }));
  assert.equal(next[0].status, 'Succeeded');
});

test('progress counts are kept when a list answer has none to give', () => {
  const known = { total: 6, succeeded: 3, failed: 0, running: 1 };
  const runs = [run('a', { progress: known })];
  const empty = { total: 0, succeeded: 0, failed: 0, running: 0 };
  const next = applySnapshot(runs, run('a', { progress: empty, updatedAt: '2026-01-01T00:00:10Z' }));
  assert.deepEqual(next[0].progress, known);
  assert.equal(rowFingerprint(run('b', { progress: empty })), rowFingerprint(run('b')));
});

test('a list answer keeps steps and DAG already known, and drops runs no longer listed', () => {
  const known = [run('a', { steps: [{ name: 'Prep', status: 'Succeeded' }], dag: DAG }), run('gone')];
  const merged = mergeRunList(known, [run('a', { status: 'Executing', updatedAt: '2026-01-01T00:00:06Z' }), run('new')]);
  assert.deepEqual(merged.map(runKey).sort(), ['default/a', 'default/new']);
  const a = merged.find(r => r.name === 'a');
  assert.equal(a?.steps?.length, 1);
  assert.equal(a?.dag, DAG);
});

test('runs are listed newest first, not-yet-started on top', () => {
  const merged = mergeRunList(
    [],
    [
      run('old', { startTime: '2026-01-01T00:00:00Z' }),
      run('new', { startTime: '2026-01-02T00:00:00Z' }),
      run('queued', { startTime: null, status: 'Pending' })
    ]
  );
  assert.deepEqual(
    merged.map(r => r.name),
    ['queued', 'new', 'old']
  );
});

test('nodes the run has not reached are Pending; without a run nothing is coloured', () => {
  const states = stepStates(DAG, run('a', { steps: [{ name: 'Prep', status: 'Succeeded' }, { name: 'Train', status: 'Executing' }] }));
  assert.deepEqual([...states.entries()], [
    ['Prep', 'Succeeded'],
    ['Train', 'Executing'],
    ['Eval', 'Pending']
  ]);
  assert.equal(stepStates(DAG, null).size, 0);
});

test('steps a finished run never reached are shown as not run, not as pending', () => {
  const states = stepStates(DAG, run('a', { status: 'Failed', outcome: 'Failed', steps: [{ name: 'Prep', status: 'Failed' }] }));
  assert.equal(states.get('Prep'), 'Failed');
  assert.equal(states.get('Train'), NOT_RUN);
  const reportedPending = stepStates(
    DAG,
    run('a', { status: 'Succeeded', outcome: 'Succeeded', steps: [{ name: 'Eval', status: 'Pending' }] })
  );
  assert.equal(reportedPending.get('Eval'), NOT_RUN, 'a planned step the run is over without is not pending');
});

test('progress comes from the snapshot, or is counted from its steps', () => {
  const given = { total: 9, succeeded: 1, failed: 0, running: 1 };
  assert.deepEqual(progressOf(run('a', { progress: given })), { ...given, skipped: 0 });
  const counted = progressOf(
    run('a', { steps: [{ name: 'Prep', status: 'Succeeded' }, { name: 'Train', status: 'Failed' }] }),
    DAG
  );
  assert.deepEqual(counted, { total: 3, succeeded: 1, failed: 1, running: 0, skipped: 0 });
});

test('a row fingerprint changes when what the row shows changes', () => {
  const before = rowFingerprint(run('a'));
  assert.equal(rowFingerprint(run('a', { updatedAt: '2026-01-01T00:00:07Z' })), before);
  assert.notEqual(rowFingerprint(run('a', { status: 'Succeeded' })), before);
  assert.notEqual(rowFingerprint(run('a', { progress: { total: 3, succeeded: 1, failed: 0, running: 1 } })), before);
});

const BRANCHED: IDag = {
  pipelineName: 'abalone',
  nodes: [
    { name: 'Prep' },
    { name: 'Check', type: 'Condition' },
    { name: 'Register', parent: 'Check', branch: 'if' },
    { name: 'Fail', parent: 'Check', branch: 'else' }
  ],
  edges: []
};

test('steps of a branch a condition did not take count as done', () => {
  const over = run('a', {
    status: 'Succeeded',
    outcome: 'Succeeded',
    steps: [
      { name: 'Prep', status: 'Succeeded' },
      { name: 'Check', status: 'Succeeded' },
      { name: 'Register', status: 'Succeeded' }
    ]
  });
  const done = progressOf(over, BRANCHED);
  assert.deepEqual(done, { total: 4, succeeded: 3, failed: 0, running: 0, skipped: 1 });
  assert.equal(formatProgress(done), '4/4 steps (1 not taken)');
  const live = run('a', {
    steps: [
      { name: 'Prep', status: 'Succeeded' },
      { name: 'Check', status: 'Succeeded' },
      { name: 'Register', status: 'Executing' }
    ]
  });
  assert.equal(progressOf(live, BRANCHED).skipped, 1, 'the else branch is passed by once the if branch started');
  const failed = run('a', { status: 'Failed', outcome: 'Failed', steps: [{ name: 'Prep', status: 'Failed' }] });
  assert.equal(progressOf(failed, BRANCHED).skipped, 0, 'steps a failure left unreached are not done');
});
