/**
 * Weights on first use: a model is built, counted, summarised and written
 * out as a graph without allocating a weight; `predict`, `getWeights`,
 * `save` and `toONNX` draw them once, with the values an eager build would
 * have drawn; weights that cannot be allocated are a sentence with the bytes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ShapeError, clearSession, codegen, input, layers, model, plotModel, sequential, tensor } from "../../src/index.js";
import type { Model } from "../../src/index.js";
import { createRandom, glorotUniform, ones, zeros } from "../../src/kernels/random.js";
import type { Random } from "../../src/kernels/random.js";
import type { Tensor } from "../../src/kernels/tensor.js";
import type { Layer, WeightSpec } from "../../src/layers/layer.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A model of about 2e9 parameters: one dense layer of 44,722 x 44,722. */
function huge(units: number): Model {
  const x = input({ shape: [units] });
  return model({ inputs: x, outputs: x.dense({ units }), seed: 1 }) as unknown as Model;
}

const untyped = (m: Model) => m as unknown as { getWeights(): Tensor[]; predict(x: unknown): Tensor; toONNX(): Uint8Array; countParams(): number };

/** What building a model drew before weights were lazy: every layer in Keras order, from one stream. */
function eagerWeights(layerList: readonly Layer[], random: Random): Tensor[] {
  const value = (spec: WeightSpec): Float32Array => {
    const init = spec.initializer;
    if (typeof init === "function") return init(spec.shape, random);
    return init === "glorotUniform" ? glorotUniform(spec.shape, random) : init === "ones" ? ones(spec.shape) : zeros(spec.shape);
  };
  return layerList.flatMap((l) => l.weightSpecs().map((s) => ({ shape: [...s.shape], data: value(s) })));
}

describe("weights on first use", () => {
  it("a 2e9-parameter model is built, counted, summarised and written as a graph without allocating its weights", () => {
    const before = process.memoryUsage().arrayBuffers;
    const m = huge(44_722);
    expect(m.countParams()).toBe(2_000_102_006);
    expect(m.summary({ printFn: () => {} })).toContain("Total params: 2,000,102,006");
    expect(m.summaryData().totalParams).toBe(2_000_102_006);
    expect(m.toKerasJSON()).toContain('"units": 44722');
    expect(codegen(m)).toContain("units: 44722");
    expect(plotModel(m)).toContain("<svg");
    // 8 GB of weights would be drawn by now if any of these allocated them.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
    expect(m.layers[1].pendingWeightBytes()).toBe(4 * 2_000_102_006);
  });

  it("1e10 parameters: building and counting work; drawing the weights is a ShapeError with the bytes, never a RangeError", () => {
    const m = untyped(huge(100_000));
    expect(m.countParams()).toBe(10_000_100_000);
    const refusal =
      /^shapewise: (model 'model\w*' cannot allocate its weights: they need 40,000,400,000 bytes \(layer 'dense\w*' alone 40,000,400,000 bytes\), more than this machine's memory \([\d,]+ bytes\)|layer 'dense\w*' cannot allocate its weight kernel of shape \[100000, 100000\]: it needs 40,000,000,000 bytes, more than one Float32Array holds \(17,179,869,184 bytes\)|predict cannot hold the model's weights \(40,000,400,000 bytes\) in the kernels' [\d,]+ bytes)$/;
    for (const use of [() => m.getWeights(), () => m.toONNX(), () => m.predict(tensor([1, 100_000]))]) {
      let caught: unknown;
      try {
        use();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ShapeError);
      expect((caught as Error).message).toMatch(refusal);
    }
  });

  it("one weight past the engine's largest Float32Array is refused by name before anything is allocated", () => {
    // 65,537 x 65,536 floats: 17.2 GB, one array past 2^32 elements.
    const x = input({ shape: [65_537] });
    const m = untyped(model({ inputs: x, outputs: x.dense({ units: 65_536, useBias: false }) }) as unknown as Model);
    expect(() => m.getWeights()).toThrow(
      /^shapewise: (layer 'dense\w*' cannot allocate its weight kernel of shape \[65537, 65536\]: it needs 17,180,131,328 bytes|model '\w+' cannot allocate its weights: they need 17,180,131,328 bytes)/,
    );
  });

  it("weights drawn late are those an eager build drew: seeded and session models, any order of first use", () => {
    clearSession();
    const chain = () => {
      const x = input({ shape: [6, 6, 2] });
      const y = x.conv2d({ filters: 3, kernelSize: 3 }).batchNormalization().flatten();
      return { x, y: y.dense({ units: 4 }) };
    };
    const a = chain();
    const ma = model({ inputs: a.x, outputs: a.y }) as unknown as Model;
    const b = input({ shape: [5, 3] });
    const mb = model({ inputs: b, outputs: b.lstm({ units: 4 }).dense({ units: 2 }) }) as unknown as Model;
    const c = input({ shape: [7] });
    const mc = model({ inputs: c, outputs: c.embedding({ inputDim: 10, outputDim: 3 }).flatten().dense({ units: 2 }), seed: 9 }) as unknown as Model;
    // Used in reverse order of building: each still gets its own place in the stream.
    const wc = untyped(mc).getWeights();
    const wb = untyped(mb).getWeights();
    const wa = untyped(ma).getWeights();
    const session = createRandom(1337);
    expect(wa).toEqual(eagerWeights(ma.layers, session));
    expect(wb).toEqual(eagerWeights(mb.layers, session));
    expect(wc).toEqual(eagerWeights(mc.layers, createRandom(9)));
  });

  it("a nested model and a shared layer keep the values of the model that first held them", () => {
    clearSession();
    const shared = layers.dense({ units: 4 });
    const i = input({ shape: [4] });
    const inner = model({ inputs: i, outputs: shared.apply(i).dense({ units: 2 }), seed: 5 }) as unknown as Model;
    const o = input({ shape: [4] });
    const outer = model({
      inputs: o,
      outputs: (inner.apply(shared.apply(o) as never) as unknown as { dense(c: object): unknown }).dense({ units: 1 }) as never,
      seed: 6,
    }) as unknown as Model;
    const outerWeights = untyped(outer).getWeights();
    expect(untyped(inner).getWeights()).toEqual(eagerWeights(inner.layers, createRandom(5)));
    const own = outer.layers.filter((l) => !inner.layers.includes(l) && l.className !== "Functional");
    const expectedOwn = eagerWeights(own, createRandom(6));
    const ownWeights = outerWeights.slice(outerWeights.length - expectedOwn.length);
    expect(ownWeights).toEqual(expectedOwn);
  });

  it("setWeights on a model never used installs the given values and draws nothing", () => {
    let draws = 0;
    const counting = Object.assign(
      (shape: readonly number[], random: Random) => {
        draws += 1;
        return Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => random.next());
      },
      { drawsPerValue: 1 },
    );
    const x = input({ shape: [3] });
    const y = x.dense({ units: 2 });
    const dense = (y as unknown as { layer: Layer }).layer;
    const specs = dense.weightSpecs.bind(dense);
    dense.weightSpecs = () => specs().map((s) => ({ ...s, initializer: counting }));
    const m = untyped(model({ inputs: x, outputs: y, seed: 2 }) as unknown as Model);
    const given = [
      { shape: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
      { shape: [2], data: new Float32Array([7, 8]) },
    ];
    (m as unknown as Model).setWeights(given);
    expect(m.getWeights()).toEqual(given);
    expect(draws).toBe(0);
  });

  it("save and a sequential model draw once and agree with getWeights", async () => {
    const x = input({ shape: [5] });
    const s = sequential({ inputs: x, outputs: x.dense({ units: 3 }).dense({ units: 2 }), seed: 4 }) as unknown as Model;
    const dir = mkdtempSync(join(tmpdir(), "shapewise-lazy-"));
    dirs.push(dir);
    await s.save(dir);
    const first = untyped(s).getWeights();
    expect(first).toEqual(eagerWeights(s.layers, createRandom(4)));
    expect(untyped(s).getWeights()).toEqual(first);
  });
});
