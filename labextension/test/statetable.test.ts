import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { STATE_TABLE } from '../src/statetable';
import { styleOf } from '../src/states';

// lib-test/test/ -> the repository root
const ROOT = join(__dirname, '..', '..', '..');

test('the generated state table is the package JSON the Python picture reads (node scripts/states-table.mjs)', () => {
  const json = JSON.parse(readFileSync(join(ROOT, 'jupyter_sagemaker_ack', 'faces', 'display', 'states.json'), 'utf-8'));
  delete json.$comment;
  assert.deepEqual(STATE_TABLE, json);
});

test('the stylesheet colours badges like the table', () => {
  const css = readFileSync(join(ROOT, 'labextension', 'style', 'base.css'), 'utf-8');
  for (const [tone, style] of Object.entries(STATE_TABLE.tones)) {
    const rule = new RegExp(`\\.jp-SageMakerAck-state-${tone} \\{ background: ([^;]+); border-color: ([^;]+);`).exec(css);
    assert.ok(rule, `a badge rule for ${tone}`);
    assert.deepEqual([rule[1], rule[2]], [style.fill, style.stroke], tone);
  }
});

test('Stopped is not drawn like Pending, and every state has a glyph as well as a colour', () => {
  assert.notEqual(styleOf('Stopped').fill, styleOf('Pending').fill);
  assert.notEqual(styleOf('Stopped').stroke, styleOf('Pending').stroke);
  const icons = new Set(['Pending', 'Executing', 'Succeeded', 'Failed', 'Not run'].map(state => styleOf(state).icon));
  assert.equal(icons.size, 5);
});
