"use strict";
/**
 * What a run or step state looks like: its colour, its CSS modifier and whether it is final. One table, so
 * the DAG picture, the step table, the progress bar and the sidebar badges never disagree.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.toneOf = toneOf;
exports.styleOf = styleOf;
exports.stateClass = stateClass;
exports.isFinal = isFinal;
exports.isActive = isActive;
const STYLES = {
    pending: { tone: 'pending', fill: '#f5f5f5', stroke: '#9e9e9e', text: '#424242' },
    running: { tone: 'running', fill: '#e3f2fd', stroke: '#1e88e5', text: '#0d47a1' },
    stopping: { tone: 'stopping', fill: '#fff8e1', stroke: '#fb8c00', text: '#e65100' },
    succeeded: { tone: 'succeeded', fill: '#e8f5e9', stroke: '#43a047', text: '#1b5e20' },
    failed: { tone: 'failed', fill: '#ffebee', stroke: '#e53935', text: '#b71c1c' },
    stopped: { tone: 'stopped', fill: '#eceff1', stroke: '#546e7a', text: '#263238' },
    unknown: { tone: 'unknown', fill: '#ffffff', stroke: '#bdbdbd', text: '#616161' }
};
const TONE_OF_STATE = {
    pending: 'pending',
    notstarted: 'pending',
    'not run': 'unknown',
    starting: 'running',
    executing: 'running',
    running: 'running',
    stopping: 'stopping',
    succeeded: 'succeeded',
    failed: 'failed',
    stopped: 'stopped',
    unknown: 'unknown'
};
const FINAL_TONES = new Set(['succeeded', 'failed', 'stopped']);
/** The tone of a run or step state as the wire spells it (case-insensitive; anything else is unknown). */
function toneOf(state) {
    if (!state) {
        return 'unknown';
    }
    return TONE_OF_STATE[state.toLowerCase()] ?? 'unknown';
}
function styleOf(state) {
    return STYLES[toneOf(state)];
}
/** A CSS class naming the state's tone, e.g. `jp-SageMakerAck-state-running`. */
function stateClass(state) {
    return `jp-SageMakerAck-state-${toneOf(state)}`;
}
/** True when nothing will change any more: Succeeded, Failed or Stopped. */
function isFinal(state) {
    return FINAL_TONES.has(toneOf(state));
}
/** True for a run that may still change and is worth watching. */
function isActive(run) {
    return !run.outcome && !isFinal(run.status);
}
