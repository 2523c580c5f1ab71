import assert from 'node:assert/strict';
import { test } from 'node:test';

import { elapsed, formatDuration, formatProgress, shortArn, summariseFindings } from '../src/format';

test('durations read as a person would say them', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(42_900), '42s');
  assert.equal(formatDuration(185_000), '3m 05s');
  assert.equal(formatDuration(2 * 3600_000 + 7 * 60_000), '2h 07m');
  assert.equal(formatDuration(3 * 86400_000 + 4 * 3600_000), '3d 04h');
});

test('missing or negative durations show nothing', () => {
  assert.equal(formatDuration(null), '');
  assert.equal(formatDuration(-5), '');
  assert.equal(formatDuration(Number.NaN), '');
});

test('elapsed uses the end time, or now while running', () => {
  assert.equal(elapsed('2026-01-01T00:00:00Z', '2026-01-01T00:01:30Z'), '1m 30s');
  const now = Date.parse('2026-01-01T00:00:10Z');
  assert.equal(elapsed('2026-01-01T00:00:00Z', null, now), '10s');
  assert.equal(elapsed(null, null), '');
  assert.equal(elapsed('not a time', null), '');
});

test('short ARNs keep the last two resource parts', () => {
  assert.equal(
    shortArn('arn:aws:sagemaker:us-east-1:123456789012:pipeline/train/execution/abc123'),
    'execution/abc123'
  );
  assert.equal(shortArn('arn:aws:sagemaker:us-east-1:123456789012:processing-job/prep'), 'processing-job/prep');
  assert.equal(shortArn(null), '');
});

test('progress mentions failures and running steps only when there are some', () => {
  assert.equal(formatProgress({ total: 4, succeeded: 4, failed: 0, running: 0 }), '4/4 steps');
  assert.equal(
    formatProgress({ total: 5, succeeded: 2, failed: 1, running: 1 }),
    '2/5 steps (1 running, 1 failed)'
  );
});

test('findings summary counts by severity, errors first', () => {
  assert.equal(summariseFindings([]), 'No findings');
  assert.equal(
    summariseFindings([{ severity: 'warning' }, { severity: 'error' }, { severity: 'ERROR' }]),
    '2 errors, 1 warning'
  );
});
