/**
 * One run in the main area: DAG with live step states, step table with console/log links, Stop, and Retry
 * for a Failed or Stopped run (the plan is shown before the new run is created).
 * Live updates come over the run's websocket; when it drops, the view polls until the run is final.
 */

import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { ApiError, getRun, retryRun, stopRun, watchRun } from './api';
import { h } from './dom';
import { renderRunView, viewerOf } from './dagview';
import { RunsModel } from './runsmodel';
import { applySnapshot } from './snapshots';
import { isActive, isRetryable } from './states';
import { IRetryPlan, IRunSnapshot } from './wire';

const FALLBACK_POLL_MS = 2000;

export class RunView extends Widget {
  constructor(
    readonly namespace: string,
    readonly runName: string,
    private readonly _model: RunsModel,
    private readonly _openRun: (namespace: string, name: string) => void = () => undefined
  ) {
    super();
    this.addClass('jp-SageMakerAck-runView');
    this.id = `jp-SageMakerAck-run-${namespace}-${runName}`;
    this.title.label = runName;
    this.title.caption = `SageMaker pipeline run ${namespace}/${runName}`;
    this.title.closable = true;

    this._stop = h('button', { class: 'jp-SageMakerAck-button jp-mod-warn', disabled: '' }, 'Stop');
    this._stop.addEventListener('click', () => void this._confirmStop());
    this._retry = h(
      'button',
      { class: 'jp-SageMakerAck-button jp-SageMakerAck-retry', disabled: '', title: 'Retry from the failed step' },
      'Retry'
    );
    this._retry.addEventListener('click', () => void this._confirmRetry());
    const refresh = h('button', { class: 'jp-SageMakerAck-button' }, 'Refresh');
    refresh.addEventListener('click', () => void this._load());
    this.node.append(
      h('div', { class: 'jp-SageMakerAck-toolbar' }, this._stop, this._retry, refresh, this._message),
      this._body
    );
    void this._load().then(() => this._watch());
  }

  get snapshot(): IRunSnapshot | null {
    return this._snapshot;
  }

  dispose(): void {
    this._closeStream();
    super.dispose();
  }

  private async _load(): Promise<void> {
    try {
      this._show(await getRun(this.namespace, this.runName));
    } catch (error) {
      this._say(error instanceof ApiError ? error.message : String(error), true);
    }
  }

  private _watch(): void {
    if (this.isDisposed || (this._snapshot && !isActive(this._snapshot))) {
      return;
    }
    this._closeStream();
    this._closeStream = watchRun(
      this.namespace,
      this.runName,
      snapshot => this._show(snapshot),
      (_clean, problem) => {
        if (problem) {
          this._say(problem, true);
        }
        this._pollUntilFinal();
      }
    );
  }

  private _pollUntilFinal(): void {
    this._closeStream = () => undefined;
    if (this.isDisposed || (this._snapshot && !isActive(this._snapshot))) {
      return;
    }
    const timer = window.setTimeout(() => {
      void this._load().then(() => this._pollUntilFinal());
    }, FALLBACK_POLL_MS);
    this._closeStream = () => window.clearTimeout(timer);
  }

  private _show(snapshot: IRunSnapshot): void {
    // Stream messages may come without the DAG; keep the one the first answer carried.
    const merged = this._snapshot ? applySnapshot([this._snapshot], snapshot)[0] : snapshot;
    this._snapshot = merged;
    this._model.apply(merged);
    // One viewer for the view's life: updates recolour it in place, so zoom, pan and follow survive.
    const viewer = viewerOf(this._body.firstElementChild);
    if (viewer) {
      viewer.update(merged);
    } else {
      this._body.replaceChildren(renderRunView(merged));
    }
    this._stop.disabled = !isActive(merged) || merged.status === 'Stopping';
    this._retry.disabled = this._retrying || !isRetryable(merged);
    this._say('');
  }

  private async _confirmStop(): Promise<void> {
    const result = await showDialog({
      title: 'Stop pipeline run',
      body: `Stop ${this.namespace}/${this.runName}? Running steps are stopped too.`,
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Stop run' })]
    });
    if (!result.button.accept) {
      return;
    }
    this._stop.disabled = true;
    this._say('Stopping\u2026');
    try {
      this._show(await stopRun(this.namespace, this.runName));
      this._watch();
    } catch (error) {
      this._stop.disabled = false;
      this._say(error instanceof ApiError ? error.message : String(error), true);
    }
  }

  private async _confirmRetry(): Promise<void> {
    this._retrying = true;
    this._retry.disabled = true;
    try {
      this._say('Planning the retry\u2026');
      const { plan } = await retryRun(this.namespace, this.runName, false);
      this._say('');
      const result = await showDialog({
        title: 'Retry pipeline run',
        body: new Widget({ node: renderRetryPlan(plan) }),
        buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Retry run' })]
      });
      if (!result.button.accept) {
        return;
      }
      this._say('Creating the new run\u2026');
      const answer = await retryRun(this.namespace, this.runName, true, null, plan.name);
      this._say(`Created ${answer.plan.name}.`);
      this._openRun(answer.plan.namespace, answer.plan.name);
    } catch (error) {
      this._say(error instanceof ApiError ? error.message : String(error), true);
    } finally {
      this._retrying = false;
      this._retry.disabled = !this._snapshot || !isRetryable(this._snapshot);
    }
  }

  private _say(text: string, isError = false): void {
    this._message.textContent = text;
    this._message.classList.toggle('jp-SageMakerAck-error', isError);
  }

  private _snapshot: IRunSnapshot | null = null;
  private _closeStream: () => void = () => undefined;
  private _stop: HTMLButtonElement;
  private _retry: HTMLButtonElement;
  private _retrying = false;
  private _message = h('span', { class: 'jp-SageMakerAck-message' });
  private _body = h('div', { class: 'jp-SageMakerAck-runBody' }, 'Loading\u2026');
}

function stepList(title: string, steps: string[], kind: string): HTMLElement {
  return h(
    'div',
    { class: `jp-SageMakerAck-retryList jp-SageMakerAck-retry-${kind}` },
    h('strong', {}, `${title} (${steps.length}): `),
    steps.length ? steps.join(', ') : 'none'
  );
}

/** The retry dialog's body: the new run's name, the steps it runs again and the steps it reuses. */
export function renderRetryPlan(plan: IRetryPlan): HTMLElement {
  return h(
    'div',
    { class: 'jp-SageMakerAck-retryPlan' },
    h('p', {}, `Retry ${plan.namespace}/${plan.source} (${plan.sourceStatus}) as a new run `, h('code', {}, plan.name), '.'),
    stepList('Run again', plan.selected, 'selected'),
    stepList('Reused from the failed run', plan.reused, 'reused'),
    plan.notRun.length ? stepList('Not run', plan.notRun, 'notRun') : null
  );
}
