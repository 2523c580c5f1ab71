/**
 * A JupyterLab notification when a followed run ends (RunsModel.ended), with its outcome and an action
 * that opens the run's view.
 */

import { Notification } from '@jupyterlab/apputils';

import { outcomeNotice } from './outcomes';
import { IRunSnapshot } from './wire';

const SUCCESS_SHOWN_MS = 15_000;

export function notifyRunEnded(run: IRunSnapshot, openRun: (namespace: string, name: string) => void): void {
  const notice = outcomeNotice(run);
  const actions: Notification.IAction[] = run.name
    ? [
        {
          label: 'Open run',
          caption: `Open the view of ${run.namespace}/${run.name}`,
          callback: () => openRun(run.namespace, run.name!)
        }
      ]
    : [];
  // A failure stays until it is dismissed; a success goes away by itself.
  const autoClose = notice.kind === 'success' ? SUCCESS_SHOWN_MS : false;
  Notification[notice.kind](notice.message, { autoClose, actions });
}
