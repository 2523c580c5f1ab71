/**
 * When a followed run ends, and what the notification about it says. Pure, so the rules are unit-tested
 * without JupyterLab; notify.ts shows the notice with JupyterLab's Notification API.
 */

import { elapsed } from './format';
import { isActive, toneOf } from './states';
import { IRunSnapshot } from './wire';

export type NoticeKind = 'success' | 'error' | 'warning';

export interface IRunNotice {
  kind: NoticeKind;
  message: string;
}

/** True when `next` is the first snapshot of a run seen active before (`previous`) that is now over. */
export function endedNow(previous: IRunSnapshot | null | undefined, next: IRunSnapshot): boolean {
  return !!previous && isActive(previous) && !isActive(next);
}

/** The notice for a run that ended: success, error or warning with its outcome, time and reason. */
export function outcomeNotice(run: IRunSnapshot): IRunNotice {
  const outcome = run.outcome ?? run.status;
  const tone = toneOf(outcome);
  const kind: NoticeKind = tone === 'succeeded' ? 'success' : tone === 'failed' ? 'error' : 'warning';
  const took = run.endTime ? elapsed(run.startTime, run.endTime) : '';
  const name = run.name ?? run.displayName ?? run.executionArn ?? 'run';
  const parts = [`Pipeline run ${run.namespace}/${name} of ${run.pipelineName}: ${outcome}`];
  if (took) {
    parts[0] += ` after ${took}`;
  }
  if (run.failureReason && tone !== 'succeeded') {
    parts.push(run.failureReason);
  }
  return { kind, message: parts.join(' \u2014 ') };
}
