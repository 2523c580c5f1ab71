/**
 * Zoom, pan, fit and follow for one SVG picture in a scrolling box, and a minimap of the whole picture.
 * The SVG keeps its viewBox; zooming changes its width and height, so the browser's own scrolling (wheel,
 * scrollbars, touch) pans, and a drag pans too. No library: the picture is one SVG element.
 */

import { s } from './dom';

export const MIN_SCALE = 0.1;
export const MAX_SCALE = 3;
/** Fit never shrinks below this: a 13 px step name stays at least 11 px on screen. */
export const MIN_FIT_SCALE = 11 / 13;

export interface IBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export class PanZoom {
  /**
   * @param viewport the scrolling box (overflow: auto) holding `svg`
   * @param svg the picture, drawn in content units of `width` x `height`
   */
  constructor(
    readonly viewport: HTMLElement,
    readonly svg: SVGSVGElement,
    private _width: number,
    private _height: number
  ) {
    viewport.addEventListener('wheel', this._onWheel, { passive: false });
    viewport.addEventListener('pointerdown', this._onPointerDown);
    viewport.addEventListener('scroll', () => this._changed());
    this._apply();
  }

  /** Called after every zoom or scroll, e.g. to move the minimap's frame. */
  onChange: (() => void) | null = null;
  /** Called when the user pans or zooms by hand (a drag, a wheel zoom): following stops. */
  onManual: (() => void) | null = null;

  get scale(): number {
    return this._scale;
  }

  /** The picture got a new size (a re-layout): keep the scale. */
  resize(width: number, height: number): void {
    this._width = width;
    this._height = height;
    this._apply();
  }

  /** Zoom to `scale`, keeping the content point under `anchor` (viewport pixels; default its centre) still. */
  zoomTo(scale: number, anchor?: { x: number; y: number }): void {
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
    const at = anchor ?? { x: this.viewport.clientWidth / 2, y: this.viewport.clientHeight / 2 };
    const contentX = (this.viewport.scrollLeft + at.x) / this._scale;
    const contentY = (this.viewport.scrollTop + at.y) / this._scale;
    this._scale = next;
    this._apply();
    this.viewport.scrollLeft = contentX * next - at.x;
    this.viewport.scrollTop = contentY * next - at.y;
    this._changed();
  }

  zoomBy(factor: number, anchor?: { x: number; y: number }): void {
    this.zoomTo(this._scale * factor, anchor);
  }

  /**
   * Show the whole picture if it fits at a readable size (never above 100 %); otherwise the smallest readable
   * size, scrolled to `focus` (e.g. the root step, or the running step).
   */
  fit(focus?: IBox | null): void {
    const width = this.viewport.clientWidth || this._width;
    const height = this._maxHeight();
    const whole = Math.min(width / Math.max(this._width, 1), height / Math.max(this._height, 1), 1);
    this._scale = Math.max(whole, Math.min(MIN_FIT_SCALE, 1));
    this._apply();
    if (focus) {
      this.reveal(focus, true);
    } else {
      this.viewport.scrollLeft = 0;
      this.viewport.scrollTop = 0;
    }
    this._changed();
  }

  /** Scroll so that `box` (content units) is in view; `centre` puts it in the middle. */
  reveal(box: IBox, centre = true): void {
    const v = this.viewport;
    const left = box.x * this._scale;
    const top = box.y * this._scale;
    const w = box.width * this._scale;
    const h = box.height * this._scale;
    const inView =
      left >= v.scrollLeft && top >= v.scrollTop && left + w <= v.scrollLeft + v.clientWidth && top + h <= v.scrollTop + v.clientHeight;
    if (inView && !centre) {
      return;
    }
    v.scrollLeft = left + w / 2 - v.clientWidth / 2;
    v.scrollTop = top + h / 2 - v.clientHeight / 2;
    this._changed();
  }

  /** The part of the picture in view, in content units. */
  visible(): IBox {
    const v = this.viewport;
    return {
      x: v.scrollLeft / this._scale,
      y: v.scrollTop / this._scale,
      width: v.clientWidth / this._scale,
      height: v.clientHeight / this._scale
    };
  }

  /** True when part of the picture is out of view. */
  overflows(): boolean {
    const v = this.viewport;
    return this._width * this._scale > v.clientWidth + 1 || this._height * this._scale > v.clientHeight + 1;
  }

  private _maxHeight(): number {
    const max = parseFloat(getComputedStyle(this.viewport).maxHeight);
    return Number.isFinite(max) ? max : this.viewport.clientHeight || this._height;
  }

  private _apply(): void {
    this.svg.setAttribute('width', (this._width * this._scale).toFixed(1));
    this.svg.setAttribute('height', (this._height * this._scale).toFixed(1));
    this.viewport.dataset.scale = this._scale.toFixed(3);
  }

  private _changed(): void {
    this.onChange?.();
  }

  private _onWheel = (event: WheelEvent): void => {
    if (!event.ctrlKey && !event.metaKey) {
      return; // a plain wheel scrolls (pans) the box, and the page once the box is at its edge
    }
    event.preventDefault();
    const rect = this.viewport.getBoundingClientRect();
    this.onManual?.();
    this.zoomBy(Math.exp(-event.deltaY / 300), { x: event.clientX - rect.left, y: event.clientY - rect.top });
  };

  private _onPointerDown = (event: PointerEvent): void => {
    if (event.button !== 0) {
      return;
    }
    const v = this.viewport;
    const start = { x: event.clientX, y: event.clientY, left: v.scrollLeft, top: v.scrollTop };
    let moved = false;
    const move = (e: PointerEvent): void => {
      const dx = e.clientX - start.x;
      const dy = e.clientY - start.y;
      if (!moved && Math.abs(dx) + Math.abs(dy) < 4) {
        return;
      }
      if (!moved) {
        moved = true;
        v.classList.add('jp-mod-panning');
        this.onManual?.();
      }
      v.scrollLeft = start.left - dx;
      v.scrollTop = start.top - dy;
    };
    const up = (): void => {
      v.classList.remove('jp-mod-panning');
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };

  private _scale = 1;
}

/** A small picture of the whole DAG with a frame over the part in view; a click or drag moves the view. */
export class Minimap {
  readonly node: SVGSVGElement;

  constructor(
    private readonly _zoom: PanZoom,
    width: number,
    height: number,
    boxes: readonly (IBox & { name: string })[]
  ) {
    const ratio = Math.min(MINIMAP_SIZE / Math.max(width, 1), MINIMAP_SIZE / Math.max(height, 1));
    this.node = s('svg', {
      class: 'jp-SageMakerAck-minimap',
      width: Math.max(24, width * ratio).toFixed(0),
      height: Math.max(24, height * ratio).toFixed(0),
      viewBox: `0 0 ${width} ${height}`,
      preserveAspectRatio: 'xMidYMid meet',
      role: 'img',
      'aria-label': 'Overview of the whole DAG; click to move the view'
    });
    this.node.append(s('rect', { x: 0, y: 0, width, height, class: 'jp-SageMakerAck-minimapBack' }));
    for (const box of boxes) {
      const rect = s('rect', { x: box.x, y: box.y, width: box.width, height: box.height, fill: '#ffffff', stroke: '#90a4ae', 'data-step': box.name });
      this._rects.set(box.name, rect);
      this.node.append(rect);
    }
    this.node.append(this._frame);
    this.node.addEventListener('pointerdown', event => {
      event.stopPropagation();
      this._moveTo(event);
      const move = (e: PointerEvent): void => this._moveTo(e);
      const up = (): void => {
        window.removeEventListener('pointermove', move);
        window.removeEventListener('pointerup', up);
      };
      window.addEventListener('pointermove', move);
      window.addEventListener('pointerup', up);
    });
  }

  /** Colour one step's box. */
  paint(name: string, fill: string, stroke: string): void {
    const rect = this._rects.get(name);
    rect?.setAttribute('fill', fill);
    rect?.setAttribute('stroke', stroke);
  }

  /** Move the frame to what the view shows; hide the map when everything is in view. */
  sync(): void {
    const seen = this._zoom.visible();
    this._frame.setAttribute('x', seen.x.toFixed(1));
    this._frame.setAttribute('y', seen.y.toFixed(1));
    this._frame.setAttribute('width', seen.width.toFixed(1));
    this._frame.setAttribute('height', seen.height.toFixed(1));
    this.node.classList.toggle('jp-SageMakerAck-hidden', !this._zoom.overflows());
  }

  private _moveTo(event: PointerEvent): void {
    const rect = this.node.getBoundingClientRect();
    const box = this.node.viewBox.baseVal;
    const ratio = Math.min(rect.width / box.width, rect.height / box.height);
    const offsetX = (rect.width - box.width * ratio) / 2;
    const offsetY = (rect.height - box.height * ratio) / 2;
    const x = (event.clientX - rect.left - offsetX) / ratio;
    const y = (event.clientY - rect.top - offsetY) / ratio;
    this._zoom.onManual?.();
    this._zoom.reveal({ x, y, width: 0, height: 0 }, true);
  }

  private _rects = new Map<string, SVGRectElement>();
  private _frame = s('rect', { class: 'jp-SageMakerAck-minimapFrame' });
}

const MINIMAP_SIZE = 160;
