/**
 * One run in the main area: DAG with live step states, step table with console/log links, and Stop.
 * Live updates come over the run's websocket; when it drops, the view polls until the run is final.
 */

import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { ApiError, getRun, stopRun, watchRun } from './api';
import { h } from './dom';
import { renderRunView, viewerOf } from './dagview';
import { RunsModel } from './runsmodel';
import { applySnapshot } from './snapshots';
import { isActive } from './states';
import { IRunSnapshot } from './wire';

const FALLBACK_POLL_MS = 2000;

export class RunView extends Widget {
  constructor(
    readonly namespace: string,
    readonly runName: string,
    private readonly _model: RunsModel
  ) {
    super();
    this.addClass('jp-SageMakerAck-runView');
    this.id = `jp-SageMakerAck-run-${namespace}-${runName}`;
    this.title.label = runName;
    this.title.caption = `SageMaker pipeline run ${namespace}/${runName}`;
    this.title.closable = true;

    this._stop = h('button', { class: 'jp-SageMakerAck-button jp-mod-warn', disabled: '' }, 'Stop');
    this._stop.addEventListener('click', () => void this._confirmStop());
    const refresh = h('button', { class: 'jp-SageMakerAck-button' }, 'Refresh');
    refresh.addEventListener('click', () => void this._load());
    this.node.append(h('div', { class: 'jp-SageMakerAck-toolbar' }, this._stop, refresh, this._message), this._body);
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

  private _say(text: string, isError = false): void {
    this._message.textContent = text;
    this._message.classList.toggle('jp-SageMakerAck-error', isError);
  }

  private _snapshot: IRunSnapshot | null = null;
  private _closeStream: () => void = () => undefined;
  private _stop: HTMLButtonElement;
  private _message = h('span', { class: 'jp-SageMakerAck-message' });
  private _body = h('div', { class: 'jp-SageMakerAck-runBody' }, 'Loading\u2026');
}
