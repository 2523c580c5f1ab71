/**
 * The ipywidget front end of the panel's DAG: `jupyter_sagemaker_ack.faces.panel.dagwidget.DagWidget` in the
 * kernel, `DagModel` / `DagView` here. The view draws with the same TypeScript DAG view as the run view,
 * the review and the MIME renderer, so every live picture in JupyterLab is one renderer.
 *
 * The model says `{"event": "ready"}` to the kernel as soon as it exists: that is how the panel learns that
 * this front end is present and swaps its Python SVG fallback for this widget (a front end without the
 * extension never creates the model, so it keeps showing the fallback).
 */

import { DOMWidgetModel, DOMWidgetView, ISerializers } from '@jupyter-widgets/base';

import { h } from './dom';
import { DagViewer, renderRunView } from './dagview';
import { IDag, IRunSnapshot } from './wire';

/** The npm package name and version the kernel side names in `_model_module` / `_model_module_version`. */
export const WIDGET_MODULE = 'jupyter-sagemaker-ack';
export const WIDGET_VERSION = '0.1.0';
export const WIDGET_CLASS = 'jp-SageMakerAck-dagWidget';

/** `picture`: the DAG alone (the panel has its own header and step table); `full`: the whole run view. */
export type WidgetMode = 'picture' | 'full';

export class DagModel extends DOMWidgetModel {
  defaults(): ReturnType<DOMWidgetModel['defaults']> {
    return {
      ...super.defaults(),
      _model_name: 'DagModel',
      _view_name: 'DagView',
      _model_module: WIDGET_MODULE,
      _view_module: WIDGET_MODULE,
      _model_module_version: WIDGET_VERSION,
      _view_module_version: WIDGET_VERSION,
      dag: { nodes: [], edges: [] },
      run: null,
      mode: 'picture'
    };
  }

  initialize(...args: Parameters<DOMWidgetModel['initialize']>): void {
    super.initialize(...args);
    try {
      this.send({ event: 'ready', renderer: 'jupyterlab-dagview', version: WIDGET_VERSION });
    } catch {
      // A model restored from saved state has no kernel to tell.
    }
  }

  static serializers: ISerializers = { ...DOMWidgetModel.serializers };
}

function isDag(value: unknown): value is IDag {
  const dag = value as IDag;
  return !!dag && Array.isArray(dag.nodes) && Array.isArray(dag.edges);
}

export class DagView extends DOMWidgetView {
  private _viewer: DagViewer | null = null;
  private _drawn: { dag: unknown; mode: WidgetMode } | null = null;

  render(): void {
    this.el.classList.add(WIDGET_CLASS);
    this.listenTo(this.model, 'change:dag change:run change:mode', () => this.draw());
    this.draw();
  }

  /** Redraws from the model's `dag` and `run`; a bad value shows as a message, never a blank box. */
  draw(): void {
    const dag = this.model.get('dag') as unknown;
    const run = (this.model.get('run') as IRunSnapshot | null) ?? null;
    const mode = this.model.get('mode') as WidgetMode;
    this.el.dataset.state = run ? String(run.outcome ?? run.status ?? '') : '';
    try {
      if (!isDag(dag)) {
        this._dropViewer();
        this.el.replaceChildren(run ? renderRunView(run) : h('div', { class: 'jp-SageMakerAck-muted' }, 'No DAG.'));
      } else if (this._viewer && this._drawn?.dag === dag && this._drawn.mode === mode) {
        this._viewer.update(run); // same picture: recolour in place, keep zoom, pan and follow
      } else {
        this._dropViewer();
        this._viewer = new DagViewer(dag, run, { pictureOnly: mode !== 'full' });
        this._drawn = { dag, mode };
        this.el.replaceChildren(this._viewer.node);
      }
    } catch (error) {
      this._dropViewer();
      this.el.replaceChildren(
        h('div', { class: 'jp-SageMakerAck-error' }, `Could not draw the DAG: ${String(error)}`)
      );
    }
  }

  remove(): void {
    this._dropViewer();
    super.remove();
  }

  private _dropViewer(): void {
    this._viewer?.dispose();
    this._viewer = null;
    this._drawn = null;
  }
}
