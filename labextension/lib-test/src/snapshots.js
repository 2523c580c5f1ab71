"use strict";
/**
 * Merging run snapshots as they arrive (list polls, websocket messages) and deriving what the views show
 * from them: step states per DAG node, progress counts, and a fingerprint that says whether a row changed.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.NOT_RUN = void 0;
exports.runKey = runKey;
exports.knownProgress = knownProgress;
exports.applySnapshot = applySnapshot;
exports.mergeRunList = mergeRunList;
exports.sortRuns = sortRuns;
exports.stepStates = stepStates;
exports.progressOf = progressOf;
exports.rowFingerprint = rowFingerprint;
const states_1 = require("./states");
/** The identity of a run: its namespace and PipelineExecution name (or its ARN while it has no name). */
function runKey(run) {
    return `${run.namespace}/${run.name ?? run.executionArn ?? run.pipelineName}`;
}
function updatedAtOf(run) {
    const value = run.updatedAt ? Date.parse(run.updatedAt) : NaN;
    return Number.isNaN(value) ? -Infinity : value;
}
/** A run that has ended stays ended: the cluster's copy of its status may lag SageMaker's by seconds. */
function hasOutcome(run) {
    return !!run.outcome || (0, states_1.isFinal)(run.status);
}
/** Progress counts that say something (a snapshot from the cluster alone has no steps to count). */
function knownProgress(run) {
    return !!run.progress && run.progress.total > 0;
}
/**
 * The list with `snapshot` in place of the run with the same key, or added to it. An older snapshot (by
 * `updatedAt`) never replaces a newer one, and nothing undoes an outcome, so a poll of the cluster cannot
 * undo what SageMaker's stream showed. Steps, DAG and progress already known are kept when the new
 * snapshot comes without them (list answers).
 */
function applySnapshot(runs, snapshot) {
    const key = runKey(snapshot);
    const index = runs.findIndex(run => runKey(run) === key);
    if (index < 0) {
        return sortRuns([...runs, snapshot]);
    }
    const current = runs[index];
    if (updatedAtOf(snapshot) < updatedAtOf(current) || (hasOutcome(current) && !hasOutcome(snapshot))) {
        return [...runs];
    }
    const merged = {
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
function mergeRunList(runs, incoming) {
    const known = new Map(runs.map(run => [runKey(run), run]));
    let next = incoming.map(run => known.get(runKey(run)) ?? run);
    for (const run of incoming) {
        next = applySnapshot(next, run);
    }
    return sortRuns(next);
}
function startOf(run) {
    const value = run.startTime ? Date.parse(run.startTime) : NaN;
    return Number.isNaN(value) ? Infinity : value;
}
/** Newest first; runs that have not started yet (no start time) on top; ties by key for a stable order. */
function sortRuns(runs) {
    return runs.sort((a, b) => {
        const byStart = startOf(b) - startOf(a);
        if (byStart !== 0 && !Number.isNaN(byStart)) {
            return byStart;
        }
        return runKey(a) < runKey(b) ? -1 : runKey(a) > runKey(b) ? 1 : 0;
    });
}
/** The state shown for a step a finished run never reached (e.g. the branch a condition did not take). */
exports.NOT_RUN = 'Not run';
/**
 * The state of every DAG node under a run: the step's status when SageMaker reported it, `Pending` for a
 * node a live run has not reached yet, `Not run` once the run is over, nothing at all without a run.
 */
function stepStates(dag, run) {
    const states = new Map();
    if (!run) {
        return states;
    }
    const over = !!run.outcome || (0, states_1.isFinal)(run.status);
    for (const node of dag.nodes) {
        states.set(node.name, over ? exports.NOT_RUN : 'Pending');
    }
    for (const step of run.steps ?? []) {
        states.set(step.name, over && (0, states_1.toneOf)(step.status) === 'pending' ? exports.NOT_RUN : step.status);
    }
    return states;
}
/** The run's progress counts, from the snapshot when it has them or else counted from its steps. */
function progressOf(run, dag) {
    if (run.progress && knownProgress(run)) {
        return run.progress;
    }
    const steps = run.steps ?? [];
    const count = (tone) => steps.filter(step => (0, states_1.toneOf)(step.status) === tone).length;
    return {
        total: Math.max(dag?.nodes.length ?? 0, steps.length),
        succeeded: count('succeeded'),
        failed: count('failed'),
        running: count('running') + count('stopping')
    };
}
/** A string that changes whenever anything a sidebar row shows changes. */
function rowFingerprint(run) {
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
