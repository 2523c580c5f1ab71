import assert from 'node:assert/strict';
import { test } from 'node:test';

import { compareText, historyRow, parametersText, stepSideText, versionText } from '../src/historyrows';
import { ICompareResult, IHistoryRun } from '../src/wire';

const RETRY: IHistoryRun = {
  namespace: 'ml',
  name: 'train-run-b',
  pipelineName: 'train',
  status: 'Succeeded',
  outcome: 'Succeeded',
  durationSeconds: 125,
  parameters: { Threshold: '5', Count: '2' },
  definitionDigest: 'sha256:0123456789abcdef0123',
  definitionVersionId: 'v42',
  retryOf: 'train-run-a'
};

test('a history row shows duration, sorted parameters, version and the run it retried', () => {
  const row = historyRow(RETRY);
  assert.equal(row.name, 'train-run-b');
  assert.equal(row.status, 'Succeeded');
  assert.equal(row.duration, '2m 05s');
  assert.equal(row.parameters, 'Count=2, Threshold=5');
  assert.equal(row.version, '0123456789ab v42');
  assert.equal(row.retryOf, 'train-run-a');
});

test('a run without history fields shows empty cells, not "undefined"', () => {
  const row = historyRow({ namespace: 'ml', name: 'r', pipelineName: 'train', status: 'Executing' });
  assert.deepEqual([row.duration, row.parameters, row.version, row.retryOf], ['', '', '', '']);
  assert.equal(parametersText(null), '');
  assert.equal(versionText({ ...RETRY, definitionDigest: null }), 'v42');
});

test('compared steps say status, duration and reuse on each side', () => {
  assert.equal(stepSideText({ status: 'Succeeded', durationSeconds: 42, reused: true }), 'Succeeded 42s (reused)');
  assert.equal(stepSideText({ status: 'Failed', durationSeconds: null }), 'Failed');
  assert.equal(stepSideText(null), '\u2013');
});

test('the comparison lists parameter changes, the definition diff and steps that differ', () => {
  const result: ICompareResult = {
    a: { namespace: 'ml', name: 'a', pipelineName: 'train', status: 'Failed' },
    b: { namespace: 'ml', name: 'b', pipelineName: 'train', status: 'Succeeded' },
    parameters: [{ name: 'Threshold', a: '6', b: null }],
    definition: { identical: false, summary: ['step Train changed: Arguments'] },
    steps: [
      { name: 'Prep', a: { status: 'Succeeded', durationSeconds: 3 }, b: { status: 'Succeeded', reused: true } },
      { name: 'Train', a: { status: 'Failed' }, b: { status: 'Succeeded' } }
    ]
  };
  const text = compareText(result);
  assert.deepEqual(text.parameters, ['Threshold: 6 \u2192 (unset)']);
  assert.deepEqual(text.definition, ['step Train changed: Arguments']);
  assert.deepEqual(
    text.steps.map(s => [s.name, s.a, s.b, s.differs]),
    [
      ['Prep', 'Succeeded 3s', 'Succeeded (reused)', false],
      ['Train', 'Failed', 'Succeeded', true]
    ]
  );
  const same = compareText({ ...result, parameters: [], definition: { identical: true, summary: [] } });
  assert.deepEqual(same.parameters, ['The same parameters.']);
  assert.deepEqual(same.definition, ['The same definition.']);
  assert.match(compareText({ ...result, definition: null }).definition[0], /could not be read/);
});
