/**
 * Talks to the server extension under `/sagemaker-ack/` (docs/CONTRACTS.md). ServerConnection adds the
 * token and the XSRF header, so writes pass the server's XSRF check.
 */

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import {
  ICompareResult,
  IHistoryRun,
  IPipelineSummary,
  IProblem,
  IRetryAnswer,
  IReviewResult,
  IRunList,
  IRunSnapshot
} from './wire';

const PREFIX = 'sagemaker-ack';

/** An error the server answered with; `problem` and `fix` come from a UserError when there was one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: string,
    readonly fix: string | null
  ) {
    super(fix ? `${problem} \u2014 ${fix}` : problem);
  }
}

function settings(): ServerConnection.ISettings {
  return ServerConnection.makeSettings();
}

export async function requestAPI<T>(endpoint: string, init: RequestInit = {}): Promise<T> {
  const server = settings();
  const url = URLExt.join(server.baseUrl, PREFIX, endpoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, server);
  } catch (error) {
    throw new ApiError(
      0,
      'The Jupyter server is not answering.',
      'Check that JupyterLab is still running, then refresh.'
    );
  }
  const text = await response.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = { problem: text };
    }
  }
  if (!response.ok) {
    const problem = body as Partial<IProblem> & { message?: string };
    throw new ApiError(
      response.status,
      problem?.problem ?? problem?.message ?? `${response.status} ${response.statusText}`,
      problem?.fix ?? null
    );
  }
  return body as T;
}

function runPath(namespace: string, name: string): string {
  return `runs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

export async function listPipelines(): Promise<IPipelineSummary[]> {
  return (await requestAPI<{ pipelines: IPipelineSummary[] }>('pipelines')).pipelines;
}

/** The runs (CRs and SageMaker's history) and what the server could not ask. */
export async function listRuns(pipeline?: string): Promise<IRunList> {
  const query = pipeline ? `?pipeline=${encodeURIComponent(pipeline)}` : '';
  const answer = await requestAPI<IRunList>(`runs${query}`);
  return { runs: answer.runs, problems: answer.problems ?? [] };
}

export function getRun(namespace: string, name: string): Promise<IRunSnapshot> {
  return requestAPI<IRunSnapshot>(runPath(namespace, name));
}

export function stopRun(namespace: string, name: string): Promise<IRunSnapshot> {
  return requestAPI<IRunSnapshot>(`${runPath(namespace, name)}/stop`, { method: 'POST', body: '{}' });
}

/**
 * Without `confirm` the server only plans the retry; with it, it creates the new run: the one a plan named
 * `planned` when that plan is passed back.
 */
export function retryRun(
  namespace: string,
  name: string,
  confirm: boolean,
  fromStep: string | null = null,
  planned: string | null = null
): Promise<IRetryAnswer> {
  return requestAPI<IRetryAnswer>(`${runPath(namespace, name)}/retry`, {
    method: 'POST',
    body: JSON.stringify({ fromStep, confirm, name: planned })
  });
}

export async function runHistory(pipeline: string, namespace?: string): Promise<IHistoryRun[]> {
  const query = `?pipeline=${encodeURIComponent(pipeline)}` + (namespace ? `&namespace=${encodeURIComponent(namespace)}` : '');
  return (await requestAPI<{ runs: IHistoryRun[] }>(`history${query}`)).runs;
}

export function compareRuns(a: string, b: string, namespace?: string): Promise<ICompareResult> {
  const query = `?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}` + (namespace ? `&namespace=${encodeURIComponent(namespace)}` : '');
  return requestAPI<ICompareResult>(`compare${query}`);
}

export function review(path: string): Promise<IReviewResult> {
  return requestAPI<IReviewResult>('review', { method: 'POST', body: JSON.stringify({ path }) });
}

interface ISubscriber {
  onSnapshot: (run: IRunSnapshot) => void;
  onClose: (clean: boolean, problem: string | null) => void;
}

interface ISharedStream {
  socket: WebSocket;
  subscribers: Set<ISubscriber>;
  last: IRunSnapshot | null;
}

/** One websocket per run in this page, whoever watches it (a run view, the sidebar); keyed by run. */
const streams = new Map<string, ISharedStream>();

function openStream(key: string, namespace: string, name: string): ISharedStream {
  const server = settings();
  let url = URLExt.join(server.wsUrl, PREFIX, runPath(namespace, name), 'events');
  if (server.token) {
    url += `?token=${encodeURIComponent(server.token)}`;
  }
  const stream: ISharedStream = { socket: new server.WebSocket(url), subscribers: new Set(), last: null };
  let problem: string | null = null;
  stream.socket.onmessage = event => {
    let message: Partial<IRunSnapshot & IProblem>;
    try {
      message = JSON.parse(String(event.data));
    } catch {
      return; // a malformed message is skipped; the next snapshot supersedes it anyway
    }
    if (typeof message.problem === 'string') {
      problem = message.fix ? `${message.problem} \u2014 ${message.fix}` : message.problem;
    } else if (typeof message.status === 'string' && typeof message.pipelineName === 'string') {
      stream.last = message as IRunSnapshot;
      for (const subscriber of [...stream.subscribers]) {
        subscriber.onSnapshot(stream.last);
      }
    }
  };
  stream.socket.onclose = event => {
    if (streams.get(key) === stream) {
      streams.delete(key);
    }
    for (const subscriber of [...stream.subscribers]) {
      subscriber.onClose(event.code === 1000, problem);
    }
    stream.subscribers.clear();
  };
  return stream;
}

/**
 * Streams a run's snapshots over the websocket until the server closes it (the run reached an outcome).
 * Every watcher of a run in this page shares one socket (and the server one feed for all pages); a late
 * watcher gets the last snapshot at once. Returns a function that stops this watcher; the socket closes
 * when the last one stops.
 */
export function watchRun(
  namespace: string,
  name: string,
  onSnapshot: (run: IRunSnapshot) => void,
  onClose: (clean: boolean, problem: string | null) => void
): () => void {
  const key = `${namespace}/${name}`;
  let stream = streams.get(key);
  if (!stream) {
    stream = openStream(key, namespace, name);
    streams.set(key, stream);
  }
  const subscriber: ISubscriber = { onSnapshot, onClose };
  stream.subscribers.add(subscriber);
  if (stream.last) {
    onSnapshot(stream.last);
  }
  const joined = stream;
  return () => {
    if (!joined.subscribers.delete(subscriber) || joined.subscribers.size > 0) {
      return;
    }
    if (streams.get(key) === joined) {
      streams.delete(key);
    }
    joined.socket.onclose = null;
    joined.socket.close();
  };
}
