/**
 * The one place the front end keeps what it knows about pipelines and runs. The sidebar polls it; run
 * views push their websocket snapshots into it; everyone redraws from its `changed` signal.
 */

import { ISignal, Signal } from '@lumino/signaling';

import { ApiError, listPipelines, listRuns } from './api';
import { applySnapshot, mergeRunList, runKey } from './snapshots';
import { IPipelineSummary, IRunSnapshot } from './wire';

export class RunsModel {
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get pipelines(): readonly IPipelineSummary[] {
    return this._pipelines;
  }

  get runs(): readonly IRunSnapshot[] {
    return this._runs;
  }

  /** The last refresh's error (problem and fix), or null when it worked. */
  get error(): string | null {
    return this._error;
  }

  get lastRefresh(): Date | null {
    return this._lastRefresh;
  }

  run(key: string): IRunSnapshot | undefined {
    return this._runs.find(run => runKey(run) === key);
  }

  /** Fetch pipelines and runs; concurrent calls share one request. */
  refresh(): Promise<void> {
    if (!this._pending) {
      this._pending = this._refresh().finally(() => {
        this._pending = null;
      });
    }
    return this._pending;
  }

  /** A snapshot from a run view's websocket or a Stop answer. */
  apply(snapshot: IRunSnapshot): void {
    this._runs = applySnapshot(this._runs, snapshot);
    this._changed.emit();
  }

  private async _refresh(): Promise<void> {
    try {
      const [pipelines, runs] = await Promise.all([listPipelines(), listRuns()]);
      this._pipelines = pipelines;
      this._runs = mergeRunList(this._runs, runs);
      this._error = null;
    } catch (error) {
      this._error = error instanceof ApiError ? error.message : String(error);
    }
    this._lastRefresh = new Date();
    this._changed.emit();
  }

  private _changed = new Signal<this, void>(this);
  private _pipelines: IPipelineSummary[] = [];
  private _runs: IRunSnapshot[] = [];
  private _error: string | null = null;
  private _lastRefresh: Date | null = null;
  private _pending: Promise<void> | null = null;
}
