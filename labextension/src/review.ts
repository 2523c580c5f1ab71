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

/** Where a finding is: line:column in the file, else the step or parameter and the field it names. */
function findingPlace(finding: IFinding & { path?: string | null }): string {
  if (finding.line && finding.file !== 'definition') {
    return `${finding.line}${finding.column ? `:${finding.column}` : ''}`;
  }
  return finding.path ? `field ${finding.path}` : '';
}

function renderFindings(findings: readonly IFinding[]): HTMLElement {
  const sorted = [...findings].sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || (a.line ?? 0) - (b.line ?? 0));
  const body = h('tbody');
  for (const finding of sorted) {
    const where = findingPlace(finding);
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
  const head = h('thead', {}, h('tr', {}, ...['Severity', 'Code', 'Message', 'Where', 'Step'].map(t => h('th', {}, t))));
  return h('table', { class: 'jp-SageMakerAck-findings' }, head, body);
}

/** A value for a person: text as is, anything structured indented (never minified JSON). */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'object' ? JSON.stringify(value, null, 2) : String(value);
}

interface ICheck {
  document?: string;
  check?: string;
  name?: string;
  status?: string;
  detail?: string;
}

interface IDifferences {
  summary?: string[];
  parameters?: { changed?: { name: string; fields: string[]; before: any; after: any }[] };
}

const CHECK_MARKS: { [status: string]: string } = { ok: '\u2713', fail: '\u2717', skip: '\u2013' };
const CHECK_WORDS: { [status: string]: string } = { ok: 'passed', fail: 'failed', skip: 'skipped' };
const CHECK_COLOURS: { [status: string]: string } = { ok: '#15803d', fail: '#b91c1c', skip: '#6b7280' };
/** The check whose failure the differences explain. */
const SAME_DEFINITION_CHECK = /inline definition = S3/i;

/** What differs between the YAML's definition and the published one, in words. */
function differenceLines(differences: IDifferences | undefined): string[] {
  if (!differences) {
    return [];
  }
  if (Array.isArray(differences.summary) && differences.summary.length) {
    return differences.summary.map(String);
  }
  // An older server: name the parameter changes at least.
  return (differences.parameters?.changed ?? []).map(
    change =>
      `parameter ${change.name}: ` +
      change.fields.map(f => `${f} ${JSON.stringify(change.before?.[f])} -> ${JSON.stringify(change.after?.[f])}`).join(', ')
  );
}

function renderCheck(check: ICheck, differences: string[]): HTMLElement {
  const status = (check.status ?? '').toLowerCase();
  const name = check.check ?? check.name ?? '';
  const explained = status === 'fail' && SAME_DEFINITION_CHECK.test(name) && differences.length > 0;
  return h(
    'li',
    { class: `jp-SageMakerAck-check jp-SageMakerAck-check-${status || 'unknown'}`, 'data-status': status },
    h(
      'span',
      {
        class: 'jp-SageMakerAck-checkMark',
        title: CHECK_WORDS[status] ?? status,
        style: `color: ${CHECK_COLOURS[status] ?? 'inherit'}; font-weight: bold`
      },
      CHECK_MARKS[status] ?? '?'
    ),
    ' ',
    h('span', { class: 'jp-SageMakerAck-checkName' }, name),
    explained
      ? h(
          'div',
          { class: 'jp-SageMakerAck-differences' },
          'What differs:',
          h('ul', {}, ...differences.map(line => h('li', {}, line)))
        )
      : check.detail
        ? h('div', { class: 'jp-SageMakerAck-checkDetail jp-SageMakerAck-muted' }, check.detail)
        : null
  );
}

/** The verification report as a checklist per document: a mark, the check, what was found. */
export function renderVerification(verification: { [key: string]: unknown } | null): HTMLElement {
  const section = h('div', { class: 'jp-SageMakerAck-verification' });
  if (!verification) {
    section.append(
      h('div', { class: 'jp-SageMakerAck-muted' }, 'Not verified: the manifest pins no published S3 version.')
    );
    return section;
  }
  const checks = (Array.isArray(verification.checks) ? verification.checks : []) as ICheck[];
  const differences = (verification.differences ?? {}) as { [document: string]: IDifferences };
  const verdict = verification.ok ?? verification.verified ?? verification.matches;
  if (typeof verdict === 'boolean') {
    section.dataset.ok = String(verdict);
    const failed = checks.filter(c => (c.status ?? '').toLowerCase() === 'fail').length;
    section.append(
      h(
        'div',
        { class: `jp-SageMakerAck-verdict ${verdict ? 'jp-SageMakerAck-state-succeeded' : 'jp-SageMakerAck-state-failed'}` },
        verdict
          ? 'Verified: the manifest matches the published S3 version.'
          : `Verification failed: ${failed} of ${checks.length} checks did not pass.`
      )
    );
  }
  const documents = [...new Set(checks.map(c => c.document ?? ''))];
  for (const document of documents) {
    const lines = differenceLines(differences[document]);
    if (documents.length > 1 || document) {
      section.append(h('div', { class: 'jp-SageMakerAck-checkDocument' }, document || 'Manifest'));
    }
    section.append(
      h(
        'ul',
        { class: 'jp-SageMakerAck-checklist' },
        ...checks.filter(c => (c.document ?? '') === document).map(c => renderCheck(c, lines))
      )
    );
  }
  for (const [document, found] of Object.entries(differences)) {
    const lines = differenceLines(found);
    const shown = documents.includes(document) && checks.some(c => SAME_DEFINITION_CHECK.test(c.check ?? c.name ?? '') && (c.document ?? '') === document && c.status === 'fail');
    if (!shown && lines.length) {
      section.append(
        h('div', { class: 'jp-SageMakerAck-differences' }, `What differs in ${document}:`, h('ul', {}, ...lines.map(l => h('li', {}, l))))
      );
    }
  }
  const untrusted = verification.untrusted_buckets;
  if (Array.isArray(untrusted) && untrusted.length) {
    section.append(
      h('div', { class: 'jp-SageMakerAck-muted' }, `Not asked (not trusted buckets): ${untrusted.join(', ')}.`)
    );
  }
  const known = new Set(['ok', 'verified', 'matches', 'checks', 'differences', 'untrusted_buckets']);
  for (const [key, value] of Object.entries(verification)) {
    if (!known.has(key)) {
      section.append(h('div', {}, h('b', {}, `${key}: `), h('pre', { class: 'jp-SageMakerAck-value' }, describeValue(value))));
    }
  }
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
