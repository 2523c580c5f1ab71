/**
 * Two runs side by side in the main area (`GET compare`): the parameters that differ, the semantic diff of
 * their definitions, and each step's status and duration in both runs.
 */

import { Widget } from '@lumino/widgets';

import { ApiError, compareRuns } from './api';
import { h } from './dom';
import { compareText } from './historyrows';

export class CompareView extends Widget {
  constructor(
    readonly namespace: string,
    readonly a: string,
    readonly b: string
  ) {
    super();
    this.addClass('jp-SageMakerAck-compareView');
    this.id = `jp-SageMakerAck-compare-${namespace}-${a}-${b}`;
    this.title.label = `${a} \u2194 ${b}`;
    this.title.caption = `Compare ${namespace}/${a} with ${namespace}/${b}`;
    this.title.closable = true;
    this.node.append(this._body);
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const result = await compareRuns(this.a, this.b, this.namespace);
      const text = compareText(result);
      const list = (cls: string, items: string[]): HTMLElement =>
        h('ul', { class: cls }, ...items.map(item => h('li', {}, item)));
      const rows = text.steps.map(step =>
        h(
          'tr',
          { 'data-step': step.name, class: step.differs ? 'jp-mod-differs' : '' },
          h('td', { class: 'jp-SageMakerAck-stepName' }, step.name),
          h('td', {}, step.a),
          h('td', {}, step.b)
        )
      );
      this._body.replaceChildren(
        h('h2', {}, `${this.a} \u2192 ${this.b}`),
        h('h3', {}, 'Parameters'),
        list('jp-SageMakerAck-compareParameters', text.parameters),
        h('h3', {}, 'Definition'),
        list('jp-SageMakerAck-compareDefinition', text.definition),
        h('h3', {}, 'Steps'),
        h(
          'table',
          { class: 'jp-SageMakerAck-stepTable jp-SageMakerAck-compareSteps' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Step'), h('th', {}, this.a), h('th', {}, this.b))),
          h('tbody', {}, ...rows)
        )
      );
    } catch (error) {
      const message = error instanceof ApiError ? error.message : String(error);
      this._body.replaceChildren(h('div', { class: 'jp-SageMakerAck-error' }, message));
    }
  }

  private _body = h('div', { class: 'jp-SageMakerAck-compareBody' }, 'Loading\u2026');
}
