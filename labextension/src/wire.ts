/**
 * The wire shapes shared with the Python side (docs/CONTRACTS.md): run snapshots, the DAG, MIME types and
 * the review answer. Pure types and constants, so every other module can use them without JupyterLab.
 */

export const DAG_MIME_TYPE = 'application/vnd.sagemaker-ack.dag+json';
export const RUN_MIME_TYPE = 'application/vnd.sagemaker-ack.run+json';

export type RunStatus = 'Executing' | 'Stopping' | 'Stopped' | 'Failed' | 'Succeeded' | 'Pending' | 'Unknown';

export type StepStatus = 'Pending' | 'Starting' | 'Executing' | 'Stopping' | 'Stopped' | 'Failed' | 'Succeeded';

export type Outcome = 'Succeeded' | 'Failed' | 'Stopped';

export interface ICondition {
  type: string;
  status: string;
  reason?: string | null;
  message?: string | null;
}

export interface IStepSnapshot {
  name: string;
  type?: string | null;
  status: StepStatus | string;
  startTime?: string | null;
  endTime?: string | null;
  failureReason?: string | null;
  jobArn?: string | null;
  consoleUrl?: string | null;
  logsUrl?: string | null;
  /** True when a selective execution reused this step from an earlier run instead of running it. */
  reused?: boolean | null;
  /** The execution the step was reused from. */
  sourceExecutionArn?: string | null;
}

export interface IProgress {
  total: number;
  succeeded: number;
  failed: number;
  running: number;
}

export interface IRunSnapshot {
  namespace: string;
  name: string | null;
  pipelineName: string;
  executionArn?: string | null;
  status: RunStatus | string;
  outcome?: Outcome | null;
  failureReason?: string | null;
  startTime?: string | null;
  endTime?: string | null;
  updatedAt?: string | null;
  sources?: string[];
  conditions?: ICondition[];
  steps?: IStepSnapshot[];
  progress?: IProgress | null;
  /** SageMaker's name for the execution. */
  displayName?: string | null;
  /** Set by run listings: `cluster` (the run has its CR) or `sagemaker` (only SageMaker lists it: CR gone). */
  origin?: 'cluster' | 'sagemaker' | null;
  /** Present on `GET runs/<namespace>/<name>` answers. */
  dag?: IDag | null;
}

export interface IDagNode {
  name: string;
  type?: string | null;
  parent?: string | null;
  branch?: 'if' | 'else' | null;
}

export type EdgeKind = 'depends_on' | 'property' | 'condition_if' | 'condition_else';

export interface IDagEdge {
  source: string;
  target: string;
  kind: EdgeKind | string;
}

export interface IDag {
  pipelineName?: string | null;
  nodes: IDagNode[];
  edges: IDagEdge[];
  /** The DAG MIME bundle may carry the last known run. */
  run?: IRunSnapshot | null;
}

export interface IPipelineSummary {
  namespace: string;
  name: string;
  pipelineName: string;
  status?: string | null;
  arn?: string | null;
}

export interface IFinding {
  code: string;
  severity: string;
  message: string;
  hint?: string | null;
  file?: string | null;
  line?: number | null;
  column?: number | null;
  step?: string | null;
  parameter?: string | null;
}

export interface IReviewResult {
  findings: IFinding[];
  dag: IDag | null;
  verification: { [key: string]: unknown } | null;
}

/** A user mistake reported by the server extension (core.errors.UserError). */
export interface IProblem {
  problem: string;
  fix?: string | null;
}

/** `GET runs`: the runs, and the sources that could not be asked (then the list is partial). */
export interface IRunList {
  runs: IRunSnapshot[];
  problems?: IProblem[];
}

/** What a retry would create (`POST runs/<ns>/<name>/retry`): the new run's name and its steps. */
export interface IRetryPlan {
  namespace: string;
  source: string;
  sourceExecutionArn: string;
  sourceStatus: string;
  name: string;
  selected: string[];
  reused: string[];
  notRun: string[];
}

export interface IRetryAnswer {
  plan: IRetryPlan;
  created: boolean;
}

/** One run of `GET history?pipeline=`: a run snapshot without steps, plus what it ran with. */
export interface IHistoryRun extends IRunSnapshot {
  durationSeconds?: number | null;
  parameters?: { [name: string]: string } | null;
  definitionDigest?: string | null;
  definitionVersionId?: string | null;
  retryOf?: string | null;
}

export interface IStepSide {
  status: string;
  durationSeconds?: number | null;
  reused?: boolean | null;
}

/** `GET compare?a=&b=`: parameter differences, the definitions' diff and the steps side by side. */
export interface ICompareResult {
  a: IRunSnapshot;
  b: IRunSnapshot;
  parameters: { name: string; a: string | null; b: string | null }[];
  /** The semantic diff of the two definitions (core.diff), or null when one could not be read. */
  definition: { identical: boolean; summary: string[]; [key: string]: unknown } | null;
  steps: { name: string; a: IStepSide | null; b: IStepSide | null }[];
}
