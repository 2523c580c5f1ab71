/**
 * The text of the sidebar's run-history table and of the comparison view, from `GET history` and
 * `GET compare` answers. Pure, so what a user reads is unit-tested without a browser.
 */

import { formatDuration, formatTime } from './format';
import { ICompareResult, IHistoryRun, IStepSide } from './wire';

export interface IHistoryRow {
  name: string;
  namespace: string;
  status: string;
  started: string;
  duration: string;
  parameters: string;
  version: string;
  retryOf: string;
}

function seconds(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : formatDuration(value * 1000);
}

/** The definition version a run ran: the digest's first 12 hex digits and the S3 version, when known. */
export function versionText(run: IHistoryRun): string {
  const digest = (run.definitionDigest ?? '').replace(/^sha256:/, '').slice(0, 12);
  return [digest, (run.definitionVersionId ?? '').slice(0, 12)].filter(Boolean).join(' ');
}

export function parametersText(parameters: { [name: string]: string } | null | undefined): string {
  return Object.keys(parameters ?? {})
    .sort()
    .map(name => `${name}=${parameters![name]}`)
    .join(', ');
}

export function historyRow(run: IHistoryRun): IHistoryRow {
  return {
    name: run.name ?? run.displayName ?? run.executionArn ?? '',
    namespace: run.namespace,
    status: run.outcome ?? run.status,
    started: formatTime(run.startTime),
    duration: seconds(run.durationSeconds),
    parameters: parametersText(run.parameters),
    version: versionText(run),
    retryOf: run.retryOf ?? ''
  };
}

/** One side of a compared step: `Succeeded 42s (reused)`, or `–` when that run has no such step. */
export function stepSideText(side: IStepSide | null): string {
  if (!side) {
    return '\u2013';
  }
  const took = seconds(side.durationSeconds);
  return [side.status, took, side.reused ? '(reused)' : ''].filter(Boolean).join(' ');
}

export interface ICompareText {
  parameters: string[];
  definition: string[];
  steps: { name: string; a: string; b: string; differs: boolean }[];
}

export function compareText(result: ICompareResult): ICompareText {
  const parameters = result.parameters.map(p => `${p.name}: ${p.a ?? '(unset)'} \u2192 ${p.b ?? '(unset)'}`);
  const definition =
    result.definition === null
      ? ['A definition could not be read, so the definitions are not compared.']
      : result.definition.identical
        ? ['The same definition.']
        : result.definition.summary;
  const steps = result.steps.map(row => {
    const a = stepSideText(row.a);
    const b = stepSideText(row.b);
    return { name: row.name, a, b, differs: (row.a?.status ?? null) !== (row.b?.status ?? null) };
  });
  return { parameters: parameters.length ? parameters : ['The same parameters.'], definition, steps };
}
