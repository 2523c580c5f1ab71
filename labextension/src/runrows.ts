/**
 * What a sidebar row says about a run, as plain text: a name that tells runs of one pipeline apart, where
 * the run came from, and whether the row's data is stale. Pure functions, so they are unit-tested alone.
 */

import { shortArn } from './format';
import { IRunSnapshot } from './wire';

/** A run's name cut where a narrow sidebar may shorten it: `prefix` can be elided, `suffix` never. */
export interface IRunLabel {
  prefix: string;
  suffix: string;
  full: string;
}

/** The run id this project puts at the end of every run name: `20261204-033506-4164`. */
const RUN_ID = /(\d{8}-\d{6}-[0-9a-f]{4})$/i;

function kebab(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The name to show (the CR name, else SageMaker's display name, else the ARN's id), split so that the part
 * that differs between runs of the same pipeline stays visible: the run id, or what follows the pipeline's
 * name, or else the last dash-separated part.
 */
export function runLabel(run: IRunSnapshot): IRunLabel {
  const full = run.name || run.displayName || shortArn(run.executionArn) || '(pending)';
  const id = RUN_ID.exec(full);
  let cut = id ? id.index : -1;
  if (cut <= 0 && run.pipelineName) {
    const lead = kebab(run.pipelineName);
    if (lead && full.toLowerCase().startsWith(`${lead}-`) && full.length > lead.length + 1) {
      cut = lead.length + 1;
    }
  }
  if (cut <= 0) {
    const dash = full.lastIndexOf('-');
    cut = dash > 0 && dash < full.length - 1 ? dash + 1 : 0;
  }
  return { prefix: full.slice(0, cut), suffix: full.slice(cut), full };
}

/** Whether only SageMaker knows the run: its PipelineExecution CR is gone (a stop deletes it). */
export function crGone(run: IRunSnapshot): boolean {
  return run.origin === 'sagemaker';
}

/** The tag a row shows for where the run came from ('' for a run with its CR). */
export function originTag(run: IRunSnapshot): string {
  return crGone(run) ? 'SageMaker \u00b7 CR gone' : '';
}
