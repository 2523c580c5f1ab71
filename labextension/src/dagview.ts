/**
 * The run picture shared by the MIME renderer, the run view and the review view: the DAG drawn as SVG
 * (nodes coloured by step state when a run is attached), a progress bar and a per-step table.
 */

import { h, s, externalLink } from './dom';
import { elapsed, formatProgress, formatTime, shortArn } from './format';
import { edgePath, layoutDag } from './layout';
import { progressOf, stepStates } from './snapshots';
import { stateClass, styleOf, toneOf } from './states';
import { IDag, IProgress, IRunSnapshot, IStepSnapshot } from './wire';

const EDGE_COLOURS: { [kind: string]: string } = {
  depends_on: '#757575',
  property: '#37474f',
  condition_if: '#2e7d32',
  condition_else: '#c62828'
};

let markerCount = 0;

/** The DAG as an SVG picture; every node is a `g.jp-SageMakerAck-node` with `data-step` and `data-state`. */
export function renderDagSvg(dag: IDag, run?: IRunSnapshot | null): SVGSVGElement {
  const laid = layoutDag(dag);
  const states = stepStates(dag, run);
  const failures = new Map((run?.steps ?? []).map(step => [step.name, step.failureReason ?? '']));
  const markerId = `jp-SageMakerAck-arrow-${++markerCount}`;
  const svg = s('svg', {
    class: 'jp-SageMakerAck-dagSvg',
    width: laid.width,
    height: laid.height,
    viewBox: `0 0 ${laid.width} ${laid.height}`,
    role: 'img',
    'aria-label': `Pipeline DAG of ${dag.pipelineName ?? 'the pipeline'}`
  });
  svg.append(
    s(
      'defs',
      {},
      s(
        'marker',
        {
          id: markerId,
          viewBox: '0 0 10 10',
          refX: 9,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto-start-reverse'
        },
        s('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#616161' })
      )
    )
  );
  for (const edge of laid.edges) {
    const kind = edge.kinds.includes('condition_if')
      ? 'condition_if'
      : edge.kinds.includes('condition_else')
        ? 'condition_else'
        : edge.kinds.includes('property')
          ? 'property'
          : edge.kinds[0];
    const path = s('path', {
      class: `jp-SageMakerAck-edge jp-SageMakerAck-edge-${kind}`,
      d: edgePath(edge.points),
      fill: 'none',
      stroke: EDGE_COLOURS[kind] ?? '#757575',
      'stroke-width': 1.5,
      'stroke-dasharray': kind.startsWith('condition') ? '5 3' : kind === 'property' ? '2 2' : undefined,
      'marker-end': `url(#${markerId})`,
      'data-source': edge.source,
      'data-target': edge.target,
      'data-kinds': edge.kinds.join(' ')
    });
    path.append(s('title', {}, `${edge.source} \u2192 ${edge.target} (${edge.kinds.join(', ')})`));
    svg.append(path);
  }
  for (const node of laid.nodes) {
    const state = states.get(node.name);
    const style = styleOf(state);
    const group = s('g', {
      class: `jp-SageMakerAck-node ${state ? stateClass(state) : ''}`.trim(),
      'data-step': node.name,
      'data-state': state ?? '',
      transform: `translate(${(node.x - node.width / 2).toFixed(1)},${(node.y - node.height / 2).toFixed(1)})`
    });
    const tooltip = [node.name, node.type, state, failures.get(node.name)].filter(Boolean).join('\n');
    group.append(
      s('title', {}, tooltip),
      s('rect', {
        width: node.width,
        height: node.height,
        rx: 6,
        ry: 6,
        fill: state ? style.fill : '#ffffff',
        stroke: state ? style.stroke : '#90a4ae',
        'stroke-width': toneOf(state) === 'running' ? 2.5 : 1.5
      }),
      s(
        'text',
        {
          x: node.width / 2,
          y: 18,
          'text-anchor': 'middle',
          class: 'jp-SageMakerAck-nodeName',
          fill: state ? style.text : '#263238'
        },
        node.label
      ),
      s(
        'text',
        { x: node.width / 2, y: 34, 'text-anchor': 'middle', class: 'jp-SageMakerAck-nodeType' },
        [node.type, node.branch ? `(${node.branch})` : ''].filter(Boolean).join(' ')
      )
    );
    svg.append(group);
  }
  return svg;
}

/** A bar with succeeded / failed / running segments and a text summary. */
export function renderProgressBar(progress: IProgress): HTMLElement {
  const total = Math.max(progress.total, 1);
  const segment = (tone: string, count: number): HTMLElement | null =>
    count > 0
      ? h('div', {
          class: `jp-SageMakerAck-progressSegment jp-SageMakerAck-state-${tone}`,
          style: `width: ${((100 * count) / total).toFixed(2)}%`
        })
      : null;
  return h(
    'div',
    {
      class: 'jp-SageMakerAck-progress',
      role: 'progressbar',
      'aria-valuemin': '0',
      'aria-valuemax': String(progress.total),
      'aria-valuenow': String(progress.succeeded)
    },
    h(
      'div',
      { class: 'jp-SageMakerAck-progressTrack' },
      segment('succeeded', progress.succeeded),
      segment('failed', progress.failed),
      segment('running', progress.running)
    ),
    h('span', { class: 'jp-SageMakerAck-progressLabel' }, formatProgress(progress))
  );
}

/** A status badge (`span.jp-SageMakerAck-badge`) coloured by the state's tone. */
export function renderBadge(state: string | null | undefined): HTMLElement {
  return h(
    'span',
    { class: `jp-SageMakerAck-badge ${stateClass(state)}`, 'data-state': state ?? '' },
    state || 'Unknown'
  );
}

function orderedSteps(dag: IDag | null | undefined, run: IRunSnapshot | null | undefined): IStepSnapshot[] {
  const steps = run?.steps ?? [];
  const reported = new Map(steps.map(step => [step.name, step]));
  const states = stepStates(dag ?? { nodes: steps.map(step => ({ name: step.name })), edges: [] }, run);
  const rows: IStepSnapshot[] = [];
  for (const node of dag?.nodes ?? []) {
    const step = reported.get(node.name);
    const status = states.get(node.name) ?? step?.status ?? '';
    rows.push(step ? { ...step, type: step.type ?? node.type, status } : { name: node.name, type: node.type, status });
    reported.delete(node.name);
  }
  return rows.concat([...reported.values()].map(step => ({ ...step, status: states.get(step.name) ?? step.status })));
}

/** One row per step of a pipeline with no run: its type, its branch and the steps it waits for. */
function renderStructureTable(dag: IDag): HTMLElement {
  const after = new Map<string, string[]>();
  for (const edge of dag.edges) {
    after.set(edge.target, [...new Set([...(after.get(edge.target) ?? []), edge.source])]);
  }
  const body = h('tbody');
  for (const node of dag.nodes) {
    const branch = node.parent ? `${node.branch ?? ''} of ${node.parent}` : '';
    body.append(
      h(
        'tr',
        { 'data-step': node.name },
        h('td', { class: 'jp-SageMakerAck-stepName' }, node.name),
        h('td', {}, node.type ?? ''),
        h('td', {}, branch),
        h('td', {}, (after.get(node.name) ?? []).join(', '))
      )
    );
  }
  const head = h('thead', {}, h('tr', {}, ...['Step', 'Type', 'Branch', 'Runs after'].map(t => h('th', {}, t))));
  return h('table', { class: 'jp-SageMakerAck-stepTable' }, head, body);
}

/**
 * One row per step: status, times, failure reason and the console / logs links SageMaker gave; without a
 * run, the pipeline's structure instead.
 */
export function renderStepTable(
  dag: IDag | null | undefined,
  run: IRunSnapshot | null | undefined,
  now: number = Date.now()
): HTMLElement {
  if (!run) {
    return renderStructureTable(dag ?? { nodes: [], edges: [] });
  }
  const body = h('tbody');
  for (const step of orderedSteps(dag, run)) {
    const links = h(
      'td',
      { class: 'jp-SageMakerAck-links' },
      externalLink(step.consoleUrl, 'Console'),
      step.consoleUrl && step.logsUrl ? ' \u00b7 ' : null,
      externalLink(step.logsUrl, 'Logs')
    );
    body.append(
      h(
        'tr',
        { 'data-step': step.name, 'data-state': step.status ?? '' },
        h('td', { class: 'jp-SageMakerAck-stepName' }, step.name),
        h('td', {}, step.type ?? ''),
        h('td', {}, step.status ? renderBadge(step.status) : ''),
        h('td', {}, formatTime(step.startTime)),
        h('td', {}, elapsed(step.startTime, step.endTime, now)),
        step.failureReason
          ? h('td', { class: 'jp-SageMakerAck-failure', title: step.jobArn ?? undefined }, step.failureReason)
          : h('td', { class: 'jp-SageMakerAck-job', title: step.jobArn ?? undefined }, shortArn(step.jobArn)),
        links
      )
    );
  }
  const head = h(
    'thead',
    {},
    h(
      'tr',
      {},
      ...['Step', 'Type', 'Status', 'Started', 'Duration', 'Failure / job', 'Links'].map(title =>
        h('th', {}, title)
      )
    )
  );
  return h('table', { class: 'jp-SageMakerAck-stepTable' }, head, body);
}

/** The run's headline: status badge, outcome, times, failure reason. */
export function renderRunSummary(run: IRunSnapshot, now: number = Date.now()): HTMLElement {
  const parts: HTMLElement[] = [
    renderBadge(run.status),
    h('span', { class: 'jp-SageMakerAck-runName' }, `${run.namespace}/${run.name ?? '(no name yet)'}`)
  ];
  if (run.startTime) {
    parts.push(h('span', { class: 'jp-SageMakerAck-muted' }, `started ${formatTime(run.startTime)}`));
    parts.push(h('span', { class: 'jp-SageMakerAck-muted' }, elapsed(run.startTime, run.endTime, now)));
  }
  const summary = h('div', { class: 'jp-SageMakerAck-runSummary' }, ...parts);
  if (run.failureReason) {
    summary.append(h('div', { class: 'jp-SageMakerAck-failureReason' }, run.failureReason));
  }
  return summary;
}

/**
 * When durations of unfinished steps are measured to: now for a live view, the snapshot's own time for a
 * saved output (a notebook opened a week later must not show a week-long step).
 */
export interface IViewOptions {
  now?: number;
}

/** The whole picture for a DAG (with its run if any): title, summary, progress, SVG, step table. */
export function renderDagView(dag: IDag, run?: IRunSnapshot | null, options: IViewOptions = {}): HTMLElement {
  const now = options.now ?? Date.now();
  const container = h('div', { class: 'jp-SageMakerAck-dagView' });
  if (dag.pipelineName) {
    container.append(h('div', { class: 'jp-SageMakerAck-title' }, `Pipeline ${dag.pipelineName}`));
  }
  if (run) {
    container.append(renderRunSummary(run, now), renderProgressBar(progressOf(run, dag)));
  }
  if (dag.nodes.length === 0) {
    container.append(h('div', { class: 'jp-SageMakerAck-muted' }, 'This pipeline has no steps.'));
  } else {
    container.append(h('div', { class: 'jp-SageMakerAck-dagScroll' }, renderDagSvg(dag, run)));
  }
  container.append(renderStepTable(dag, run, now));
  return container;
}

/** A run snapshot alone (no DAG known): summary, progress and its step table. */
export function renderRunView(run: IRunSnapshot, options: IViewOptions = {}): HTMLElement {
  if (run.dag) {
    return renderDagView(run.dag, run, options);
  }
  const now = options.now ?? Date.now();
  const container = h('div', { class: 'jp-SageMakerAck-dagView' });
  container.append(
    h('div', { class: 'jp-SageMakerAck-title' }, `Pipeline ${run.pipelineName}`),
    renderRunSummary(run, now),
    renderProgressBar(progressOf(run)),
    renderStepTable(null, run, now)
  );
  return container;
}
