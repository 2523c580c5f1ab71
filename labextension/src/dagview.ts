/**
 * The run picture shared by the MIME renderer, the run view, the review view and the notebook widget: the
 * DAG drawn as SVG (nodes coloured and labelled by step state when a run is attached) in a box that zooms,
 * pans, fits and follows the running step, with a minimap for big pipelines; a progress bar; a step table.
 * `DagViewer.update(run)` recolours in place, so zoom and pan survive every live update.
 */

import { h, s, externalLink } from './dom';
import { elapsed, formatProgress, formatTime, shortArn } from './format';
import { IDagLayout, ILaidOutNode, layoutDag, pathOf } from './layout';
import { IProgressView, progressOf, reusedSteps, stateText, stepStates } from './snapshots';
import { NO_STATE_STYLE, edgeStyleOf, isActive, stateClass, styleOf, toneOf } from './states';
import { IBox, Minimap, PanZoom } from './zoom';
import { IDag, IProgress, IRunSnapshot, IStepSnapshot } from './wire';

const NAME_FONT_PX = 13;
const LINE_FONT_PX = 11;

let markerCount = 0;

/** The edge kind that decides how an edge with several kinds is drawn. */
function mainKind(kinds: readonly string[]): string {
  for (const kind of ['condition_if', 'condition_else', 'property']) {
    if (kinds.includes(kind)) {
      return kind;
    }
  }
  return kinds[0] ?? 'depends_on';
}

/** The second line of a box: icon and state under a run, the step type (and branch) without one. */
function secondLine(node: ILaidOutNode, state: string | undefined, reused = false): string {
  if (state) {
    return `${styleOf(state).icon} ${stateText(state, reused)}`;
  }
  return [node.type, node.branch ? `(${node.branch})` : ''].filter(Boolean).join(' ');
}

function tooltipOf(node: ILaidOutNode, state: string | undefined, failure: string | undefined, reused: boolean): string {
  const branch = node.parent ? `${node.branch ?? ''} branch of ${node.parent}` : '';
  const said = state ? stateText(state, reused) : undefined;
  return [node.name, node.type, branch, said, reused ? 'reused from the run this one retries' : '', failure]
    .filter(Boolean)
    .join('\n');
}

/** Colour and label one node group (`g.jp-SageMakerAck-node`) for a state. */
function paintNode(
  group: SVGGElement,
  node: ILaidOutNode,
  state: string | undefined,
  failure?: string,
  reused = false
): void {
  const style = state ? styleOf(state) : { ...NO_STATE_STYLE, tone: '' };
  const classes = ['jp-SageMakerAck-node', state ? stateClass(state) : '', reused ? 'jp-mod-reused' : ''];
  group.setAttribute('class', classes.filter(Boolean).join(' '));
  group.setAttribute('data-state', state ?? '');
  group.setAttribute('data-reused', reused ? 'true' : 'false');
  const [title, rect, name, line] = [
    group.querySelector('title'),
    group.querySelector('rect'),
    group.querySelector('.jp-SageMakerAck-nodeName'),
    group.querySelector('.jp-SageMakerAck-nodeType')
  ];
  title && (title.textContent = tooltipOf(node, state, failure, reused));
  rect?.setAttribute('fill', style.fill);
  rect?.setAttribute('stroke', style.stroke);
  rect?.setAttribute('stroke-width', toneOf(state) === 'running' && state ? '2.5' : '1.5');
  // A reused step keeps its state's colours, drawn dashed: it did not run in this execution.
  rect?.setAttribute('stroke-dasharray', reused ? '4 3' : '');
  name?.setAttribute('fill', style.text);
  if (line) {
    line.textContent = secondLine(node, state, reused);
    line.setAttribute('fill', state ? style.text : '#546e7a');
  }
}

function drawSvg(
  laid: IDagLayout,
  dag: IDag,
  states: ReadonlyMap<string, string>,
  failures: ReadonlyMap<string, string>,
  reused: ReadonlySet<string> = new Set()
): SVGSVGElement {
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
        { id: markerId, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        s('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#616161' })
      )
    )
  );
  for (const edge of laid.edges) {
    const kind = mainKind(edge.kinds);
    const style = edgeStyleOf(kind);
    const path = s('path', {
      class: `jp-SageMakerAck-edge jp-SageMakerAck-edge-${kind}`,
      d: pathOf(edge, laid.direction),
      fill: 'none',
      stroke: style.stroke,
      'stroke-width': 1.5,
      'stroke-dasharray': style.dash || undefined,
      'marker-end': `url(#${markerId})`,
      'data-source': edge.source,
      'data-target': edge.target,
      'data-kinds': edge.kinds.join(' ')
    });
    path.append(s('title', {}, `${edge.source} \u2192 ${edge.target} (${edge.kinds.join(', ')})`));
    svg.append(path);
  }
  for (const node of laid.nodes) {
    const group = s(
      'g',
      {
        class: 'jp-SageMakerAck-node',
        'data-step': node.name,
        transform: `translate(${(node.x - node.width / 2).toFixed(1)},${(node.y - node.height / 2).toFixed(1)})`
      },
      s('title', {}),
      s('rect', { width: node.width, height: node.height, rx: 6, ry: 6 }),
      s(
        'text',
        { x: node.width / 2, y: 20, 'text-anchor': 'middle', class: 'jp-SageMakerAck-nodeName', 'font-size': NAME_FONT_PX },
        node.label
      ),
      s('text', { x: node.width / 2, y: 37, 'text-anchor': 'middle', class: 'jp-SageMakerAck-nodeType', 'font-size': LINE_FONT_PX })
    );
    paintNode(group, node, states.get(node.name), failures.get(node.name), reused.has(node.name));
    svg.append(group);
  }
  return svg;
}

function failuresOf(run: IRunSnapshot | null | undefined): Map<string, string> {
  return new Map((run?.steps ?? []).map(step => [step.name, step.failureReason ?? '']));
}

/** The DAG as an SVG picture; every node is a `g.jp-SageMakerAck-node` with `data-step` and `data-state`. */
export function renderDagSvg(dag: IDag, run?: IRunSnapshot | null): SVGSVGElement {
  return drawSvg(layoutDag(dag), dag, stepStates(dag, run), failuresOf(run), reusedSteps(run));
}

/** A bar with succeeded / not taken / failed / running segments and a text summary. */
export function renderProgressBar(progress: IProgress | IProgressView): HTMLElement {
  const total = Math.max(progress.total, 1);
  const skipped = 'skipped' in progress ? progress.skipped : 0;
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
      'aria-valuenow': String(progress.succeeded + skipped)
    },
    h(
      'div',
      { class: 'jp-SageMakerAck-progressTrack' },
      segment('succeeded', progress.succeeded),
      segment('notrun', skipped),
      segment('failed', progress.failed),
      segment('running', progress.running)
    ),
    h('span', { class: 'jp-SageMakerAck-progressLabel' }, formatProgress({ ...progress, skipped }))
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
        { 'data-step': step.name, 'data-state': step.status ?? '', 'data-reused': step.reused ? 'true' : 'false' },
        h('td', { class: 'jp-SageMakerAck-stepName' }, step.name),
        h('td', {}, step.type ?? ''),
        h(
          'td',
          {},
          step.status ? renderBadge(step.status) : '',
          step.reused
            ? h(
                'span',
                { class: 'jp-SageMakerAck-reusedTag', title: step.sourceExecutionArn ?? 'reused from an earlier run' },
                'reused'
              )
            : null
        ),
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
 * saved output (a notebook opened a week later must not show a week-long step). `follow`: keep the running
 * step in view while the run is live (default on); `maxHeight`: the picture's box height in pixels.
 */
export interface IViewOptions {
  now?: number;
  follow?: boolean;
  maxHeight?: number;
  /** Only the zoomable picture: no title, summary, progress or step table (the panel shows its own). */
  pictureOnly?: boolean;
}

const DEFAULT_MAX_HEIGHT = 520;

/**
 * The whole picture of a DAG and its run, kept alive across updates: title, summary, progress, the zoomable
 * DAG (toolbar: zoom out / in, 100 %, fit, follow the running step; ctrl/cmd + wheel zooms, a drag pans; a
 * minimap when the picture is bigger than its box) and the step table. `update(run)` recolours the nodes in
 * place and keeps zoom and pan; a DAG with other steps is laid out again at the same zoom.
 */
export class DagViewer {
  readonly node: HTMLElement;

  constructor(dag: IDag | null, run?: IRunSnapshot | null, options: IViewOptions = {}) {
    this._options = options;
    this._run = run ?? null;
    this._dag = dag;
    this.node = h('div', { class: 'jp-SageMakerAck-dagView' });
    this._follow = options.follow ?? true;
    this._build();
  }

  /** The DAG view's zoom (1 = 100 %); 0 when there is no picture. */
  get scale(): number {
    return this._zoom?.scale ?? 0;
  }

  get follow(): boolean {
    return this._follow;
  }

  set follow(on: boolean) {
    this._follow = on;
    if (this._followBox) {
      this._followBox.checked = on;
    }
    this._lastFollowed = '';
    if (on) {
      this._followRunning();
    }
  }

  /** Show a newer snapshot of the run (and its DAG if it brings one with other steps). */
  update(run: IRunSnapshot | null, options: IViewOptions = {}): void {
    this._options = { ...this._options, ...options };
    this._run = run;
    const dag = run?.dag && run.dag.nodes.length ? run.dag : this._dag;
    if (dag && (!this._dag || !sameSteps(dag, this._dag))) {
      this._dag = dag;
      this._relayout();
    }
    this._refresh();
  }

  /** Fit the picture to its box (see PanZoom.fit), focused on the running step or else the first root. */
  fit(): void {
    this._zoom?.fit(this._focusBox());
  }

  zoomBy(factor: number): void {
    this._zoom?.zoomBy(factor);
  }

  dispose(): void {
    this._resizeObserver?.disconnect();
  }

  private _build(): void {
    const dag = this._dag;
    const title = dag?.pipelineName ?? this._run?.pipelineName;
    const whole = !this._options.pictureOnly;
    if (title && whole) {
      this.node.append(h('div', { class: 'jp-SageMakerAck-title' }, `Pipeline ${title}`));
    }
    if (whole) {
      this.node.append(this._summary, this._progress);
    }
    if (dag && dag.nodes.length === 0) {
      this.node.append(h('div', { class: 'jp-SageMakerAck-muted' }, 'This pipeline has no steps.'));
    } else if (dag) {
      this.node.append(this._panel);
      this._relayout();
    }
    if (whole) {
      this.node.append(this._table);
    }
    this._refresh();
  }

  private _relayout(): void {
    const dag = this._dag!;
    const scale = this._zoom?.scale;
    this._layout = layoutDag(dag);
    this._svg = drawSvg(this._layout, dag, new Map(), new Map());
    this._groups = new Map(
      [...this._svg.querySelectorAll<SVGGElement>('g.jp-SageMakerAck-node')].map(g => [g.dataset.step ?? '', g])
    );
    const viewport = h('div', {
      class: 'jp-SageMakerAck-dagViewport',
      style: `max-height: ${this._options.maxHeight ?? DEFAULT_MAX_HEIGHT}px`,
      tabindex: '0'
    });
    viewport.append(this._svg);
    this._zoom = new PanZoom(viewport, this._svg, this._layout.width, this._layout.height);
    this._zoom.onManual = () => {
      this.follow = false;
    };
    this._minimap = new Minimap(
      this._zoom,
      this._layout.width,
      this._layout.height,
      this._layout.nodes.map(n => ({ name: n.name, x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height }))
    );
    const minimap = this._minimap;
    this._zoom.onChange = () => {
      minimap.sync();
      this._zoomLabel.textContent = `${Math.round((this._zoom?.scale ?? 1) * 100)}%`;
    };
    this._panel.replaceChildren(this._toolbar(), h('div', { class: 'jp-SageMakerAck-dagStage' }, viewport, minimap.node));
    if (!this._panel.parentNode) {
      this.node.insertBefore(this._panel, this._table); // a run view whose first snapshot had no DAG
    }
    viewport.addEventListener('keydown', event => this._onKey(event));
    this._fitted = false;
    if (scale !== undefined) {
      this._zoom.zoomTo(scale);
      this._fitted = true;
    }
    this._resizeObserver?.disconnect();
    if (typeof ResizeObserver !== 'undefined') {
      this._resizeObserver = new ResizeObserver(() => {
        if (!this._fitted && viewport.clientWidth > 0) {
          this._fitted = true;
          this.fit();
        }
        minimap.sync();
      });
      this._resizeObserver.observe(viewport);
    }
  }

  /** With the picture focused: + and - zoom, 0 fits, 1 is 100 %; the arrow keys scroll (the browser's own). */
  private _onKey(event: KeyboardEvent): void {
    const actions: { [key: string]: () => void } = {
      '+': () => this.zoomBy(1.25),
      '=': () => this.zoomBy(1.25),
      '-': () => this.zoomBy(1 / 1.25),
      '0': () => this.fit(),
      '1': () => this._zoom?.zoomTo(1)
    };
    const action = actions[event.key];
    if (action && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      action();
    }
  }

  private _toolbar(): HTMLElement {
    const button = (label: string, title: string, action: () => void, cls: string): HTMLButtonElement => {
      const b = h('button', { class: `jp-SageMakerAck-button jp-SageMakerAck-zoomButton ${cls}`, title, 'aria-label': title }, label);
      b.addEventListener('click', action);
      return b;
    };
    this._followBox = h('input', { type: 'checkbox', class: 'jp-SageMakerAck-follow' });
    this._followBox.checked = this._follow;
    this._followBox.addEventListener('change', () => {
      this.follow = this._followBox!.checked;
    });
    this._followLabel = h('label', { class: 'jp-SageMakerAck-followLabel', title: 'Keep the running step in view' }, this._followBox, ' Follow running step');
    return h(
      'div',
      { class: 'jp-SageMakerAck-dagToolbar' },
      button('\u2212', 'Zoom out (ctrl + wheel)', () => this.zoomBy(1 / 1.25), 'jp-mod-zoomOut'),
      button('+', 'Zoom in (ctrl + wheel)', () => this.zoomBy(1.25), 'jp-mod-zoomIn'),
      button('100%', 'Actual size', () => this._zoom?.zoomTo(1), 'jp-mod-actual'),
      button('Fit', 'Fit the DAG to the view', () => this.fit(), 'jp-mod-fit'),
      this._followLabel,
      this._zoomLabel
    );
  }

  private _refresh(): void {
    const run = this._run;
    const dag = this._dag;
    const now = this._options.now ?? Date.now();
    if (run) {
      this._summary.replaceChildren(renderRunSummary(run, now));
      this._progress.replaceChildren(renderProgressBar(progressOf(run, dag)));
    } else {
      this._summary.replaceChildren();
      this._progress.replaceChildren();
    }
    this._table.replaceChildren(renderStepTable(dag, run, now));
    if (this._layout && dag) {
      const states = stepStates(dag, run);
      const failures = failuresOf(run);
      const reused = reusedSteps(run);
      for (const laid of this._layout.nodes) {
        const group = this._groups.get(laid.name);
        const state = states.get(laid.name);
        if (group) {
          paintNode(group, laid, state, failures.get(laid.name), reused.has(laid.name));
        }
        const style = state ? styleOf(state) : NO_STATE_STYLE;
        this._minimap?.paint(laid.name, style.fill, style.stroke);
      }
      this._followLabel?.classList.toggle('jp-SageMakerAck-hidden', !run || !isActive(run));
      this._followRunning();
    }
  }

  private _runningNodes(): ILaidOutNode[] {
    if (!this._run || !this._layout || !isActive(this._run)) {
      return [];
    }
    const states = stepStates(this._dag!, this._run);
    return this._layout.nodes.filter(n => ['running', 'stopping'].includes(toneOf(states.get(n.name))));
  }

  /** The running steps' bounding box, or the first root's box. */
  private _focusBox(): IBox | null {
    const layout = this._layout;
    if (!layout || layout.nodes.length === 0) {
      return null;
    }
    const running = this._follow ? this._runningNodes() : [];
    const nodes = running.length ? running : [layout.nodes.find(n => n.rank === 0) ?? layout.nodes[0]];
    const left = Math.min(...nodes.map(n => n.x - n.width / 2));
    const top = Math.min(...nodes.map(n => n.y - n.height / 2));
    const right = Math.max(...nodes.map(n => n.x + n.width / 2));
    const bottom = Math.max(...nodes.map(n => n.y + n.height / 2));
    const box = { x: left, y: top, width: right - left, height: bottom - top };
    if (!running.length) {
      // the root at the top of the view rather than in its middle
      const visible = this._zoom?.visible();
      if (visible) {
        box.height = Math.max(box.height, visible.height - 2 * (box.y + 8));
        box.y = Math.max(box.y - 8, 0);
      }
    }
    return box;
  }

  private _followRunning(): void {
    if (!this._follow || !this._zoom || !this._fitted) {
      return;
    }
    const running = this._runningNodes();
    const key = running.map(n => n.name).join('\u0000');
    if (!running.length || key === this._lastFollowed) {
      return;
    }
    this._lastFollowed = key;
    const box = this._focusBox();
    if (box) {
      this._zoom.reveal(box, true);
    }
  }

  private _options: IViewOptions;
  private _dag: IDag | null;
  private _run: IRunSnapshot | null;
  private _follow: boolean;
  private _fitted = false;
  private _lastFollowed = '';
  private _layout: IDagLayout | null = null;
  private _svg: SVGSVGElement | null = null;
  private _groups = new Map<string, SVGGElement>();
  private _zoom: PanZoom | null = null;
  private _minimap: Minimap | null = null;
  private _resizeObserver: ResizeObserver | null = null;
  private _followBox: HTMLInputElement | null = null;
  private _followLabel: HTMLElement | null = null;
  private _zoomLabel = h('span', { class: 'jp-SageMakerAck-zoomLabel' }, '100%');
  private _summary = h('div', { class: 'jp-SageMakerAck-summarySlot' });
  private _progress = h('div', { class: 'jp-SageMakerAck-progressSlot' });
  private _panel = h('div', { class: 'jp-SageMakerAck-dagPanel' });
  private _table = h('div', { class: 'jp-SageMakerAck-tableSlot' });
}

function sameSteps(a: IDag, b: IDag): boolean {
  return (
    a.nodes.length === b.nodes.length &&
    a.nodes.every((n, i) => n.name === b.nodes[i].name) &&
    a.edges.length === b.edges.length
  );
}

/** The whole picture for a DAG (with its run if any): see DagViewer; its element carries the viewer. */
export function renderDagView(dag: IDag, run?: IRunSnapshot | null, options: IViewOptions = {}): HTMLElement {
  return attach(new DagViewer(dag, run, options));
}

/** A run snapshot, with its DAG when it carries one (else summary, progress and its step table). */
export function renderRunView(run: IRunSnapshot, options: IViewOptions = {}): HTMLElement {
  return attach(new DagViewer(run.dag ?? null, run, options));
}

const VIEWERS = new WeakMap<HTMLElement, DagViewer>();

function attach(viewer: DagViewer): HTMLElement {
  VIEWERS.set(viewer.node, viewer);
  // Reachable from the page too (browser tests, a notebook widget's front end without this module's scope).
  Object.defineProperty(viewer.node, 'dagViewer', { value: viewer });
  return viewer.node;
}

/** The viewer behind an element renderDagView or renderRunView returned, to update it in place. */
export function viewerOf(element: Element | null | undefined): DagViewer | undefined {
  return element instanceof HTMLElement ? VIEWERS.get(element) : undefined;
}
