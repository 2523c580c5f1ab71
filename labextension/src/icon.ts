/** The sidebar and view icon: a small three-step DAG. */

import { LabIcon } from '@jupyterlab/ui-components';

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <rect x="2" y="3" width="8" height="5" rx="1"/>
    <rect x="14" y="3" width="8" height="5" rx="1"/>
    <rect x="8" y="16" width="8" height="5" rx="1"/>
    <path d="M6 8v3.5h12V8h1.5v5H12.75v3h-1.5v-3H4.5V8z"/>
  </g>
</svg>`;

export const pipelinesIcon = new LabIcon({ name: 'jupyter-sagemaker-ack:pipelines', svgstr: SVG });
