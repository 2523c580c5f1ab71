/**
 * What a run or step state looks like: its colour, icon, CSS modifier and whether it is final. The table is
 * the package's one state table (statetable.ts, generated from the JSON the Python picture reads), so the
 * DAG picture, the step table, the progress bar, the sidebar badges and the static SVG never disagree.
 */

import { STATE_TABLE } from './statetable';

export type StateTone = keyof typeof STATE_TABLE.tones;

export interface IStateStyle {
  tone: StateTone;
  fill: string;
  stroke: string;
  text: string;
  /** A glyph that says the state without colour (✓ ✗ ▶ ■ ○ –). */
  icon: string;
  label: string;
}

const TONE_OF_STATE = new Map<string, StateTone>(
  Object.entries(STATE_TABLE.states).map(([state, tone]) => [state.toLowerCase(), tone as StateTone])
);

const FINAL_TONES: ReadonlySet<string> = new Set<string>(STATE_TABLE.final);

/** The tone of a run or step state as the wire spells it (case-insensitive; anything else is unknown). */
export function toneOf(state: string | null | undefined): StateTone {
  if (!state) {
    return 'unknown';
  }
  return TONE_OF_STATE.get(state.toLowerCase()) ?? 'unknown';
}

export function styleOf(state: string | null | undefined): IStateStyle {
  const tone = toneOf(state);
  return { tone, ...STATE_TABLE.tones[tone] };
}

/** How a node without any run is drawn (a pipeline's structure). */
export const NO_STATE_STYLE = STATE_TABLE.noState;

/** The stroke and dash pattern of an edge kind; unknown kinds are drawn like `depends_on`. */
export function edgeStyleOf(kind: string): { stroke: string; dash: string } {
  const styles: { [kind: string]: { stroke: string; dash: string } } = STATE_TABLE.edges;
  return styles[kind] ?? styles.depends_on;
}

/** A CSS class naming the state's tone, e.g. `jp-SageMakerAck-state-running`. */
export function stateClass(state: string | null | undefined): string {
  return `jp-SageMakerAck-state-${toneOf(state)}`;
}

/** True when nothing will change any more: Succeeded, Failed or Stopped. */
export function isFinal(state: string | null | undefined): boolean {
  return FINAL_TONES.has(toneOf(state));
}

/** True for a run that may still change and is worth watching. */
export function isActive(run: { status: string; outcome?: string | null }): boolean {
  return !run.outcome && !isFinal(run.status);
}

/** True for a Failed or Stopped run: a retry can run it again from where it ended. */
export function isRetryable(run: { status: string; outcome?: string | null }): boolean {
  const tone = toneOf(run.outcome ?? run.status);
  return tone === 'failed' || tone === 'stopped';
}
