/**
 * Model diagrams as SVG, after Keras `plot_model`: one box per layer
 * (`name: ClassName`, and with `showShapes` its input and output shapes in
 * Keras' `(None, 28, 28, 1)` notation), arrows from each layer to the layers
 * that read it, top to bottom.
 *
 * Layout: layers are placed in rows by depth (the longest path from an
 * input), so every arrow points down; within a row, layers are ordered and
 * placed by the mean position of the layers they read and of those that read
 * them (a merge sits centred under its inputs, a layer centred over its
 * branches), and an arrow that skips rows gets a lane of its own beside the
 * boxes it passes.
 *
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * writeFileSync("model.svg", plotModel(m, { showShapes: true }));
 * ```
 */
import { configObject, fail, optionalBoolean, valueText } from "../checks.js";
import { displayText } from "../display-text.js";
import type { Layer } from "../layers/layer.js";
import type { ModelGraph } from "../model-graph.js";
import type { Shape } from "../shape.js";

/**
 * The public surface of a model a diagram needs: every `Model` has it.
 *
 * @example
 * ```ts
 * const plottable: PlottableModel = m;
 * ```
 */
export interface PlottableModel {
  readonly name: string;
  graph(): ModelGraph;
}

/**
 * Options of {@link plotModel}.
 *
 * @example
 * ```ts
 * plotModel(m, { showShapes: true, title: false });
 * ```
 */
export interface PlotOptions {
  /** Show each layer's input and output shapes (Keras `show_shapes`); default false. */
  showShapes?: boolean;
  /** Write the model's name above the diagram; default true. */
  title?: boolean;
}

/** The options {@link plotModel} takes. */
const PLOT_OPTIONS: readonly (keyof PlotOptions)[] = ["showShapes", "title"];

/** Text metrics of the monospace font the diagram uses (DejaVu Sans Mono at 13 px: 0.602 em per character). */
const FONT_SIZE = 13;
const CHAR_WIDTH = FONT_SIZE * 0.602;
const LINE_HEIGHT = 18;
const PAD_X = 10;
const PAD_Y = 6;
const GAP_X = 28;
const GAP_Y = 44;
const MARGIN = 20;
const FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace";

/** One box of the diagram. */
interface Box {
  readonly layer: Layer;
  readonly title: string;
  /** `[label, shape]` rows under the title (none without shapes). */
  readonly rows: readonly (readonly [string, string])[];
  readonly width: number;
  readonly height: number;
  readonly parents: Box[];
  depth: number;
  x: number;
  y: number;
}

/**
 * A shape in Keras' Python notation, as `plot_model` and the summaries print it.
 *
 * @example
 * ```ts
 * kerasShapeText([null, 28, 28, 1]); // "(None, 28, 28, 1)"
 * kerasShapeText([null]);            // "(None,)"
 * ```
 */
export function kerasShapeText(shape: Shape): string {
  const dims = shape.map((d) => (d === null ? "None" : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(", ")})`;
}

function shapesText(shapes: readonly Shape[], asList: boolean): string {
  const parts = shapes.map(kerasShapeText);
  return asList || parts.length !== 1 ? `[${parts.join(", ")}]` : parts[0];
}

/**
 * Text as XML character data or an attribute value. Characters XML cannot
 * hold at all (most controls, lone surrogates, U+FFFE), and the others that
 * must not act on a reader (line breaks, bidi overrides), are shown as
 * escapes first, so the document is always well-formed.
 */
const escapeXml = (s: string): string => displayText(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The boxes, one per layer, with the layers each one reads (over all of its calls). */
function boxesOf(graph: ModelGraph, showShapes: boolean): Box[] {
  const byLayer = new Map<Layer, Box>();
  const boxes: Box[] = [];
  for (const node of graph.nodes) {
    const existing = byLayer.get(node.layer);
    if (existing !== undefined) {
      // A shared layer's later call: more arrows into the same box.
      for (const ref of node.inbound) {
        const parent = byLayer.get(ref.layer);
        if (parent !== undefined && !existing.parents.includes(parent)) existing.parents.push(parent);
      }
      continue;
    }
    const isInput = node.inbound.length === 0;
    // The title as drawn (escapes included), so the box is as wide as its text.
    const title = displayText(`${node.layer.name}: ${node.layer.className}`);
    const rows: [string, string][] = showShapes
      ? [
          ["input:", shapesText(isInput ? node.outputShapes : node.inbound.map((r) => r.shape), isInput)],
          ["output:", shapesText(node.outputShapes, isInput)],
        ]
      : [];
    const labelWidth = Math.max(0, ...rows.map((r) => r[0].length));
    const rowChars = Math.max(0, ...rows.map((r) => labelWidth + 1 + r[1].length));
    const width = Math.ceil(Math.max(title.length, rowChars) * CHAR_WIDTH + 2 * PAD_X);
    const height = (1 + rows.length) * LINE_HEIGHT + 2 * PAD_Y + (rows.length > 0 ? PAD_Y : 0);
    const parents = node.inbound.map((r) => byLayer.get(r.layer)).filter((b): b is Box => b !== undefined);
    const box: Box = { layer: node.layer, title, rows, width, height, parents: [...new Set(parents)], depth: 0, x: 0, y: 0 };
    byLayer.set(node.layer, box);
    boxes.push(box);
  }
  return boxes;
}

/**
 * A node of the layout: a box, or a point an arrow passes through in a row
 * it crosses (so that an arrow skipping rows gets a lane of its own instead
 * of running through the boxes in between).
 */
interface Slot {
  readonly width: number;
  readonly height: number;
  readonly parents: Slot[];
  depth: number;
  x: number;
  y: number;
  /** For a lane point: the height of the row it crosses. */
  span?: number;
}

/** An arrow: from a box to a box, through one point per row in between. */
interface Edge {
  readonly from: Box;
  readonly to: Box;
  readonly via: readonly Slot[];
}

/** Width an arrow's lane takes in a row it crosses. */
const LANE_WIDTH = 6;

/** Places boxes in rows by depth and spreads each row around the mean position of its parents. */
function layout(boxes: Box[]): { width: number; height: number; edges: Edge[] } {
  // Boxes come in topological order: each parent's depth is known first.
  for (const b of boxes) b.depth = b.parents.reduce((d, p) => Math.max(d, p.depth + 1), 0);
  const slots: Slot[] = [...boxes];
  const edges: Edge[] = [];
  const layoutParents = new Map<Slot, Slot[]>();
  for (const to of boxes) {
    const parents: Slot[] = [];
    for (const from of to.parents) {
      const via: Slot[] = [];
      let previous: Slot = from;
      for (let d = from.depth + 1; d < to.depth; d++) {
        const point: Slot = { width: LANE_WIDTH, height: 0, parents: [previous], depth: d, x: 0, y: 0 };
        slots.push(point);
        via.push(point);
        previous = point;
      }
      parents.push(previous);
      edges.push({ from, to, via });
    }
    layoutParents.set(to, parents);
  }
  const parentsOf = (s: Slot): readonly Slot[] => layoutParents.get(s) ?? s.parents;
  const rows: Slot[][] = [];
  for (const s of slots) (rows[s.depth] ??= []).push(s);
  const childrenOf = new Map<Slot, Slot[]>();
  for (const s of slots) {
    for (const p of parentsOf(s)) {
      const children = childrenOf.get(p);
      if (children === undefined) childrenOf.set(p, [s]);
      else children.push(s);
    }
  }
  const mean = (list: readonly Slot[]) => list.reduce((sum, p) => sum + p.x, 0) / list.length;
  /** Places a row where its slots want to be: in order, no overlaps, centred on the wanted positions. */
  const place = (row: readonly Slot[], want: (s: Slot) => number): void => {
    const wanted = new Map<Slot, number>(row.map((s) => [s, want(s)]));
    const sorted = [...row].sort((a, b) => wanted.get(a)! - wanted.get(b)!);
    let previous: Slot | undefined;
    for (const s of sorted) {
      s.x = previous === undefined ? wanted.get(s)! : Math.max(wanted.get(s)!, previous.x + (previous.width + s.width) / 2 + GAP_X);
      previous = s;
    }
    const shift = sorted.reduce((sum, s) => sum + (s.x - wanted.get(s)!), 0) / sorted.length;
    for (const s of sorted) s.x -= shift;
  };
  // Down: each row under the slots it reads (inputs side by side); up: each
  // row over the slots that read it, so a layer sits centred over its
  // branches; down again, so that merges end centred under their inputs.
  for (const row of rows) {
    let next = 0;
    const start = new Map<Slot, number>();
    for (const s of row) {
      start.set(s, next);
      next += s.width + GAP_X;
    }
    place(row, (s) => (parentsOf(s).length === 0 ? start.get(s)! : mean(parentsOf(s))));
  }
  for (const row of [...rows].reverse()) place(row, (s) => (childrenOf.has(s) ? mean(childrenOf.get(s)!) : s.x));
  for (const row of rows) place(row, (s) => (parentsOf(s).length === 0 ? s.x : mean(parentsOf(s))));
  let y = 0;
  for (const row of rows) {
    const rowHeight = row.reduce((h, s) => Math.max(h, s.height), 0);
    // A lane point spans its whole row; a box is centred in it.
    for (const s of row) s.y = s.height === 0 ? y : y + (rowHeight - s.height) / 2;
    for (const s of row) if (s.height === 0) s.span = rowHeight;
    y += rowHeight + GAP_Y;
  }
  // Loops, not spread arguments: a diagram can have more slots than a call takes arguments.
  const left = slots.reduce((l, s) => Math.min(l, s.x - s.width / 2), Infinity);
  const right = slots.reduce((r, s) => Math.max(r, s.x + s.width / 2), -Infinity);
  for (const s of slots) s.x -= left;
  return { width: right - left, height: y - GAP_Y, edges };
}

function boxSvg(b: Box): string {
  const x0 = b.x - b.width / 2;
  const parts = [
    `<g class="layer" data-layer="${escapeXml(b.layer.name)}">`,
    `<rect x="${x0.toFixed(1)}" y="${b.y.toFixed(1)}" width="${b.width}" height="${b.height}" rx="4" fill="#ffffff" stroke="#333333" stroke-width="1.2"/>`,
    `<text x="${b.x.toFixed(1)}" y="${(b.y + PAD_Y + LINE_HEIGHT * 0.75).toFixed(1)}" text-anchor="middle" font-weight="bold">${escapeXml(b.title)}</text>`,
  ];
  if (b.rows.length > 0) {
    const lineY = b.y + PAD_Y + LINE_HEIGHT + PAD_Y / 2;
    parts.push(`<line x1="${x0.toFixed(1)}" y1="${lineY.toFixed(1)}" x2="${(x0 + b.width).toFixed(1)}" y2="${lineY.toFixed(1)}" stroke="#999999"/>`);
    const labelWidth = Math.max(...b.rows.map((r) => r[0].length));
    b.rows.forEach(([label, value], i) => {
      const ty = lineY + PAD_Y / 2 + LINE_HEIGHT * (i + 0.75);
      const text = `${label.padEnd(labelWidth)} ${value}`;
      parts.push(`<text x="${(x0 + PAD_X).toFixed(1)}" y="${ty.toFixed(1)}" xml:space="preserve">${escapeXml(text)}</text>`);
    });
  }
  parts.push("</g>");
  return parts.join("");
}

/** A smooth vertical S-curve between two points, as path commands after an `M`. */
function curve(x1: number, y1: number, x2: number, y2: number): string {
  const bend = Math.max(12, (y2 - y1) / 2);
  return ` C${x1.toFixed(1)},${(y1 + bend).toFixed(1)} ${x2.toFixed(1)},${(y2 - bend).toFixed(1)} ${x2.toFixed(1)},${y2.toFixed(1)}`;
}

function edgeSvg(edge: Edge, dx: number, dxTo: number): string {
  let x = edge.from.x + dx;
  let y = edge.from.y + edge.from.height;
  let d = `M${x.toFixed(1)},${y.toFixed(1)}`;
  for (const point of edge.via) {
    // Down the lane through the row this arrow crosses.
    d += curve(x, y, point.x, point.y);
    x = point.x;
    y = point.y + (point.span ?? 0);
    d += ` L${x.toFixed(1)},${y.toFixed(1)}`;
  }
  d += curve(x, y, edge.to.x + dxTo, edge.to.y - 2);
  return `<path d="${d}" fill="none" stroke="#333333" stroke-width="1.2" marker-end="url(#arrow)"/>`;
}

/**
 * The model as an SVG diagram (a complete document), like Keras
 * `plot_model(model, show_shapes=...)`: one box per layer, arrows from each
 * layer to the layers that read it.
 *
 * @example
 * ```ts
 * const svg = plotModel(m, { showShapes: true }); // "<svg ...>...</svg>"
 * ```
 */
export function plotModel(m: PlottableModel, options: PlotOptions = {}): string {
  if (m === null || typeof m !== "object" || typeof (m as Partial<PlottableModel>).graph !== "function") {
    fail(`shapewise: plotModel expects a model, got ${valueText(m)}`);
  }
  if (options === null || typeof options !== "object") fail(`shapewise: plotModel options must be an object, got ${valueText(options)}`);
  // Keras's other plot_model options (dpi, rankdir, expand_nested, ...) are not drawn here: naming one is refused, not ignored.
  configObject("plotModel", options, PLOT_OPTIONS);
  const showShapes = optionalBoolean("plotModel", "showShapes", options.showShapes, false);
  const showTitle = optionalBoolean("plotModel", "title", options.title, true);
  const boxes = boxesOf(m.graph(), showShapes);
  const size = layout(boxes);
  const edges = size.edges;
  const titleHeight = showTitle ? LINE_HEIGHT + 8 : 0;
  const width = Math.ceil(size.width + 2 * MARGIN);
  const height = Math.ceil(size.height + 2 * MARGIN + titleHeight);
  // Arrows leaving or entering one box spread a little along its edge, so that they do not overlap there.
  const spread = (list: readonly Edge[], b: Box, i: number) =>
    list.length > 1 ? (i / (list.length - 1) - 0.5) * Math.min(b.width * 0.5, 16 * (list.length - 1)) : 0;
  const start = new Map<Edge, number>();
  const end = new Map<Edge, number>();
  // Arrows grouped by their boxes once: filtering every arrow per box is quadratic in the model's size.
  const leavingOf = new Map<Box, Edge[]>();
  const enteringOf = new Map<Box, Edge[]>();
  for (const e of edges) {
    for (const [byBox, box] of [
      [leavingOf, e.from],
      [enteringOf, e.to],
    ] as const) {
      const list = byBox.get(box);
      if (list === undefined) byBox.set(box, [e]);
      else list.push(e);
    }
  }
  for (const b of boxes) {
    const leaving = (leavingOf.get(b) ?? []).sort((p, q) => (p.via[0] ?? p.to).x - (q.via[0] ?? q.to).x);
    leaving.forEach((e, i) => start.set(e, spread(leaving, b, i)));
    const entering = (enteringOf.get(b) ?? []).sort((p, q) => (p.via[p.via.length - 1] ?? p.from).x - (q.via[q.via.length - 1] ?? q.from).x);
    entering.forEach((e, i) => end.set(e, spread(entering, b, i)));
  }
  const paths = edges.map((e) => edgeSvg(e, start.get(e)!, end.get(e)!));
  const body = [...paths, ...boxes.map(boxSvg)].join("\n");
  const title = !showTitle
    ? ""
    : `<text x="${(width / 2).toFixed(1)}" y="${MARGIN + LINE_HEIGHT * 0.75}" text-anchor="middle" font-size="${FONT_SIZE + 2}">${escapeXml(m.name)}</text>\n`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="${FONT_SIZE}">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333333"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    title,
    `<g transform="translate(${MARGIN},${MARGIN + titleHeight})">`,
    body,
    "</g>",
    "</svg>",
    "",
  ].join("\n");
}
