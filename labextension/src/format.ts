/**
 * Text for people: durations, timestamps and short ARNs as the sidebar and tables show them.
 */

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** `42s`, `3m 05s`, `2h 07m`, `3d 04h`; negative or missing durations give an empty string. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) {
    return '';
  }
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) {
    return `${seconds}s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes}m ${pad2(seconds % 60)}s`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return `${hours}h ${pad2(minutes % 60)}m`;
  }
  return `${Math.floor(hours / 24)}d ${pad2(hours % 24)}h`;
}

function parseTime(text: string | null | undefined): number | null {
  if (!text) {
    return null;
  }
  const value = Date.parse(text);
  return Number.isNaN(value) ? null : value;
}

/** How long something ran: end - start, or now - start while it still runs. */
export function elapsed(
  startTime: string | null | undefined,
  endTime: string | null | undefined,
  now: number = Date.now()
): string {
  const start = parseTime(startTime);
  if (start === null) {
    return '';
  }
  const end = parseTime(endTime) ?? now;
  return formatDuration(end - start);
}

/** A compact local time `YYYY-MM-DD HH:MM:SS`, or '' for a missing or invalid timestamp. */
export function formatTime(text: string | null | undefined): string {
  const value = parseTime(text);
  if (value === null) {
    return '';
  }
  const d = new Date(value);
  return (
    `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
  );
}

/** The resource part of an ARN (`arn:aws:sagemaker:...:pipeline/p/execution/abc` -> `execution/abc`). */
export function shortArn(arn: string | null | undefined): string {
  if (!arn) {
    return '';
  }
  const resource = arn.split(':').slice(5).join(':');
  if (!resource) {
    return arn;
  }
  const parts = resource.split('/');
  return parts.length > 2 ? parts.slice(-2).join('/') : resource;
}

/**
 * `3/7 steps` with failures and running counts when there are any; steps a run passed by (a branch not
 * taken) count as done and are named: `6/6 steps (1 not taken)`.
 */
export function formatProgress(progress: {
  total: number;
  succeeded: number;
  failed: number;
  running: number;
  skipped?: number;
}): string {
  const skipped = progress.skipped ?? 0;
  const extras: string[] = [];
  if (progress.running > 0) {
    extras.push(`${progress.running} running`);
  }
  if (progress.failed > 0) {
    extras.push(`${progress.failed} failed`);
  }
  if (skipped > 0) {
    extras.push(`${skipped} not taken`);
  }
  const base = `${progress.succeeded + skipped}/${progress.total} steps`;
  return extras.length ? `${base} (${extras.join(', ')})` : base;
}

const SEVERITY_ORDER = ['error', 'warning', 'info'];

/** Errors first, then warnings, then notes; unknown severities last. */
export function severityRank(severity: string): number {
  const rank = SEVERITY_ORDER.indexOf(severity.toLowerCase());
  return rank < 0 ? SEVERITY_ORDER.length : rank;
}

/** `3 errors, 1 warning` or `No findings`. */
export function summariseFindings(findings: readonly { severity: string }[]): string {
  if (findings.length === 0) {
    return 'No findings';
  }
  const counts = new Map<string, number>();
  for (const finding of findings) {
    const severity = finding.severity.toLowerCase();
    counts.set(severity, (counts.get(severity) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => severityRank(a[0]) - severityRank(b[0]))
    .map(([severity, n]) => `${n} ${severity}${n === 1 ? '' : 's'}`)
    .join(', ');
}
