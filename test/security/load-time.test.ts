/**
 * Loading and building are linear in the number of layer calls: models that
 * apply an inner model twice per level (2^depth calls if expanded) and long
 * chains (50,000 layers) load in bounded work. Work is counted (shape checks
 * of the innermost layer) or compared between sizes n and 4n, never judged
 * by one absolute time.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearSession, input, model, modelFromKerasJSON, modelFromTfjsArtifacts, modelToTfjsArtifacts } from "../../src/index.js";
import type { Model } from "../../src/index.js";
import { Dense } from "../../src/layers/core.js";

afterEach(() => {
  vi.restoreAllMocks();
  clearSession();
});

/** A model of `depth` levels, each applying the level below twice in a row: 2^depth dense calls once expanded. */
function doubling(depth: number): Model {
  const x0 = input({ shape: [4], name: "x0" });
  let m = model({ inputs: x0, outputs: x0.dense({ units: 4, name: "d0" }), name: "m0" }) as unknown as Model;
  for (let i = 1; i <= depth; i++) {
    const x = input({ shape: [4], name: `x${i}` });
    const apply = (m.apply as unknown as (t: unknown) => unknown).bind(m);
    m = model({ inputs: x, outputs: apply(apply(x)) as never, name: `m${i}` }) as unknown as Model;
  }
  return m;
}

/** How many times the innermost Dense checks its shapes while `run` runs. */
function denseChecks(run: () => void): number {
  const spy = vi.spyOn(Dense.prototype, "computeOutputShape");
  run();
  const n = spy.mock.calls.length;
  spy.mockRestore();
  return n;
}

describe("nested models applied twice per level", () => {
  it("build through the API with work linear in the depth (the innermost layer is checked a few times, not 2^depth)", () => {
    const at = (depth: number) => denseChecks(() => doubling(depth));
    const [small, large] = [at(8), at(16)];
    // Linear: 8 more levels add a few checks each; exponential would be 2^8 times more.
    expect(large).toBeLessThanOrEqual(small + 8 * 4);
    expect(large).toBeLessThan(100);
    expect(at(32)).toBeLessThan(200);
  });

  it("load from Keras JSON and TensorFlow.js artifacts at the documented limit of 32 levels", () => {
    const m = doubling(32);
    const text = m.toKerasJSON();
    const artifacts = modelToTfjsArtifacts(m);
    clearSession();
    const fromKeras = denseChecks(() => {
      const back = modelFromKerasJSON(text);
      expect(back.countParams()).toBe(m.countParams());
    });
    const fromTfjs = denseChecks(() => {
      const back = modelFromTfjsArtifacts({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs }, artifacts.weightData);
      expect(back.getWeights().map((w) => [...w.data])).toEqual(m.getWeights().map((w) => [...w.data]));
    });
    expect(fromKeras).toBeLessThan(200);
    expect(fromTfjs).toBeLessThan(200);
  });
});

/** A TensorFlow.js model.json of a chain of `n` activation layers (about 145 bytes each). */
function chainJson(n: number): Record<string, unknown> {
  const layers: unknown[] = [
    {
      name: "input_1",
      class_name: "InputLayer",
      config: { batch_input_shape: [null, 2], dtype: "float32", sparse: false, name: "input_1" },
      inbound_nodes: [],
    },
  ];
  for (let i = 0; i < n; i++) {
    const previous = i === 0 ? "input_1" : `a${i - 1}`;
    layers.push({
      name: `a${i}`,
      class_name: "Activation",
      config: { activation: "relu", name: `a${i}`, trainable: true },
      inbound_nodes: [[[previous, 0, 0, {}]]],
    });
  }
  return {
    modelTopology: { class_name: "Model", config: { name: "chain", layers, input_layers: [["input_1", 0, 0]], output_layers: [[`a${n - 1}`, 0, 0]] } },
    weightsManifest: [],
  };
}

/** The least time of `runs` runs, in ms: the least is the one least disturbed by other work on the machine. */
function leastTime(runs: number, run: () => void): number {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

describe("long chains", () => {
  it("load, summarise and convert in time near-linear in the layer count (n and 4n compared)", () => {
    const text = (n: number) => JSON.stringify(chainJson(n));
    const work = (json: string) => () => {
      clearSession();
      const m = modelFromTfjsArtifacts(json, new Uint8Array(0));
      m.summaryData();
      modelFromKerasJSON(m.toKerasJSON());
    };
    const [small, large] = [text(2500), text(10000)];
    work(small)(); // warm up the JIT
    const t1 = leastTime(2, work(small));
    const t4 = leastTime(2, work(large));
    // Linear work gives about 4x, quadratic 16x; the slack absorbs a busy machine.
    expect(t4).toBeLessThan(8 * t1 + 3000);
  }, 180_000);

  it("of 50,000 layers (a 7 MB model.json) load through both readers", () => {
    const json = JSON.stringify(chainJson(50_000));
    expect(json.length).toBeGreaterThan(7_000_000);
    const m = modelFromTfjsArtifacts(json, new Uint8Array(0));
    expect(m.layers.length).toBe(50_001);
    expect(m.summaryData().rows.length).toBe(50_001);
    const back = modelFromKerasJSON(m.toKerasJSON());
    expect(back.layers.at(-1)!.name).toBe("a49999");
  }, 180_000);
});
