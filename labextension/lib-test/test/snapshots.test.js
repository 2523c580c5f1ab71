"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const strict_1 = __importDefault(require("node:assert/strict"));
const node_test_1 = require("node:test");
const snapshots_1 = require("../src/snapshots");
function run(name, overrides = {}) {
    return {
        namespace: 'default',
        name,
        pipelineName: 'train',
        status: 'Executing',
        startTime: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-01T00:00:05Z',
        ...overrides
    };
}
const DAG = {
    pipelineName: 'train',
    nodes: [{ name: 'Prep' }, { name: 'Train' }, { name: 'Eval' }],
    edges: [
        { source: 'Prep', target: 'Train', kind: 'depends_on' },
        { source: 'Train', target: 'Eval', kind: 'property' }
    ]
};
(0, node_test_1.test)('a newer snapshot replaces the run with the same key', () => {
    const runs = [run('a'), run('b')];
    const next = (0, snapshots_1.applySnapshot)(runs, run('a', { status: 'Succeeded', updatedAt: '2026-01-01T00:00:09Z' }));
    strict_1.default.equal(next.length, 2);
    strict_1.default.equal(next.find(r => r.name === 'a')?.status, 'Succeeded');
    strict_1.default.equal(runs[0].status, 'Executing', 'the input list is not changed');
});
(0, node_test_1.test)('an older snapshot never undoes a newer one', () => {
    const runs = [run('a', { status: 'Succeeded', updatedAt: '2026-01-01T00:00:09Z' })];
    const next = (0, snapshots_1.applySnapshot)(runs, run('a', { status: 'Executing', updatedAt: '2026-01-01T00:00:01Z' }));
    strict_1.default.equal(next[0].status, 'Succeeded');
});
(0, node_test_1.test)('an ended run stays ended when a lagging cluster copy says it still runs', () => {
    const runs = [run('a', { status: 'Succeeded', outcome: 'Succeeded', updatedAt: '2026-01-01T00:00:09Z' })];
    const next = (0, snapshots_1.applySnapshot)(runs, run('a', { status: 'Executing', updatedAt: '2026-01-01T00:00:10Z' }));
    strict_1.default.equal(next[0].status, 'Succeeded');
});
(0, node_test_1.test)('progress counts are kept when a list answer has none to give', () => {
    const known = { total: 6, succeeded: 3, failed: 0, running: 1 };
    const runs = [run('a', { progress: known })];
    const empty = { total: 0, succeeded: 0, failed: 0, running: 0 };
    const next = (0, snapshots_1.applySnapshot)(runs, run('a', { progress: empty, updatedAt: '2026-01-01T00:00:10Z' }));
    strict_1.default.deepEqual(next[0].progress, known);
    strict_1.default.equal((0, snapshots_1.rowFingerprint)(run('b', { progress: empty })), (0, snapshots_1.rowFingerprint)(run('b')));
});
(0, node_test_1.test)('a list answer keeps steps and DAG already known, and drops runs no longer listed', () => {
    const known = [run('a', { steps: [{ name: 'Prep', status: 'Succeeded' }], dag: DAG }), run('gone')];
    const merged = (0, snapshots_1.mergeRunList)(known, [run('a', { status: 'Executing', updatedAt: '2026-01-01T00:00:06Z' }), run('new')]);
    strict_1.default.deepEqual(merged.map(snapshots_1.runKey).sort(), ['default/a', 'default/new']);
    const a = merged.find(r => r.name === 'a');
    strict_1.default.equal(a?.steps?.length, 1);
    strict_1.default.equal(a?.dag, DAG);
});
(0, node_test_1.test)('runs are listed newest first, not-yet-started on top', () => {
    const merged = (0, snapshots_1.mergeRunList)([], [
        run('old', { startTime: '2026-01-01T00:00:00Z' }),
        run('new', { startTime: '2026-01-02T00:00:00Z' }),
        run('queued', { startTime: null, status: 'Pending' })
    ]);
    strict_1.default.deepEqual(merged.map(r => r.name), ['queued', 'new', 'old']);
});
(0, node_test_1.test)('nodes the run has not reached are Pending; without a run nothing is coloured', () => {
    const states = (0, snapshots_1.stepStates)(DAG, run('a', { steps: [{ name: 'Prep', status: 'Succeeded' }, { name: 'Train', status: 'Executing' }] }));
    strict_1.default.deepEqual([...states.entries()], [
        ['Prep', 'Succeeded'],
        ['Train', 'Executing'],
        ['Eval', 'Pending']
    ]);
    strict_1.default.equal((0, snapshots_1.stepStates)(DAG, null).size, 0);
});
(0, node_test_1.test)('steps a finished run never reached are shown as not run, not as pending', () => {
    const states = (0, snapshots_1.stepStates)(DAG, run('a', { status: 'Failed', outcome: 'Failed', steps: [{ name: 'Prep', status: 'Failed' }] }));
    strict_1.default.equal(states.get('Prep'), 'Failed');
    strict_1.default.equal(states.get('Train'), snapshots_1.NOT_RUN);
    const reportedPending = (0, snapshots_1.stepStates)(DAG, run('a', { status: 'Succeeded', outcome: 'Succeeded', steps: [{ name: 'Eval', status: 'Pending' }] }));
    strict_1.default.equal(reportedPending.get('Eval'), snapshots_1.NOT_RUN, 'a planned step the run is over without is not pending');
});
(0, node_test_1.test)('progress comes from the snapshot, or is counted from its steps', () => {
    const given = { total: 9, succeeded: 1, failed: 0, running: 1 };
    strict_1.default.deepEqual((0, snapshots_1.progressOf)(run('a', { progress: given })), given);
    const counted = (0, snapshots_1.progressOf)(run('a', { steps: [{ name: 'Prep', status: 'Succeeded' }, { name: 'Train', status: 'Failed' }] }), DAG);
    strict_1.default.deepEqual(counted, { total: 3, succeeded: 1, failed: 1, running: 0 });
});
(0, node_test_1.test)('a row fingerprint changes when what the row shows changes', () => {
    const before = (0, snapshots_1.rowFingerprint)(run('a'));
    strict_1.default.equal((0, snapshots_1.rowFingerprint)(run('a', { updatedAt: '2026-01-01T00:00:07Z' })), before);
    strict_1.default.notEqual((0, snapshots_1.rowFingerprint)(run('a', { status: 'Succeeded' })), before);
    strict_1.default.notEqual((0, snapshots_1.rowFingerprint)(run('a', { progress: { total: 3, succeeded: 1, failed: 0, running: 1 } })), before);
});
