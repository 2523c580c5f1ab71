/**
 * The "SageMaker Pipelines" left sidebar: pipelines and runs in the configured namespace with live status.
 * It polls the server while it is visible (fast while a run is active) and redraws only rows that changed.
 *
 * A row names its run so runs of one pipeline can be told apart (the run id is never cut off) and shows
 * when it started; a run only SageMaker still lists (its CR is gone) is tagged so; a row whose data is older
 * than the last successful refresh is marked stale with the time it is from. When the server cannot list the
 * runs, the status line says what is unreachable and how to fix it (the server's words). Selecting a
 * pipeline also shows its run history (history.ts), where two runs can be compared.
 */

import { Widget } from '@lumino/widgets';
import { Message } from '@lumino/messaging';

import { h } from './dom';
import { renderBadge } from './dagview';
import { elapsed, formatProgress, formatTime } from './format';
import { HistorySection } from './history';
import { crGone, originTag, runLabel } from './runrows';
import { RunsModel } from './runsmodel';
import { knownProgress, rowFingerprint, runKey } from './snapshots';
import { IPipelineSummary, IRunSnapshot } from './wire';

/**
 * How often the sidebar asks for the runs while it is visible: every second, so a change a user waits for
 * shows within about a second plus the server's answer; slower after an error, and not at all while the
 * sidebar or the browser tab is hidden.
 */
export const POLL_MS = 1000;
export const ERROR_POLL_MS = 5000;

export interface ISidebarOptions {
  model: RunsModel;
  openRun: (run: IRunSnapshot) => void;
  /** Open the comparison of runs `a` and `b` (history section). */
  openCompare?: (namespace: string, a: string, b: string) => void;
}

export class PipelinesSidebar extends Widget {
  constructor(options: ISidebarOptions) {
    super();
    this._model = options.model;
    this._openRun = options.openRun;
    this.id = 'jp-SageMakerAck-sidebar';
    this.addClass('jp-SageMakerAck-sidebar');
    this.title.caption = 'SageMaker Pipelines';

    const refresh = h('button', { class: 'jp-SageMakerAck-button', title: 'Refresh now' }, 'Refresh');
    refresh.addEventListener('click', () => void this._model.refresh());
    this._clear = h('button', { class: 'jp-SageMakerAck-button jp-SageMakerAck-hidden' }, 'All pipelines');
    this._clear.addEventListener('click', () => this._selectPipeline(null));
    this._history = new HistorySection({
      openRun: (namespace, name) => this._openRun({ namespace, name, pipelineName: '', status: '' }),
      openCompare: options.openCompare ?? (() => undefined)
    });
    this.node.append(
      h('div', { class: 'jp-SageMakerAck-sidebarHeader' }, h('h2', {}, 'SageMaker Pipelines'), refresh),
      this._status,
      this._problems,
      h('h3', {}, 'Pipelines'),
      this._pipelineList,
      h('div', { class: 'jp-SageMakerAck-runsHeader' }, this._runsTitle, this._clear),
      this._runList,
      this._history.node
    );
    this._model.changed.connect(this._render, this);
    this._model.ended.connect(this._onEnded, this);
  }

  dispose(): void {
    this._stopPolling();
    this._model.setFollowing(false);
    this._model.changed.disconnect(this._render, this);
    this._model.ended.disconnect(this._onEnded, this);
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._model.setFollowing(true);
    this._poll();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._model.setFollowing(false);
    this._stopPolling();
  }

  private _poll(): void {
    this._stopPolling();
    const started = Date.now();
    const refreshed = document.visibilityState === 'hidden' ? Promise.resolve() : this._model.refresh();
    void refreshed.then(() => {
      if (this.isVisible && !this.isDisposed) {
        const period = this._model.error ? ERROR_POLL_MS : POLL_MS;
        this._timer = window.setTimeout(() => this._poll(), Math.max(0, period - (Date.now() - started)));
      }
    });
  }

  private _stopPolling(): void {
    if (this._timer !== null) {
      window.clearTimeout(this._timer);
      this._timer = null;
    }
  }

  /** A run of the pipeline whose history shows ended: its row there gets its outcome and duration. */
  private _onEnded(_model: RunsModel, run: IRunSnapshot): void {
    if (this._selected && run.pipelineName === this._selected) {
      void this._history.load(this._selected);
    }
  }

  private _selectPipeline(pipelineName: string | null): void {
    this._selected = pipelineName;
    this._render();
    void this._history.load(pipelineName);
  }

  private _render(): void {
    const error = this._model.error;
    const refreshed = this._model.lastRefresh;
    const success = this._model.lastSuccess;
    this._status.className = error ? 'jp-SageMakerAck-status jp-SageMakerAck-error' : 'jp-SageMakerAck-status';
    if (error) {
      const asOf = success ? ` Showing the runs as of ${formatTime(success.toISOString())}.` : '';
      this._status.textContent = `${error}${asOf}`;
    } else {
      this._status.textContent = refreshed ? `Updated ${formatTime(refreshed.toISOString())}` : 'Loading\u2026';
    }
    this._problems.replaceChildren(
      ...this._model.problems.map(p =>
        h('li', { class: 'jp-SageMakerAck-warning' }, p.fix ? `${p.problem} \u2014 ${p.fix}` : p.problem)
      )
    );

    this._pipelineList.replaceChildren(...this._model.pipelines.map(p => this._pipelineRow(p)));
    if (this._model.pipelines.length === 0) {
      this._pipelineList.append(h('li', { class: 'jp-SageMakerAck-muted' }, refreshed ? 'No pipelines.' : ''));
    }

    const runs = this._model.runs.filter(run => !this._selected || run.pipelineName === this._selected);
    this._runsTitle.textContent = this._selected ? `Runs of ${this._selected} (${runs.length})` : `Runs (${runs.length})`;
    this._clear.classList.toggle('jp-SageMakerAck-hidden', !this._selected);
    const rows: HTMLElement[] = [];
    const seen = new Map<string, { fingerprint: string; row: HTMLElement }>();
    for (const run of runs) {
      const key = runKey(run);
      const stale = this._model.staleSince(run);
      const fingerprint =
        rowFingerprint(run) +
        `|${run.origin ?? ''}|${stale ? stale.getTime() : ''}` +
        (run.endTime ? '' : `|${elapsed(run.startTime, null)}`);
      const known = this._rows.get(key);
      const row = known && known.fingerprint === fingerprint ? known.row : this._runRow(run, stale);
      seen.set(key, { fingerprint, row });
      rows.push(row);
    }
    this._rows = seen;
    this._runList.replaceChildren(...rows);
    if (runs.length === 0) {
      this._runList.append(h('li', { class: 'jp-SageMakerAck-muted' }, refreshed ? 'No runs.' : ''));
    }
  }

  private _pipelineRow(pipeline: IPipelineSummary): HTMLElement {
    const row = h(
      'li',
      {
        class: `jp-SageMakerAck-pipelineRow${this._selected === pipeline.pipelineName ? ' jp-mod-selected' : ''}`,
        title: pipeline.arn ?? `${pipeline.namespace}/${pipeline.name}`,
        'data-pipeline': pipeline.pipelineName
      },
      h('span', { class: 'jp-SageMakerAck-rowName' }, pipeline.pipelineName),
      h('span', { class: 'jp-SageMakerAck-muted' }, pipeline.namespace),
      pipeline.status ? renderBadge(pipeline.status) : null
    );
    row.addEventListener('click', () =>
      this._selectPipeline(this._selected === pipeline.pipelineName ? null : pipeline.pipelineName)
    );
    return row;
  }

  private _runRow(run: IRunSnapshot, staleSince: Date | null): HTMLElement {
    const progress = knownProgress(run) && run.progress ? formatProgress(run.progress) : '';
    const started = run.startTime ? `started ${formatTime(run.startTime)}` : 'not started';
    const details = [run.pipelineName, started, progress, elapsed(run.startTime, run.endTime)]
      .filter(Boolean)
      .join(' \u00b7 ');
    const label = runLabel(run);
    const tags: HTMLElement[] = [];
    if (crGone(run)) {
      tags.push(h('span', { class: 'jp-SageMakerAck-tag jp-SageMakerAck-originTag' }, originTag(run)));
    }
    if (staleSince) {
      const asOf = `stale \u00b7 as of ${formatTime(staleSince.toISOString())}`;
      tags.push(h('span', { class: 'jp-SageMakerAck-tag jp-SageMakerAck-staleTag' }, asOf));
    }
    const title = [label.full, run.failureReason, run.executionArn].filter(Boolean).join('\n');
    const row = h(
      'li',
      {
        class: `jp-SageMakerAck-runRow${staleSince ? ' jp-mod-stale' : ''}`,
        'data-run': runKey(run),
        'data-status': run.status,
        'data-origin': run.origin ?? '',
        'data-arn': run.executionArn ?? '',
        'data-stale': staleSince ? 'true' : 'false',
        title
      },
      renderBadge(run.status),
      h(
        'div',
        { class: 'jp-SageMakerAck-runText' },
        h(
          'span',
          { class: 'jp-SageMakerAck-rowName' },
          h('span', { class: 'jp-SageMakerAck-namePrefix' }, label.prefix),
          h('span', { class: 'jp-SageMakerAck-nameSuffix' }, label.suffix)
        ),
        h('span', { class: 'jp-SageMakerAck-muted jp-SageMakerAck-runDetails' }, details),
        tags.length ? h('span', { class: 'jp-SageMakerAck-tags' }, ...tags) : null
      )
    );
    if (run.name) {
      row.addEventListener('click', () => this._openRun(run));
    }
    return row;
  }

  private _model: RunsModel;
  private _openRun: (run: IRunSnapshot) => void;
  private _status = h('div', { class: 'jp-SageMakerAck-status' }, 'Loading\u2026');
  private _problems = h('ul', { class: 'jp-SageMakerAck-list jp-SageMakerAck-problems' });
  private _pipelineList = h('ul', { class: 'jp-SageMakerAck-list jp-SageMakerAck-pipelines' });
  private _runsTitle = h('h3', {}, 'Runs');
  private _clear: HTMLButtonElement;
  private _runList = h('ul', { class: 'jp-SageMakerAck-list jp-SageMakerAck-runs' });
  private _rows = new Map<string, { fingerprint: string; row: HTMLElement }>();
  private _selected: string | null = null;
  private _history: HistorySection;
  private _timer: number | null = null;
}
