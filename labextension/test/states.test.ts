import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isActive, isFinal, stateClass, styleOf, toneOf } from '../src/states';

test('every wire state has its own tone', () => {
  assert.equal(toneOf('Pending'), 'pending');
  assert.equal(toneOf('Starting'), 'running');
  assert.equal(toneOf('Executing'), 'running');
  assert.equal(toneOf('Stopping'), 'stopping');
  assert.equal(toneOf('Succeeded'), 'succeeded');
  assert.equal(toneOf('Failed'), 'failed');
  assert.equal(toneOf('Stopped'), 'stopped');
  assert.equal(toneOf('Unknown'), 'unknown');
  assert.equal(toneOf('SomethingNew'), 'unknown');
  assert.equal(toneOf(null), 'unknown');
});

test('failed and succeeded steps are told apart by colour', () => {
  assert.notEqual(styleOf('Failed').fill, styleOf('Succeeded').fill);
  assert.notEqual(styleOf('Executing').stroke, styleOf('Pending').stroke);
  assert.equal(stateClass('Executing'), 'jp-SageMakerAck-state-running');
});

test('only outcomes are final; a run with an outcome is no longer active', () => {
  assert.ok(isFinal('Succeeded') && isFinal('Failed') && isFinal('Stopped'));
  assert.ok(!isFinal('Stopping') && !isFinal('Executing') && !isFinal('Unknown'));
  assert.ok(isActive({ status: 'Executing' }));
  assert.ok(!isActive({ status: 'Executing', outcome: 'Failed' }));
  assert.ok(!isActive({ status: 'Succeeded' }));
});
