/**
 * Model diagrams (`plotModel`): one box per layer with Keras' labels and
 * shape notation, arrows for every connection, rows by depth so that every
 * arrow points down, merges centred under their inputs, and arrows that skip
 * rows kept out of the boxes they pass.
 */
import { describe, expect, it } from "vitest";

import { ShapeError, add, clearSession, concatenate, input, model } from "../src/index.js";
import type { Model } from "../src/index.js";
import { kerasShapeText, plotModel } from "../src/plot/plot.js";
import { toyResnet } from "../examples/toy-resnet.js";

interface PlacedBox {
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The boxes of a diagram, read back from the SVG. */
function boxes(svg: string): Map<string, PlacedBox> {
  const out = new Map<string, PlacedBox>();
  for (const m of svg.matchAll(/<g class="layer" data-layer="([^"]+)"><rect x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)"/g)) {
    out.set(m[1], { name: m[1], x: Number(m[2]), y: Number(m[3]), width: Number(m[4]), height: Number(m[5]) });
  }
  return out;
}

/** Every arrow as its list of points (start, curve controls and ends, line ends). */
function arrows(svg: string): [number, number][][] {
  return [...svg.matchAll(/<path d="(M[^"]+)" fill="none"/g)].map((m) =>
    [...m[1].matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((p): [number, number] => [Number(p[1]), Number(p[2])]),
  );
}

const centre = (b: PlacedBox) => b.x + b.width / 2;

describe("plotModel", () => {
  it("draws one box per layer with 'name: ClassName' and an arrow per connection", () => {
    clearSession();
    const x = input({ shape: [28, 28, 1] });
    const m = model({ inputs: x, outputs: x.conv2d({ filters: 4, kernelSize: 3 }).flatten().dense({ units: 10 }) }) as unknown as Model;
    const svg = plotModel(m);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect([...boxes(svg).keys()]).toEqual(["input_1", "conv2d", "flatten", "dense"]);
    for (const title of ["input_1: InputLayer", "conv2d: Conv2D", "flatten: Flatten", "dense: Dense"]) expect(svg).toContain(`>${title}</text>`);
    expect(arrows(svg)).toHaveLength(3);
    expect(svg).not.toContain("output:");
    expect(svg).toContain(">model</text>");
    expect(plotModel(m, { title: false })).not.toContain(">model</text>");
  });

  it("shows input and output shapes in Keras notation with showShapes", () => {
    clearSession();
    const x = input({ shape: [28, 28, 1] });
    const m = model({ inputs: x, outputs: x.conv2d({ filters: 4, kernelSize: 3 }).flatten() }) as unknown as Model;
    const svg = plotModel(m, { showShapes: true });
    expect(svg).toContain("input:  [(None, 28, 28, 1)]");
    expect(svg).toContain("output: [(None, 28, 28, 1)]");
    expect(svg).toContain("input:  (None, 28, 28, 1)");
    expect(svg).toContain("output: (None, 26, 26, 4)");
    expect(svg).toContain("output: (None, 2704)");
    expect(kerasShapeText([null])).toBe("(None,)");
    expect(kerasShapeText([null, null, 3])).toBe("(None, None, 3)");
  });

  it("lays a branching graph out in rows: every arrow points down, merges centred under their inputs", () => {
    clearSession();
    const a = input({ shape: [16], name: "text" });
    const b = input({ shape: [8], name: "meta" });
    const joined = concatenate([a.dense({ units: 8, name: "embed" }), b], { name: "join" });
    const m = model({ inputs: [a, b], outputs: joined.dense({ units: 2, name: "out" }) }) as unknown as Model;
    const svg = plotModel(m, { showShapes: true });
    const placed = boxes(svg);
    expect(svg).toContain("input:  [(None, 8), (None, 8)]");
    // Rows: inputs, embed, join, out.
    expect(placed.get("text")!.y).toBe(placed.get("meta")!.y);
    expect(placed.get("embed")!.y).toBeGreaterThan(placed.get("text")!.y);
    expect(placed.get("join")!.y).toBeGreaterThan(placed.get("embed")!.y);
    // The merge sits midway between the layers it reads.
    expect(Math.abs(centre(placed.get("join")!) - (centre(placed.get("embed")!) + centre(placed.get("meta")!)) / 2)).toBeLessThan(1);
    // No two boxes of a row overlap.
    const rows = new Map<number, PlacedBox[]>();
    for (const box of placed.values()) rows.set(box.y + box.height / 2, [...(rows.get(box.y + box.height / 2) ?? []), box]);
    for (const row of rows.values()) {
      const sorted = [...row].sort((p, q) => p.x - q.x);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i].x).toBeGreaterThan(sorted[i - 1].x + sorted[i - 1].width);
    }
    for (const points of arrows(svg)) expect(points[points.length - 1][1]).toBeGreaterThan(points[0][1]);
  });

  it("centres a layer over the branches that leave it", () => {
    clearSession();
    const x = input({ shape: [8], name: "x" });
    const stem = x.dense({ units: 4, name: "stem" });
    const branches = [1, 2, 3].map((i) => stem.dense({ units: 2, name: `branch_${i}` }));
    // A second input whose layers share the rows: placing rows by parents alone pushes the branches aside.
    const side = input({ shape: [8], name: "side" });
    const sideOut = side.dense({ units: 2, name: "side_1" }).dense({ units: 2, name: "side_2" });
    const m = model({ inputs: [x, side], outputs: [concatenate(branches, { name: "join" }), sideOut] }) as unknown as Model;
    const placed = boxes(plotModel(m));
    const middle = branches.reduce((sum, b) => sum + centre(placed.get(b.layerName)!), 0) / branches.length;
    expect(Math.abs(centre(placed.get("stem")!) - middle)).toBeLessThan(1);
    expect(Math.abs(centre(placed.get("join")!) - middle)).toBeLessThan(1);
    expect(Math.abs(centre(placed.get("x")!) - middle)).toBeLessThan(1);
  });

  it("routes a skip connection beside the boxes it passes, not through them", () => {
    clearSession();
    const m = toyResnet() as unknown as Model;
    const svg = plotModel(m, { showShapes: true });
    const placed = boxes(svg);
    expect(placed.size).toBe(m.layers.length);
    // The shortcut max_pooling2d -> add passes the rows of conv2d_2 and conv2d_3 in a lane of its own.
    const pool = placed.get("max_pooling2d")!;
    const merge = placed.get("add")!;
    const passed = [placed.get("conv2d_2")!, placed.get("conv2d_3")!];
    const shortcut = arrows(svg).find((points) => {
      const [sx, sy] = points[0];
      const [ex, ey] = points[points.length - 1];
      return (
        sy === pool.y + pool.height &&
        sx >= pool.x &&
        sx <= pool.x + pool.width &&
        ey < merge.y &&
        ex >= merge.x &&
        ex <= merge.x + merge.width &&
        points.length > 4
      );
    });
    expect(shortcut).toBeDefined();
    for (const box of passed) {
      // Where the arrow crosses the box's row, it is outside the box.
      const inRow = shortcut!.filter(([, y]) => y >= box.y && y <= box.y + box.height);
      expect(inRow.length).toBeGreaterThan(0);
      for (const [x] of inRow) expect(x < box.x || x > box.x + box.width).toBe(true);
    }
  });

  it("draws a shared layer once, with an arrow from each of its callers", () => {
    clearSession();
    const ix = input({ shape: [6] });
    const encoder = model({ inputs: ix, outputs: ix.dense({ units: 3 }), name: "encoder" });
    const left = input({ shape: [6], name: "left" });
    const right = input({ shape: [6], name: "right" });
    const m = model({ inputs: [left, right], outputs: add([encoder.apply(left), encoder.apply(right)], { name: "sum" }) }) as unknown as Model;
    const svg = plotModel(m);
    expect([...boxes(svg).keys()].sort()).toEqual(["encoder", "left", "right", "sum"]);
    expect(svg).toContain(">encoder: Functional</text>");
    // left -> encoder, right -> encoder, encoder -> sum (both calls are one box).
    expect(arrows(svg)).toHaveLength(3);
  });

  it("escapes text and refuses what is not a model", () => {
    clearSession();
    const x = input({ shape: [2], name: "a&b" });
    const svg = plotModel(model({ inputs: x, outputs: x.dense({ units: 1 }), name: "<m>" }) as unknown as Model);
    expect(svg).toContain(">a&amp;b: InputLayer</text>");
    expect(svg).toContain(">&lt;m&gt;</text>");
    expect(() => plotModel({} as never)).toThrow(ShapeError);
    expect(() => plotModel(null as never)).toThrow("shapewise: plotModel expects a model, got null");
  });
});
