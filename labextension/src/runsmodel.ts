/**
 * The one place the front end keeps what it knows about pipelines and runs. The sidebar polls it and lets it
 * follow the newest active runs over their event streams; run views push their snapshots into it; everyone
 * redraws from its `changed` signal. `ended` says when a run followed this way (stream or run view) ends.
 *
 * A row is stale when its data is older than the last successful refresh: every row while the refresh fails
 * (the server or the cluster is down), and a row the last answer left out because a source could not be
 * asked (SageMaker down: its runs whose CR is gone are kept, as they were, rather than dropped).
 */

import { ISignal, Signal } from '@lumino/signaling';

import { ApiError, listPipelines, listRuns, watchRun } from './api';
import { endedNow } from './outcomes';
import { applySnapshot, mergeRunList, runKey, sortRuns } from './snapshots';
import { isActive } from './states';
import { IPipelineSummary, IProblem, IRunSnapshot } from './wire';

/** At most this many runs are followed live at once (each costs the server one watching thread). */
export const MAX_FOLLOWED_RUNS = 8;
/** A stream that closed early is not reopened sooner than this (the list poll still covers the run). */
const REOPEN_AFTER_MS = 10_000;

export class RunsModel {
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** A followed run was seen active and now has an outcome (once per run and ending). */
  get ended(): ISignal<this, IRunSnapshot> {
    return this._ended;
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

  /** When a refresh last worked (null before the first). */
  get lastSuccess(): Date | null {
    return this._lastSuccess;
  }

  /** Sources the last answer could not ask (e.g. SageMaker down): the list is partial. */
  get problems(): readonly IProblem[] {
    return this._problems;
  }

  /** When this row's data was last fresh, if it is older than the last successful refresh; else null. */
  staleSince(run: IRunSnapshot): Date | null {
    const key = runKey(run);
    const freshAt = this._freshAt.get(key) ?? null;
    if (this._error !== null || !this._freshKeys.has(key)) {
      return freshAt ?? this._lastSuccess;
    }
    return null;
  }

  /** Keys of the runs followed over an event stream right now. */
  get followed(): readonly string[] {
    return [...this._streams.keys()];
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
    const key = runKey(snapshot);
    const previous = this.run(key);
    this._runs = applySnapshot(this._runs, snapshot);
    this._freshKeys.add(key);
    this._freshAt.set(key, new Date());
    this._changed.emit();
    const now = this.run(key) ?? snapshot;
    if (endedNow(previous, now)) {
      this._ended.emit(now);
    }
  }

  /** Follow the newest active runs live (while the sidebar shows), or stop following them all. */
  setFollowing(on: boolean): void {
    this._following = on;
    this._updateStreams();
  }

  dispose(): void {
    this.setFollowing(false);
  }

  private async _refresh(): Promise<void> {
    try {
      const [pipelines, listing] = await Promise.all([listPipelines(), listRuns()]);
      const now = new Date();
      this._pipelines = pipelines;
      this._problems = listing.problems ?? [];
      const merged = mergeRunList(this._runs, listing.runs);
      if (this._problems.length > 0) {
        // A partial answer: keep what it left out, as it was (stale), rather than drop it.
        const listed = new Set(merged.map(run => runKey(run)));
        this._runs = sortRuns([...merged, ...this._runs.filter(run => !listed.has(runKey(run)))]);
      } else {
        this._runs = merged;
      }
      this._freshKeys = new Set(listing.runs.map(run => runKey(run)));
      for (const key of this._freshKeys) {
        this._freshAt.set(key, now);
      }
      this._error = null;
      this._lastSuccess = now;
    } catch (error) {
      this._error = error instanceof ApiError ? error.message : String(error);
    }
    this._lastRefresh = new Date();
    this._updateStreams();
    this._changed.emit();
  }

  private _updateStreams(): void {
    const now = Date.now();
    const wanted = new Map<string, IRunSnapshot>();
    if (this._following) {
      for (const run of this._runs) {
        const key = runKey(run);
        if (wanted.size >= MAX_FOLLOWED_RUNS) {
          break;
        }
        if (run.name && isActive(run) && (this._closedAt.get(key) ?? -Infinity) + REOPEN_AFTER_MS <= now) {
          wanted.set(key, run);
        }
      }
    }
    for (const [key, close] of this._streams) {
      if (!wanted.has(key)) {
        this._streams.delete(key);
        close();
      }
    }
    for (const [key, run] of wanted) {
      if (!this._streams.has(key) && run.name) {
        const close = watchRun(
          run.namespace,
          run.name,
          snapshot => this.apply(snapshot),
          () => {
            this._streams.delete(key);
            this._closedAt.set(key, Date.now());
          }
        );
        this._streams.set(key, close);
      }
    }
  }

  private _changed = new Signal<this, void>(this);
  private _ended = new Signal<this, IRunSnapshot>(this);
  private _pipelines: IPipelineSummary[] = [];
  private _runs: IRunSnapshot[] = [];
  private _error: string | null = null;
  private _lastRefresh: Date | null = null;
  private _lastSuccess: Date | null = null;
  private _problems: IProblem[] = [];
  private _freshKeys = new Set<string>();
  private _freshAt = new Map<string, Date>();
  private _pending: Promise<void> | null = null;
  private _following = false;
  private _streams = new Map<string, () => void>();
  private _closedAt = new Map<string, number>();
}
