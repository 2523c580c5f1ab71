/**
 * The JupyterLab plugin: the "SageMaker Pipelines" sidebar, run views with Stop and Retry, a notification when
 * a followed run ends, the ACK YAML review view
 * (file-browser context menu), the palette commands, and the front end of the panel's DAG widget (widget.ts).
 * The MIME renderer is a separate entry (mime.ts).
 */

import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget } from '@jupyterlab/apputils';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { Widget } from '@lumino/widgets';

import { pipelinesIcon } from './icon';
import { notifyRunEnded } from './notify';
import { CompareView } from './compareview';
import { ReviewView } from './review';
import { RunView } from './runview';
import { RunsModel } from './runsmodel';
import { PipelinesSidebar } from './sidebar';
import { DagModel, DagView, WIDGET_MODULE, WIDGET_VERSION } from './widget';

export namespace CommandIDs {
  export const openSidebar = 'sagemaker-ack:open-sidebar';
  export const refresh = 'sagemaker-ack:refresh';
  export const openRun = 'sagemaker-ack:open-run';
  export const review = 'sagemaker-ack:review';
  export const reviewCurrent = 'sagemaker-ack:review-current';
}

const CATEGORY = 'SageMaker ACK';
const YAML_FILE = /\.ya?ml$/i;

/** The contents path of the document in the main area, if it has one. */
function currentDocumentPath(app: JupyterFrontEnd): string | null {
  const widget = app.shell.currentWidget as (Widget & { context?: { path?: string } }) | null;
  return widget?.context?.path ?? null;
}

function activate(
  app: JupyterFrontEnd,
  palette: ICommandPalette | null,
  browserFactory: IFileBrowserFactory | null,
  restorer: ILayoutRestorer | null
): void {
  const model = new RunsModel();
  const runViews = new Map<string, MainAreaWidget<RunView>>();
  const reviews = new Map<string, MainAreaWidget<ReviewView>>();

  const openRun = (namespace: string, name: string): void => {
    const key = `${namespace}/${name}`;
    let view = runViews.get(key);
    if (!view || view.isDisposed) {
      view = new MainAreaWidget({ content: new RunView(namespace, name, model, openRun) });
      view.id = `jp-SageMakerAck-runArea-${encodeURIComponent(key)}`;
      view.title.icon = pipelinesIcon;
      view.title.label = name;
      view.title.closable = true;
      runViews.set(key, view);
      app.shell.add(view, 'main');
    }
    app.shell.activateById(view.id);
  };

  model.ended.connect((_, run) => notifyRunEnded(run, openRun));

  const openReview = (path: string): void => {
    let view = reviews.get(path);
    if (view && !view.isDisposed) {
      void view.content.load();
    } else {
      const content = new ReviewView(path);
      view = new MainAreaWidget({ content });
      view.id = `jp-SageMakerAck-reviewArea-${encodeURIComponent(path)}`;
      view.title.icon = pipelinesIcon;
      view.title.label = content.title.label;
      view.title.caption = content.title.caption;
      view.title.closable = true;
      reviews.set(path, view);
      app.shell.add(view, 'main');
    }
    app.shell.activateById(view.id);
  };

  const compares = new Map<string, MainAreaWidget<CompareView>>();
  const openCompare = (namespace: string, a: string, b: string): void => {
    const key = `${namespace}/${a}/${b}`;
    let view = compares.get(key);
    if (view && !view.isDisposed) {
      void view.content.load();
    } else {
      const content = new CompareView(namespace, a, b);
      view = new MainAreaWidget({ content });
      view.id = `jp-SageMakerAck-compareArea-${encodeURIComponent(key)}`;
      view.title.icon = pipelinesIcon;
      view.title.label = content.title.label;
      view.title.caption = content.title.caption;
      view.title.closable = true;
      compares.set(key, view);
      app.shell.add(view, 'main');
    }
    app.shell.activateById(view.id);
  };

  const sidebar = new PipelinesSidebar({
    model,
    openCompare,
    openRun: run => {
      if (run.name) {
        openRun(run.namespace, run.name);
      }
    }
  });
  sidebar.title.icon = pipelinesIcon;
  app.shell.add(sidebar, 'left', { rank: 650 });
  restorer?.add(sidebar, sidebar.id);

  const selectedYamlPaths = (): string[] => {
    const browser = browserFactory?.tracker.currentWidget;
    if (!browser) {
      return [];
    }
    return [...browser.selectedItems()].filter(item => YAML_FILE.test(item.path)).map(item => item.path);
  };

  app.commands.addCommand(CommandIDs.openSidebar, {
    label: 'Show SageMaker Pipelines',
    caption: 'Open the sidebar of SageMaker pipelines and runs',
    execute: () => app.shell.activateById(sidebar.id)
  });
  app.commands.addCommand(CommandIDs.refresh, {
    label: 'Refresh SageMaker Pipelines',
    execute: () => model.refresh()
  });
  app.commands.addCommand(CommandIDs.openRun, {
    label: args => `Open run ${String(args.name ?? '')}`,
    execute: args => openRun(String(args.namespace), String(args.name))
  });
  app.commands.addCommand(CommandIDs.review, {
    label: 'Review ACK pipeline',
    caption: 'Lint an ACK YAML file, draw its DAG and verify it against S3',
    icon: pipelinesIcon,
    isEnabled: args => typeof args.path === 'string' || selectedYamlPaths().length > 0,
    execute: args => {
      const paths = typeof args.path === 'string' ? [args.path] : selectedYamlPaths();
      paths.forEach(openReview);
    }
  });
  app.commands.addCommand(CommandIDs.reviewCurrent, {
    label: 'Review current ACK YAML file',
    isEnabled: () => YAML_FILE.test(currentDocumentPath(app) ?? ''),
    execute: () => {
      const path = currentDocumentPath(app);
      if (path && YAML_FILE.test(path)) {
        openReview(path);
      }
    }
  });

  app.contextMenu.addItem({
    command: CommandIDs.review,
    selector: '.jp-DirListing-item[data-file-type="yaml"]',
    rank: 10
  });
  for (const command of [CommandIDs.openSidebar, CommandIDs.refresh, CommandIDs.reviewCurrent]) {
    palette?.addItem({ command, category: CATEGORY });
  }
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-sagemaker-ack:plugin',
  description: 'SageMaker Pipelines sidebar, run views and ACK YAML review.',
  autoStart: true,
  optional: [ICommandPalette, IFileBrowserFactory, ILayoutRestorer],
  activate
};

/**
 * The panel's DAG widget front end (widget.ts), registered with ipywidgets' manager. A separate plugin so
 * that the sidebar and the review keep working where the widget manager is not running.
 */
const widgetPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-sagemaker-ack:widget',
  description: 'The DAG view of the SageMakerAckPanel ipywidget.',
  autoStart: true,
  requires: [IJupyterWidgetRegistry],
  activate: (_app: JupyterFrontEnd, registry: IJupyterWidgetRegistry): void => {
    registry.registerWidget({ name: WIDGET_MODULE, version: WIDGET_VERSION, exports: { DagModel, DagView } });
  }
};

export default [plugin, widgetPlugin];
