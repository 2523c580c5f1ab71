/**
 * Tiny DOM builders. Every piece of data goes in as text or an attribute, never as HTML, so a step name
 * or failure reason from a cluster cannot inject markup.
 */

export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: { [name: string]: string | undefined } = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined) {
      element.setAttribute(name, value);
    }
  }
  for (const child of children) {
    if (child) {
      element.append(child);
    }
  }
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: { [name: string]: string | number | undefined } = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined) {
      element.setAttribute(name, String(value));
    }
  }
  for (const child of children) {
    if (child) {
      element.append(child);
    }
  }
  return element;
}

/** A link that opens outside JupyterLab, only for http(s) URLs; otherwise nothing. */
export function externalLink(url: string | null | undefined, text: string): HTMLAnchorElement | null {
  if (!url || !/^https?:\/\//i.test(url)) {
    return null;
  }
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, text);
}
