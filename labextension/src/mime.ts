/**
 * The MIME renderer extension: shows `application/vnd.sagemaker-ack.dag+json` and `...run+json` outputs
 * as a DAG picture with step states, so a saved notebook shows its pipeline with no kernel running.
 */

import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { h } from './dom';
import { renderDagView, renderRunView } from './dagview';
import { DAG_MIME_TYPE, IDag, IRunSnapshot, RUN_MIME_TYPE } from './wire';

const RENDERER_CLASS = 'jp-SageMakerAck-renderer';
/** A DAG output that a panel left beside its widget (`savedState: "panel"`): the panel's last state. */
export const SAVED_PANEL_CLASS = 'jp-SageMakerAck-savedPanel';
const SAVED_STYLE_ID = 'jp-SageMakerAck-savedPanel-style';

/**
 * While the panel's widget lives (its `.sma-panel` is drawn), its saved state beside it is hidden; when the
 * widget cannot be drawn (no kernel: "model not found"), the widget's output is hidden and the saved state
 * shows. Added once, by the first saved state drawn.
 */
const SAVED_STYLE = `
.jp-OutputArea-child:has(.sma-panel) ~ .jp-OutputArea-child:has(.${SAVED_PANEL_CLASS}) { display: none; }
.jp-OutputArea-child:not(:has(.sma-panel)):has(+ .jp-OutputArea-child .${SAVED_PANEL_CLASS}) { display: none; }
`;

function ensureSavedStyle(): void {
  if (typeof document === 'undefined' || document.getElementById(SAVED_STYLE_ID)) {
    return;
  }
  const style = document.createElement('style');
  style.id = SAVED_STYLE_ID;
  style.textContent = SAVED_STYLE;
  document.head.append(style);
}

interface ISavedDag extends IDag {
  savedState?: string;
}

function isDag(value: unknown): value is IDag {
  const dag = value as IDag;
  return !!dag && Array.isArray(dag.nodes) && Array.isArray(dag.edges);
}

function isRun(value: unknown): value is IRunSnapshot {
  const run = value as IRunSnapshot;
  return !!run && typeof run.status === 'string' && typeof run.pipelineName === 'string';
}

/** A saved output is a picture of one moment: running steps are timed up to the snapshot's own time. */
function snapshotTime(run: IRunSnapshot | null | undefined): number | undefined {
  const time = run?.updatedAt ? Date.parse(run.updatedAt) : NaN;
  return Number.isNaN(time) ? undefined : time;
}

/** Renders one output of either MIME type into itself. */
export class SageMakerAckRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this._mimeType = options.mimeType;
    this.addClass(RENDERER_CLASS);
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[this._mimeType] as unknown;
    this.node.replaceChildren();
    try {
      if (this._mimeType === DAG_MIME_TYPE && isDag(data)) {
        if ((data as ISavedDag).savedState === 'panel') {
          ensureSavedStyle();
          this.addClass(SAVED_PANEL_CLASS);
          const when = data.run?.updatedAt ? ` as of ${new Date(data.run.updatedAt).toLocaleString()}` : '';
          this.node.append(
            h(
              'div',
              { class: 'jp-SageMakerAck-muted jp-SageMakerAck-savedNote' },
              `The panel's last state${when}, saved with the notebook. Run the cell again for live status and buttons.`
            )
          );
        }
        this.node.append(renderDagView(data, data.run ?? null, { now: snapshotTime(data.run) }));
      } else if (this._mimeType === RUN_MIME_TYPE && isRun(data)) {
        this.node.append(renderRunView(data, { now: snapshotTime(data) }));
      } else {
        this.node.append(h('div', { class: 'jp-SageMakerAck-error' }, `Not a valid ${this._mimeType} output.`));
      }
    } catch (error) {
      this.node.append(
        h('div', { class: 'jp-SageMakerAck-error' }, `Could not draw this output: ${String(error)}`)
      );
    }
    return Promise.resolve();
  }

  private _mimeType: string;
}

/**
 * Ranked ahead of `text/html` (rank 50; a lower rank wins) so the extension's picture, not the static
 * fallback, shows whenever JupyterLab has this extension. `safe` because it builds its DOM from data
 * without markup or scripts, so it also renders in untrusted notebooks.
 */
export const RENDER_RANK = 40;

export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [DAG_MIME_TYPE, RUN_MIME_TYPE],
  defaultRank: RENDER_RANK,
  createRenderer: options => new SageMakerAckRenderer(options)
};

const extension: IRenderMime.IExtension = {
  id: 'jupyter-sagemaker-ack:mime',
  description: 'Renders SageMaker ACK pipeline DAGs and run snapshots.',
  rendererFactory,
  rank: RENDER_RANK,
  dataType: 'json'
};

export default extension;
