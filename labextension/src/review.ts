/**
 * The review view of an ACK YAML file: lint findings, the pipeline DAG and the S3 verification result,
 * as the server's `POST /sagemaker-ack/review` answers them.
 */

import { Widget } from '@lumino/widgets';

import { ApiError, review } from './api';
import { h } from './dom';
import { severityRank, summariseFindings } from './format';
import { renderDagView } from './dagview';
import { IFinding, IReviewResult } from './wire';

function renderFindings(findings: readonly IFinding[]): HTMLElement {
  const sorted = [...findings].sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || (a.line ?? 0) - (b.line ?? 0));
  const body = h('tbody');
  for (const finding of sorted) {
    const where = finding.line ? `${finding.line}${finding.column ? `:${finding.column}` : ''}` : '';
    body.append(
      h(
        'tr',
        { 'data-code': finding.code, 'data-severity': finding.severity },
        h('td', {}, h('span', { class: `jp-SageMakerAck-severity jp-SageMakerAck-severity-${finding.severity.toLowerCase()}` }, finding.severity)),
        h('td', { class: 'jp-SageMakerAck-code' }, finding.code),
        h('td', {}, finding.message, finding.hint ? h('div', { class: 'jp-SageMakerAck-hint' }, finding.hint) : null),
        h('td', {}, where),
        h('td', {}, finding.step ?? finding.parameter ?? '')
      )
    );
  }
  const head = h('thead', {}, h('tr', {}, ...['Severity', 'Code', 'Message', 'Line', 'Step'].map(t => h('th', {}, t))));
  return h('table', { class: 'jp-SageMakerAck-findings' }, head, body);
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A list of records (e.g. the verification's checks) as a table of their fields; anything else as a list. */
function renderItems(items: unknown[]): HTMLElement {
  const records = items.filter((item): item is { [key: string]: unknown } => !!item && typeof item === 'object');
  if (records.length !== items.length) {
    return h('ul', {}, ...items.map(item => h('li', {}, describeValue(item))));
  }
  const columns = [...new Set(records.flatMap(record => Object.keys(record)))];
  const body = h('tbody');
  for (const record of records) {
    const status = typeof record.status === 'string' ? record.status : undefined;
    body.append(h('tr', { 'data-status': status }, ...columns.map(c => h('td', {}, describeValue(record[c])))));
  }
  const head = h('thead', {}, h('tr', {}, ...columns.map(c => h('th', {}, c))));
  return h('table', { class: 'jp-SageMakerAck-kv jp-SageMakerAck-checks' }, head, body);
}

/** The verification report, whatever its fields: a verdict line when it has one, then its fields. */
export function renderVerification(verification: { [key: string]: unknown } | null): HTMLElement {
  const section = h('div', { class: 'jp-SageMakerAck-verification' });
  if (!verification) {
    section.append(
      h('div', { class: 'jp-SageMakerAck-muted' }, 'Not verified: the manifest pins no published S3 version.')
    );
    return section;
  }
  const verdict = verification.ok ?? verification.verified ?? verification.matches;
  if (typeof verdict === 'boolean') {
    section.dataset.ok = String(verdict);
    section.append(
      h(
        'div',
        { class: `jp-SageMakerAck-verdict ${verdict ? 'jp-SageMakerAck-state-succeeded' : 'jp-SageMakerAck-state-failed'}` },
        verdict ? 'Verified: the manifest matches the published S3 version.' : 'Verification failed.'
      )
    );
  }
  const rows = h('tbody');
  for (const [key, value] of Object.entries(verification)) {
    if (Array.isArray(value)) {
      rows.append(h('tr', {}, h('th', {}, key), h('td', {}, value.length ? renderItems(value) : '(none)')));
    } else {
      rows.append(h('tr', {}, h('th', {}, key), h('td', {}, describeValue(value))));
    }
  }
  section.append(h('table', { class: 'jp-SageMakerAck-kv' }, rows));
  return section;
}

export function renderReview(path: string, result: IReviewResult): HTMLElement {
  const container = h('div', { class: 'jp-SageMakerAck-review' });
  container.append(
    h('h2', {}, `Review of ${path}`),
    h('h3', {}, 'Lint findings'),
    h('div', { class: 'jp-SageMakerAck-findingsSummary' }, summariseFindings(result.findings))
  );
  if (result.findings.length) {
    container.append(renderFindings(result.findings));
  }
  container.append(h('h3', {}, 'S3 verification'), renderVerification(result.verification));
  container.append(h('h3', {}, 'Pipeline DAG'));
  const hasErrors = result.findings.some(finding => severityRank(finding.severity) === 0);
  const noDag = hasErrors
    ? 'No DAG to draw: the file cannot be read as an ACK Pipeline; fix the errors above first.'
    : 'No Pipeline resource in this file.';
  container.append(result.dag ? renderDagView(result.dag) : h('div', { class: 'jp-SageMakerAck-muted' }, noDag));
  return container;
}

export class ReviewView extends Widget {
  constructor(readonly path: string) {
    super();
    this.addClass('jp-SageMakerAck-reviewView');
    this.id = `jp-SageMakerAck-review-${encodeURIComponent(path)}`;
    this.title.label = `Review ${path.split('/').pop()}`;
    this.title.caption = `ACK pipeline review of ${path}`;
    this.title.closable = true;
    const again = h('button', { class: 'jp-SageMakerAck-button' }, 'Review again');
    again.addEventListener('click', () => void this.load());
    this.node.append(h('div', { class: 'jp-SageMakerAck-toolbar' }, again), this._body);
    void this.load();
  }

  async load(): Promise<void> {
    this._body.replaceChildren(h('div', { class: 'jp-SageMakerAck-muted' }, 'Reviewing\u2026'));
    try {
      this._body.replaceChildren(renderReview(this.path, await review(this.path)));
    } catch (error) {
      const text = error instanceof ApiError ? error.message : String(error);
      this._body.replaceChildren(h('div', { class: 'jp-SageMakerAck-error' }, text));
    }
  }

  private _body = h('div', { class: 'jp-SageMakerAck-reviewBody' });
}
