import assert from 'node:assert/strict';
import { test } from 'node:test';

import { endedNow, outcomeNotice } from '../src/outcomes';
import { IRunSnapshot } from '../src/wire';

function run(overrides: Partial<IRunSnapshot> = {}): IRunSnapshot {
  return { namespace: 'ml', name: 'r1', pipelineName: 'train', status: 'Executing', ...overrides };
}

test('a run ends when it was seen active and now has an outcome', () => {
  assert.equal(endedNow(run(), run({ status: 'Succeeded', outcome: 'Succeeded' })), true);
  assert.equal(endedNow(run({ status: 'Stopping' }), run({ status: 'Stopped' })), true);
});

test('a run seen for the first time, or already over, does not notify again', () => {
  assert.equal(endedNow(undefined, run({ status: 'Failed' })), false);
  assert.equal(endedNow(run({ status: 'Failed' }), run({ status: 'Failed' })), false);
  assert.equal(endedNow(run(), run()), false);
});

test('the notice says the outcome, the time it took and why it failed', () => {
  const failed = outcomeNotice(
    run({
      status: 'Failed',
      outcome: 'Failed',
      startTime: '2026-01-01T00:00:00Z',
      endTime: '2026-01-01T00:01:05Z',
      failureReason: 'Step Train failed: AlgorithmError'
    })
  );
  assert.equal(failed.kind, 'error');
  assert.equal(failed.message, 'Pipeline run ml/r1 of train: Failed after 1m 05s \u2014 Step Train failed: AlgorithmError');
  assert.equal(outcomeNotice(run({ status: 'Succeeded', outcome: 'Succeeded' })).kind, 'success');
  assert.equal(outcomeNotice(run({ status: 'Stopped', outcome: 'Stopped' })).kind, 'warning');
  assert.equal(outcomeNotice(run({ status: 'Succeeded' })).message, 'Pipeline run ml/r1 of train: Succeeded');
});
