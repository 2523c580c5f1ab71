/**
 * The sidebar's run history of one pipeline (`GET history`): status, start, duration, parameters, the
 * definition version and the run each retried; tick two runs and Compare opens their comparison.
 */

import { ApiError, runHistory } from './api';
import { h } from './dom';
import { renderBadge } from './dagview';
import { historyRow } from './historyrows';
import { IHistoryRun } from './wire';

export interface IHistoryOptions {
  openRun: (namespace: string, name: string) => void;
  openCompare: (namespace: string, a: string, b: string) => void;
}

export class HistorySection {
  readonly node: HTMLElement;

  constructor(private readonly _options: IHistoryOptions) {
    this._refresh.addEventListener('click', () => void this.load(this._pipeline));
    this._compare.addEventListener('click', () => this._compareSelected());
    this.node = h(
      'div',
      { class: 'jp-SageMakerAck-history jp-SageMakerAck-hidden' },
      h('div', { class: 'jp-SageMakerAck-historyHeader' }, this._title, this._refresh, this._compare),
      this._message,
      this._table
    );
  }

  /** Show the history of `pipeline` (null hides the section). */
  async load(pipeline: string | null): Promise<void> {
    const changed = pipeline !== this._pipeline;
    this._pipeline = pipeline;
    this.node.classList.toggle('jp-SageMakerAck-hidden', !pipeline);
    if (!pipeline) {
      return;
    }
    if (changed) {
      this._checked.clear();
      this._table.replaceChildren();
    }
    this._title.textContent = `History of ${pipeline}`;
    this._message.textContent = 'Loading\u2026';
    this._message.classList.remove('jp-SageMakerAck-error');
    try {
      const runs = await runHistory(pipeline);
      if (this._pipeline === pipeline) {
        this._render(runs);
      }
    } catch (error) {
      this._message.textContent = error instanceof ApiError ? error.message : String(error);
      this._message.classList.add('jp-SageMakerAck-error');
    }
  }

  private _render(runs: IHistoryRun[]): void {
    this._runs = runs;
    const names = new Set(runs.map(run => run.name ?? ''));
    for (const name of [...this._checked]) {
      if (!names.has(name)) {
        this._checked.delete(name);
      }
    }
    this._message.textContent = runs.length ? `${runs.length} run(s); tick two to compare them.` : 'No runs yet.';
    const body = h('tbody');
    for (const run of runs) {
      const row = historyRow(run);
      const box = h('input', { type: 'checkbox', title: 'Select to compare' });
      box.checked = this._checked.has(row.name);
      box.disabled = !run.name;
      box.addEventListener('change', () => {
        if (box.checked) {
          this._checked.add(row.name);
        } else {
          this._checked.delete(row.name);
        }
        this._updateCompare();
      });
      const name = h('a', { href: '#', class: 'jp-SageMakerAck-historyRun' }, row.name);
      name.addEventListener('click', event => {
        event.preventDefault();
        if (run.name) {
          this._options.openRun(run.namespace, run.name);
        }
      });
      body.append(
        h(
          'tr',
          { 'data-run': row.name, 'data-status': row.status, 'data-retry-of': row.retryOf },
          h('td', {}, box),
          h('td', {}, name),
          h('td', {}, renderBadge(row.status)),
          h('td', {}, row.started),
          h('td', {}, row.duration),
          h('td', { class: 'jp-SageMakerAck-historyParams' }, row.parameters),
          h('td', { class: 'jp-SageMakerAck-historyVersion' }, row.version),
          h('td', { class: 'jp-SageMakerAck-historyRetryOf' }, row.retryOf)
        )
      );
    }
    const head = h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['', 'Run', 'Status', 'Started', 'Duration', 'Parameters', 'Version', 'Retry of'].map(t => h('th', {}, t))
      )
    );
    this._table.replaceChildren(h('table', { class: 'jp-SageMakerAck-historyTable' }, head, body));
    this._updateCompare();
  }

  private _updateCompare(): void {
    this._compare.disabled = this._checked.size !== 2;
  }

  private _compareSelected(): void {
    const chosen = this._runs.filter(run => run.name && this._checked.has(run.name));
    if (chosen.length !== 2) {
      return;
    }
    // Oldest first: the comparison reads "from A to B".
    const [b, a] = chosen;
    this._options.openCompare(a.namespace, a.name!, b.name!);
  }

  private _pipeline: string | null = null;
  private _runs: IHistoryRun[] = [];
  private _checked = new Set<string>();
  private _title = h('h3', {}, 'History');
  private _refresh = h('button', { class: 'jp-SageMakerAck-button', title: 'Reload the history' }, 'Refresh');
  private _compare = h(
    'button',
    { class: 'jp-SageMakerAck-button jp-SageMakerAck-compare', disabled: '', title: 'Compare the two ticked runs' },
    'Compare'
  );
  private _message = h('div', { class: 'jp-SageMakerAck-muted' });
  private _table = h('div', { class: 'jp-SageMakerAck-historyTableBox' });
}
