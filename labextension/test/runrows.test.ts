import assert from 'node:assert/strict';
import { test } from 'node:test';

import { crGone, originTag, runLabel } from '../src/runrows';
import { IRunSnapshot } from '../src/wire';

function run(fields: Partial<IRunSnapshot>): IRunSnapshot {
  return { namespace: 'default', name: null, pipelineName: 'lab-browser-1234', status: 'Executing', ...fields };
}

test('two runs of one pipeline keep the run ids that tell them apart', () => {
  const a = runLabel(run({ name: 'lab-browser-1234-20261204-033506-4164' }));
  const b = runLabel(run({ name: 'lab-browser-1234-20261204-033507-9a0c' }));
  assert.equal(a.suffix, '20261204-033506-4164');
  assert.equal(b.suffix, '20261204-033507-9a0c');
  assert.equal(a.prefix, 'lab-browser-1234-');
  assert.equal(a.prefix + a.suffix, a.full);
});

test('a name without a run id keeps what follows the pipeline name, else its last part', () => {
  assert.deepEqual(runLabel(run({ pipelineName: 'AbalonePipeline', name: 'abalone-pipeline-nightly' })), {
    prefix: 'abalone-pipeline-',
    suffix: 'nightly',
    full: 'abalone-pipeline-nightly'
  });
  assert.equal(runLabel(run({ pipelineName: 'other', name: 'my-run-7' })).suffix, '7');
  assert.equal(runLabel(run({ pipelineName: 'other', name: 'single' })).suffix, 'single');
});

test('a run whose CR is gone is named by SageMaker and tagged so', () => {
  const gone = run({
    origin: 'sagemaker',
    displayName: 'lab-browser-1234-20261204-033506-4164',
    executionArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/lab-browser-1234/execution/abc123'
  });
  assert.equal(runLabel(gone).suffix, '20261204-033506-4164');
  assert.equal(crGone(gone), true);
  assert.equal(originTag(gone), 'SageMaker \u00b7 CR gone');
  const nameless = { ...gone, displayName: null };
  assert.equal(runLabel(nameless).full, 'execution/abc123');
  assert.equal(originTag(run({ origin: 'cluster', name: 'x' })), '');
});
