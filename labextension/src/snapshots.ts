/**
 * Merging run snapshots as they arrive (list polls, websocket messages) and deriving what the views show
 * from them: step states per DAG node, progress counts, and a fingerprint that says whether a row changed.
 */

import { isFinal, toneOf } from './states';
import { IDag, IProgress, IRunSnapshot } from './wire';

/** The identity of a run: its namespace and PipelineExecution name (or its ARN while it has no name). */
export function runKey(run: IRunSnapshot): string {
  return `${run.namespace}/${run.name ?? run.executionArn ?? run.pipelineName}`;
}

function updatedAtOf(run: IRunSnapshot): number {
  const value = run.updatedAt ? Date.parse(run.updatedAt) : NaN;
  return Number.isNaN(value) ? -Infinity : value;
}

/** A run that has ended stays ended: the cluster's copy of its status may lag SageMaker's by seconds. */
function hasOutcome(run: IRunSnapshot): boolean {
  return !!run.outcome || isFinal(run.status);
}

/** Progress counts that say something (a snapshot from the cluster alone has no steps to count). */
export function knownProgress(run: IRunSnapshot): boolean {
  return !!run.progress && run.progress.total > 0;
}

/**
 * The list with `snapshot` in place of the run with the same key, or added to it. An older snapshot (by
 * `updatedAt`) never replaces a newer one, and nothing undoes an outcome, so a poll of the cluster cannot
 * undo what SageMaker's stream showed. Steps, DAG and progress already known are kept when the new
 * snapshot comes without them (list answers).
 */
export function applySnapshot(runs: readonly IRunSnapshot[], snapshot: IRunSnapshot): IRunSnapshot[] {
  const key = runKey(snapshot);
  const index = runs.findIndex(run => runKey(run) === key);
  if (index < 0) {
    return sortRuns([...runs, snapshot]);
  }
  const current = runs[index];
  if (updatedAtOf(snapshot) < updatedAtOf(current) || (hasOutcome(current) && !hasOutcome(snapshot))) {
    return [...runs];
  }
  const merged: IRunSnapshot = {
    ...snapshot,
    steps: snapshot.steps ?? current.steps,
    dag: snapshot.dag ?? current.dag,
    progress: knownProgress(snapshot) ? snapshot.progress : current.progress
  };
  const next = [...runs];
  next[index] = merged;
  return sortRuns(next);
}

/** Merge a whole list answer into what is known: each incoming run applied, runs no longer listed dropped. */
export function mergeRunList(
  runs: readonly IRunSnapshot[],
  incoming: readonly IRunSnapshot[]
): IRunSnapshot[] {
  const known = new Map(runs.map(run => [runKey(run), run]));
  let next: IRunSnapshot[] = incoming.map(run => known.get(runKey(run)) ?? run);
  for (const run of incoming) {
    next = applySnapshot(next, run);
  }
  return sortRuns(next);
}

function startOf(run: IRunSnapshot): number {
  const value = run.startTime ? Date.parse(run.startTime) : NaN;
  return Number.isNaN(value) ? Infinity : value;
}

/** Newest first; runs that have not started yet (no start time) on top; ties by key for a stable order. */
export function sortRuns(runs: IRunSnapshot[]): IRunSnapshot[] {
  return runs.sort((a, b) => {
    const byStart = startOf(b) - startOf(a);
    if (byStart !== 0 && !Number.isNaN(byStart)) {
      return byStart;
    }
    return runKey(a) < runKey(b) ? -1 : runKey(a) > runKey(b) ? 1 : 0;
  });
}

/** The state shown for a step a finished run never reached (e.g. the branch a condition did not take). */
export const NOT_RUN = 'Not run';

/**
 * The state of every DAG node under a run: the step's status when SageMaker reported it, `Pending` for a
 * node a live run has not reached yet, `Not run` once the run is over, nothing at all without a run.
 */
export function stepStates(dag: IDag, run: IRunSnapshot | null | undefined): Map<string, string> {
  const states = new Map<string, string>();
  if (!run) {
    return states;
  }
  const over = !!run.outcome || isFinal(run.status);
  for (const node of dag.nodes) {
    states.set(node.name, over ? NOT_RUN : 'Pending');
  }
  for (const step of run.steps ?? []) {
    states.set(step.name, over && toneOf(step.status) === 'pending' ? NOT_RUN : step.status);
  }
  return states;
}

/** Progress as the views show it: the wire counts plus the steps a run passed by. */
export interface IProgressView extends IProgress {
  /** Steps in a branch a condition did not take (or left unreached by a run that succeeded): done too. */
  skipped: number;
}

const STARTED_TONES: ReadonlySet<string> = new Set(['running', 'stopping', 'succeeded', 'failed', 'stopped']);

/**
 * The steps a run passed by, the same rule as the Python picture (faces/display/snapshots.py: not_taken):
 * once a run has succeeded, every step that never ran; while it runs, the steps of one branch of a
 * condition that succeeded when a step of its other branch has started.
 */
export function notTakenSteps(dag: IDag, run: IRunSnapshot, states: ReadonlyMap<string, string>): Set<string> {
  const skipped = new Set<string>();
  const waiting = (name: string): boolean => !STARTED_TONES.has(toneOf(states.get(name)));
  const succeeded = run.outcome === 'Succeeded' || (!run.outcome && toneOf(run.status) === 'succeeded');
  for (const node of dag.nodes) {
    if (!waiting(node.name)) {
      continue;
    }
    if (succeeded) {
      skipped.add(node.name);
    } else if (node.parent && toneOf(states.get(node.parent)) === 'succeeded') {
      const otherStarted = dag.nodes.some(
        other => other.parent === node.parent && other.branch !== node.branch && !waiting(other.name)
      );
      if (otherStarted) {
        skipped.add(node.name);
      }
    }
  }
  return skipped;
}

/**
 * The run's progress counts: counted from its steps over the DAG when there are any (so a branch not taken
 * counts as done), else the snapshot's own counts.
 */
export function progressOf(run: IRunSnapshot, dag?: IDag | null): IProgressView {
  const steps = run.steps ?? [];
  const graph: IDag = dag && dag.nodes.length ? dag : { nodes: steps.map(step => ({ name: step.name })), edges: [] };
  if (graph.nodes.length === 0 && run.progress && knownProgress(run)) {
    const p = run.progress;
    const rest = Math.max(p.total - p.succeeded - p.failed - p.running, 0);
    return { ...p, skipped: run.outcome === 'Succeeded' ? rest : 0 };
  }
  const states = stepStates(graph, run);
  const count = (...tones: string[]): number =>
    graph.nodes.filter(node => tones.includes(toneOf(states.get(node.name)))).length;
  return {
    total: graph.nodes.length,
    succeeded: count('succeeded'),
    failed: count('failed'),
    running: count('running', 'stopping'),
    skipped: notTakenSteps(graph, run, states).size
  };
}

/** A string that changes whenever anything a sidebar row shows changes. */
export function rowFingerprint(run: IRunSnapshot): string {
  const p = knownProgress(run) ? run.progress : null;
  return [
    run.status,
    run.outcome ?? '',
    run.startTime ?? '',
    run.endTime ?? '',
    run.failureReason ?? '',
    p ? `${p.succeeded}/${p.failed}/${p.running}/${p.total}` : ''
  ].join('|');
}

/** The steps a selective execution reused from an earlier run (SageMaker's SelectiveExecutionResult). */
export function reusedSteps(run: IRunSnapshot | null | undefined): Set<string> {
  return new Set((run?.steps ?? []).filter(step => step.reused === true).map(step => step.name));
}

/** A step's state as the views say it: `Succeeded (reused)` for a step reused from the source run. */
export function stateText(state: string, reused: boolean): string {
  return reused ? `${state} (reused)` : state;
}
