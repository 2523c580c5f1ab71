import assert from 'node:assert/strict';
import { test } from 'node:test';

import { reusedSteps, stateText } from '../src/snapshots';
import { isRetryable } from '../src/states';
import { IRunSnapshot } from '../src/wire';

function run(overrides: Partial<IRunSnapshot> = {}): IRunSnapshot {
  return { namespace: 'default', name: 'r', pipelineName: 'train', status: 'Executing', ...overrides };
}

test('only Failed and Stopped runs can be retried', () => {
  assert.equal(isRetryable(run({ status: 'Failed' })), true);
  assert.equal(isRetryable(run({ status: 'Stopped' })), true);
  assert.equal(isRetryable(run({ status: 'Succeeded' })), false);
  assert.equal(isRetryable(run({ status: 'Executing' })), false);
  assert.equal(isRetryable(run({ status: 'Stopping' })), false);
  // The outcome decides when the status lags behind it.
  assert.equal(isRetryable(run({ status: 'Executing', outcome: 'Failed' })), true);
});

test('reused steps are the ones the wire marks reused', () => {
  const retried = run({
    status: 'Succeeded',
    steps: [
      { name: 'Prep', status: 'Succeeded', reused: true, sourceExecutionArn: 'arn:old' },
      { name: 'Train', status: 'Succeeded', reused: false },
      { name: 'Eval', status: 'Succeeded' }
    ]
  });
  assert.deepEqual([...reusedSteps(retried)], ['Prep']);
  assert.deepEqual([...reusedSteps(run())], []);
  assert.deepEqual([...reusedSteps(null)], []);
});

test('a reused step says so next to its state', () => {
  assert.equal(stateText('Succeeded', true), 'Succeeded (reused)');
  assert.equal(stateText('Succeeded', false), 'Succeeded');
});
