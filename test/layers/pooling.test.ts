/**
 * The pooling family: max and average pooling in 1, 2 and 3 dimensions, and
 * global max and average pooling, against
 *
 * - the Keras 3.15.1 `layer_case:*` and `forward_case:*` entries copied into
 *   `test/fixtures/keras-cases/pooling.json` (shape, parameter counts,
 *   weights, error cases, forward outputs within 1e-5);
 * - TensorFlow.js 4.22 (cpu backend) layers, or TF.js ops where TF.js has no
 *   such layer or option (rules marked `TF.js divergence` below), on random
 *   inputs from fixed seeds, within 1e-5;
 * - the exact `ShapeError` sentences of invalid configs;
 * - the class names a Keras 3 summary prints.
 */
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ShapeError, clearSession, tensor } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import { call, kerasCases as loadKerasCases, layerFamilyHarness, looseInput, looseModel, randomTensor, run } from "../support/layer-harness.js";
import type { Loose } from "../support/layer-harness.js";

const TOL = 1e-5;
const expectClose = layerFamilyHarness("layers/pooling.test.ts", TOL, 52);
const kerasCases = loadKerasCases("pooling");

const METHOD_OF: Record<string, string> = {
  MaxPooling1D: "maxPooling1d",
  AveragePooling1D: "averagePooling1d",
  MaxPooling2D: "maxPooling2d",
  AveragePooling2D: "averagePooling2d",
  MaxPooling3D: "maxPooling3d",
  AveragePooling3D: "averagePooling3d",
  GlobalMaxPooling1D: "globalMaxPooling1d",
  GlobalAveragePooling1D: "globalAveragePooling1d",
  GlobalMaxPooling2D: "globalMaxPooling2d",
  GlobalAveragePooling2D: "globalAveragePooling2d",
  GlobalMaxPooling3D: "globalMaxPooling3d",
  GlobalAveragePooling3D: "globalAveragePooling3d",
};

/** Keras config (snake_case, `channels_first`) to shapewise options (TF.js camelCase, `channelsFirst`). */
function camelConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [
      k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
      typeof v === "string" ? v.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : v,
    ]),
  );
}

/** Our sentence for each Keras 3 error case (Keras' own text names other things). */
const OUR_ERRORS: Record<string, string> = {
  "layer_case:maxpool2d_too_small_error": "shapewise: maxPooling2d poolSize 2 is larger than input height 1 with padding 'valid'",
};

describe("Keras 3 layer cases", () => {
  const layerCases = kerasCases.filter((c) => c.name.startsWith("layer_case:"));

  it("the fixture holds every pooling layer case", () => {
    expect(layerCases.map((c) => c.name)).toEqual(
      expect.arrayContaining(["layer_case:maxpool1d_default", "layer_case:gap3d", "layer_case:gmp2d_channels_first"]),
    );
    expect(layerCases).toHaveLength(19);
  });

  it.each(layerCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const [layer] = c.layers;
    const x = looseInput(c.input_shape.slice(1));
    const build = () => call(x, METHOD_OF[layer.class_name], camelConfig(layer.config));
    if (c.keras3_error !== undefined) {
      expect(c.output_shape).toBeNull();
      expect(build).toThrow(ShapeError);
      expect(build).toThrow(OUR_ERRORS[c.name]);
      return;
    }
    const y = build();
    expect(y.shape).toEqual(c.output_shape);
    const m = looseModel({ inputs: x, outputs: y });
    const data = m.summaryData();
    expect([m.countParams(), data.trainableParams, data.nonTrainableParams]).toEqual([c.total_params, c.trainable_params, c.non_trainable_params]);
    expect(m.getWeights()).toEqual([]);
    expect(m.layers.flatMap((l) => l.weightSpecs().map((w) => ({ name: w.name, shape: w.shape, trainable: w.trainable })))).toEqual(c.weights_keras3);
    expect(m.layers[m.layers.length - 1].className).toBe(layer.class_name);
    // The stored TF.js result differs from Keras 3 exactly where it says so.
    const tfjs = c["tfjs_4.22"];
    if (tfjs?.output_shape !== undefined && tfjs.differs_from_keras3 !== true) expect(y.shape).toEqual(tfjs.output_shape);
  });
});

describe("Keras 3 forward cases", () => {
  const forwardCases = kerasCases.filter((c) => c.name.startsWith("forward_case:"));

  it("the fixture holds maxpool2d_same, both avgpool2d cases and global_avg_pool2d", () => {
    expect(forwardCases.map((c) => c.name).sort()).toEqual([
      "forward_case:avgpool2d_3_s1_same",
      "forward_case:avgpool2d_same",
      "forward_case:global_avg_pool2d",
      "forward_case:maxpool2d_same",
    ]);
  });

  it.each(forwardCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const [layer] = c.layers;
    const shape = c.input_shape as number[];
    const x = looseInput(shape.slice(1));
    const m = looseModel({ inputs: x, outputs: call(x, METHOD_OF[layer.class_name], camelConfig(layer.config)) });
    expect(m.countParams()).toBe(c.total_params);
    const y = run(m, tensor(shape, Float32Array.from(c.forward_keras3!.inputs[0])));
    expect(y.shape).toEqual(c.output_shape);
    expectClose(y.data, c.forward_keras3!.output, c.name, "Keras 3 forward cases");
  });
});

// ---------------------------------------------------------------------------
// TensorFlow.js
// ---------------------------------------------------------------------------

type TfLayerFactory = (config: object) => tf.layers.Layer;
const tfLayers = tf.layers as unknown as Record<string, TfLayerFactory>;

/** `[n, c, ...]` ↔ `[n, ..., c]` in TF.js, for oracles that only take channels-last data. */
const tfToChannelsLast = (t: tf.Tensor): tf.Tensor => tf.transpose(t, [0, ...Array.from({ length: t.rank - 2 }, (_, i) => i + 2), 1]);
const tfToChannelsFirst = (t: tf.Tensor): tf.Tensor => tf.transpose(t, [0, t.rank - 1, ...Array.from({ length: t.rank - 2 }, (_, i) => i + 1)]);

interface OracleCase {
  label: string;
  group: string;
  /** Sample shape (no batch). */
  inShape: number[];
  /** The shapewise layer. */
  method: string;
  config: Record<string, unknown> | undefined;
  /**
   * The oracle: a TF.js layer factory and its config (output shape and
   * values compared), or a function of the TF.js input (values and concrete
   * shape compared) where TF.js has no such layer or option.
   */
  oracle: { layer: string; config: Record<string, unknown> } | ((x: tf.Tensor) => tf.Tensor);
  seed: number;
}

function compareWithTfjs(c: OracleCase): void {
  const random = createRandom(c.seed);
  const x = looseInput(c.inShape);
  const m = looseModel({ inputs: x, outputs: call(x, c.method, c.config) });
  expect(m.countParams(), `${c.label}: params`).toBe(0);
  let tfModel: tf.LayersModel | undefined;
  if (typeof c.oracle !== "function") {
    tfModel = tf.sequential({ layers: [tfLayers[c.oracle.layer]({ ...c.oracle.config, inputShape: c.inShape })] });
    expect(tfModel.countParams()).toBe(0);
    expect(m.outputShape, `${c.label}: symbolic output shape`).toEqual(tfModel.outputs[0].shape.map((d) => d ?? null));
  }
  try {
    for (const batch of [1, 3]) {
      const xb = randomTensor([batch, ...c.inShape], random);
      const ours = run(m, xb);
      const theirs = tf.tidy(() => {
        const t = tf.tensor(xb.data, xb.shape as number[]);
        const out = (typeof c.oracle === "function" ? c.oracle(t) : tfModel!.predict(t)) as tf.Tensor;
        return { shape: out.shape, data: out.dataSync().slice() };
      });
      expect(ours.shape, `${c.label} batch ${batch}: shape`).toEqual(theirs.shape);
      expectClose(ours.data, theirs.data, `${c.label} batch ${batch}`, c.group);
    }
  } finally {
    tfModel?.dispose();
  }
}

const spec = (v: unknown): string => JSON.stringify(v) ?? "-";

describe("windowed pooling against TensorFlow.js", () => {
  const cases: OracleCase[] = [];
  let seed = 1;

  // 1-D: every alias against its TF.js namesake; TF.js pooling1d has no
  // dataFormat option (it silently drops it), so channelsFirst runs TF.js on
  // the transposed input and transposes the result back (TF.js divergence rule 1).
  const ALIASES_1D: [string, string][] = [
    ["maxPooling1d", "maxPooling1d"],
    ["maxPool1d", "maxPool1d"],
    ["averagePooling1d", "averagePooling1d"],
    ["avgPool1d", "avgPool1d"],
    ["avgPooling1d", "avgPooling1d"],
  ];
  for (const [method, tfName] of ALIASES_1D) {
    for (const inShape of [
      [9, 3],
      [10, 2],
    ]) {
      for (const poolSize of [undefined, 1, 3, [4]]) {
        for (const strides of [undefined, 1, 2, [3]]) {
          for (const padding of ["valid", "same"]) {
            for (const dataFormat of ["channelsLast", "channelsFirst"]) {
              const config = { poolSize, strides, padding, dataFormat };
              const tfConfig = { poolSize, strides, padding };
              const shape = dataFormat === "channelsFirst" ? [inShape[1], inShape[0]] : inShape;
              cases.push({
                label: `${method} [${shape}] ${spec(poolSize)} ${spec(strides)} ${padding} ${dataFormat}`,
                group: `${method} vs TF.js`,
                inShape: shape,
                method,
                config,
                oracle:
                  dataFormat === "channelsLast"
                    ? { layer: tfName, config: tfConfig }
                    : (t) =>
                        tfToChannelsFirst(
                          tf.sequential({ layers: [tfLayers[tfName]({ ...tfConfig, inputShape: inShape })] }).predict(tfToChannelsLast(t)) as tf.Tensor,
                        ),
                seed: seed++,
              });
            }
          }
        }
      }
    }
  }

  // 2-D: the aliases and dataFormat, which TF.js supports for 2-D pooling.
  for (const [method, tfName] of [
    ["maxPooling2d", "maxPooling2d"],
    ["maxPool2d", "maxPool2d"],
    ["averagePooling2d", "averagePooling2d"],
    ["avgPool2d", "avgPool2d"],
    ["avgPooling2d", "avgPooling2d"],
  ]) {
    for (const poolSize of [undefined, 3, [2, 3]]) {
      for (const strides of [undefined, 1, [1, 2]]) {
        for (const padding of ["valid", "same"]) {
          for (const dataFormat of ["channelsLast", "channelsFirst"]) {
            const inShape = dataFormat === "channelsLast" ? [7, 6, 2] : [2, 7, 6];
            cases.push({
              label: `${method} [${inShape}] ${spec(poolSize)} ${spec(strides)} ${padding} ${dataFormat}`,
              group: `${method} vs TF.js`,
              inShape,
              method,
              config: { poolSize, strides, padding, dataFormat },
              oracle: { layer: tfName, config: { poolSize, strides, padding, dataFormat } },
              seed: seed++,
            });
          }
        }
      }
    }
  }

  // 3-D: TF.js pooling3d takes dataFormat too (TF.js has no maxPool3d alias).
  for (const [method, tfName] of [
    ["maxPooling3d", "maxPooling3d"],
    ["averagePooling3d", "averagePooling3d"],
    ["avgPool3d", "avgPool3d"],
    ["avgPooling3d", "avgPooling3d"],
  ]) {
    for (const poolSize of [undefined, 3, [1, 2, 3]]) {
      for (const strides of [undefined, 1, [2, 1, 2]]) {
        for (const padding of ["valid", "same"]) {
          for (const dataFormat of ["channelsLast", "channelsFirst"]) {
            const inShape = dataFormat === "channelsLast" ? [5, 4, 7, 2] : [2, 5, 4, 7];
            cases.push({
              label: `${method} [${inShape}] ${spec(poolSize)} ${spec(strides)} ${padding} ${dataFormat}`,
              group: `${method} vs TF.js`,
              inShape,
              method,
              config: { poolSize, strides, padding, dataFormat },
              oracle: { layer: tfName, config: { poolSize, strides, padding, dataFormat } },
              seed: seed++,
            });
          }
        }
      }
    }
  }

  it("covers every alias, size form, padding and data format", () => {
    expect(cases.length).toBe(5 * 2 * 4 * 4 * 2 * 2 + 5 * 3 * 3 * 2 * 2 + 4 * 3 * 3 * 2 * 2);
  });

  it.each(cases.map((c) => [c.label, c] as const))("%s", (_label, c) => compareWithTfjs(c));
});

describe("global pooling against TensorFlow.js", () => {
  const cases: OracleCase[] = [];
  let seed = 1000;
  const reduce = (kind: "max" | "avg", t: tf.Tensor, axes: number[], keepDims: boolean): tf.Tensor =>
    kind === "max" ? tf.max(t, axes, keepDims) : tf.mean(t, axes, keepDims);

  for (const [n, method, tfName, kind] of [
    [1, "globalMaxPooling1d", "globalMaxPooling1d", "max"],
    [1, "globalMaxPool1d", "globalMaxPool1d", "max"],
    [1, "globalAveragePooling1d", "globalAveragePooling1d", "avg"],
    [2, "globalMaxPooling2d", "globalMaxPooling2d", "max"],
    [2, "globalMaxPool2d", "globalMaxPool2d", "max"],
    [2, "globalAveragePooling2d", "globalAveragePooling2d", "avg"],
    [3, "globalMaxPooling3d", null, "max"],
    [3, "globalAveragePooling3d", null, "avg"],
  ] as const) {
    for (const dataFormat of ["channelsLast", "channelsFirst"] as const) {
      for (const keepdims of [undefined, false, true]) {
        const spatial = [5, 4, 3].slice(0, n);
        const inShape = dataFormat === "channelsLast" ? [...spatial, 6] : [6, ...spatial];
        const axes = Array.from({ length: n }, (_, i) => (dataFormat === "channelsLast" ? i + 1 : i + 2));
        // TF.js divergence rule 2: TF.js global pooling has no keepdims,
        // GlobalPooling1D has no dataFormat, and there is no 3-D global
        // pooling layer; those cases take TF.js `max`/`mean` over the spatial
        // axes (keepDims as asked) as the oracle instead of a layer.
        const useLayer = tfName !== null && keepdims !== true && (n === 2 || dataFormat === "channelsLast");
        cases.push({
          label: `${method} [${inShape}] ${dataFormat} keepdims ${keepdims}`,
          group: `${method} vs TF.js${useLayer ? "" : " (ops)"}`,
          inShape,
          method,
          config: { dataFormat, keepdims },
          oracle: useLayer ? { layer: tfName, config: n === 2 ? { dataFormat } : {} } : (t) => reduce(kind, t, axes, keepdims === true),
          seed: seed++,
        });
      }
    }
  }

  it.each(cases.map((c) => [c.label, c] as const))("%s", (_label, c) => compareWithTfjs(c));

  it("a channel whose window holds a NaN pools to NaN in global max, as TF.js max does", () => {
    const x = looseInput([3, 2]);
    const m = looseModel({ inputs: x, outputs: call(x, "globalMaxPooling1d") });
    const y = run(m, tensor([1, 3, 2], Float32Array.of(1, NaN, 2, 5, 3, 4)));
    expect(Array.from(y.data)).toEqual([3, NaN]);
    expect(Array.from(tf.tidy(() => tf.max(tf.tensor([1, NaN, 2, 5, 3, 4], [1, 3, 2]), 1).dataSync()))).toEqual([3, NaN]);
  });
});

// ---------------------------------------------------------------------------
// Shapes by formula, null sizes and run-time checks
// ---------------------------------------------------------------------------

describe("output sizes", () => {
  it("follow Keras 3 for every size, window, stride and padding, and never drop below 1", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 3),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 3, maxLength: 3 }),
        fc.constantFrom("valid", "same"),
        fc.constantFrom("channelsLast", "channelsFirst"),
        (n, lengths, pool, strides, padding, dataFormat) => {
          clearSession();
          const spatial = lengths.slice(0, n);
          const shape = dataFormat === "channelsLast" ? [...spatial, 2] : [2, ...spatial];
          const method = ["maxPooling1d", "maxPooling2d", "averagePooling3d"][n - 1];
          const config = { poolSize: pool.slice(0, n), strides: strides.slice(0, n), padding, dataFormat };
          const fits = padding === "same" || spatial.every((l, i) => l >= pool[i]);
          const x = looseInput(shape);
          if (!fits) {
            expect(() => call(x, method, config)).toThrow(ShapeError);
            return;
          }
          const out = call(x, method, config).shape as number[];
          const outSpatial = dataFormat === "channelsLast" ? out.slice(1, -1) : out.slice(2);
          const expected = spatial.map((l, i) => (padding === "same" ? Math.ceil(l / strides[i]) : Math.floor((l - pool[i]) / strides[i]) + 1));
          expect(outSpatial).toEqual(expected);
          expect(outSpatial.every((d) => Number.isInteger(d) && d >= 1)).toBe(true);
        },
      ),
      { seed: 4242, numRuns: 300 },
    );
  });

  it("unknown (null) sizes stay null and are checked again when data arrives", () => {
    const x = looseInput([null, 4]);
    const y = call(x, "maxPooling1d", { poolSize: 3 });
    expect(y.shape).toEqual([null, null, 4]);
    const m = looseModel({ inputs: x, outputs: y });
    expect(run(m, randomTensor([2, 7, 4], createRandom(1))).shape).toEqual([2, 2, 4]);
    expect(() => run(m, randomTensor([1, 2, 4], createRandom(1)))).toThrow(
      "shapewise: maxPooling1d poolSize 3 is larger than input steps 2 with padding 'valid'",
    );
    const g = looseInput([null, null, null, 3]);
    expect(call(g, "globalAveragePooling3d").shape).toEqual([null, 3]);
    expect(call(g, "maxPooling3d", { padding: "same" }).shape).toEqual([null, null, null, null, 3]);
    expect(call(looseInput([null, 5, 5]), "globalMaxPooling2d", { dataFormat: "channelsFirst", keepdims: true }).shape).toEqual([null, null, 1, 1]);
  });

  it("aliases build the same Keras layer class", () => {
    const x1 = looseInput([8, 2]);
    const x3 = looseInput([4, 4, 4, 2]);
    const classOf = (x: Loose, m: string): string => looseModel({ inputs: x, outputs: call(x, m) }).layers.at(-1)!.className;
    expect(["maxPool1d", "avgPool1d", "avgPooling1d", "globalMaxPool1d"].map((m) => classOf(x1, m))).toEqual([
      "MaxPooling1D",
      "AveragePooling1D",
      "AveragePooling1D",
      "GlobalMaxPooling1D",
    ]);
    expect(["avgPool3d", "avgPooling3d"].map((m) => classOf(x3, m))).toEqual(["AveragePooling3D", "AveragePooling3D"]);
    // TF.js 4.22 has no `maxPool3d`, so neither does shapewise.
    expect("maxPool3d" in x3).toBe(false);
  });
});

describe("invalid configs give the exact ShapeError sentence", () => {
  const seq = () => looseInput([8, 3]);
  const image = () => looseInput([8, 8, 3]);
  const volume = () => looseInput([4, 4, 4, 3]);
  const cases: [string, () => unknown, string][] = [
    [
      "1-D pool size 0",
      () => call(seq(), "maxPooling1d", { poolSize: 0 }),
      "shapewise: maxPooling1d poolSize must be a positive integer or a list of one, got 0",
    ],
    [
      "1-D pool size negative",
      () => call(seq(), "maxPool1d", { poolSize: -2 }),
      "shapewise: maxPooling1d poolSize must be a positive integer or a list of one, got -2",
    ],
    [
      "1-D pool size fractional",
      () => call(seq(), "averagePooling1d", { poolSize: 1.5 }),
      "shapewise: averagePooling1d poolSize must be a positive integer or a list of one, got 1.5",
    ],
    [
      "1-D pool size past 2^53",
      () => call(seq(), "averagePooling1d", { poolSize: 2 ** 60 }),
      "shapewise: averagePooling1d poolSize must be a positive integer or a list of one, got 1152921504606847000",
    ],
    [
      "1-D pool size null",
      () => call(seq(), "avgPool1d", { poolSize: null }),
      "shapewise: averagePooling1d poolSize must be a positive integer or a list of one, got null",
    ],
    [
      "1-D pool size pair",
      () => call(seq(), "maxPooling1d", { poolSize: [2, 2] }),
      "shapewise: maxPooling1d poolSize must be a positive integer or a list of one, got [2, 2]",
    ],
    [
      "1-D strides 0",
      () => call(seq(), "maxPooling1d", { strides: [0] }),
      "shapewise: maxPooling1d strides must be a positive integer or a list of one, got [0]",
    ],
    [
      "1-D window too large",
      () => call(looseInput([1, 3]), "maxPooling1d"),
      "shapewise: maxPooling1d poolSize 2 is larger than input steps 1 with padding 'valid'",
    ],
    [
      "1-D channels-first window too large",
      () => call(seq(), "averagePooling1d", { poolSize: 4, dataFormat: "channelsFirst" }),
      "shapewise: averagePooling1d poolSize 4 is larger than input steps 3 with padding 'valid'",
    ],
    [
      "1-D wrong rank",
      () => call(image(), "maxPooling1d"),
      "shapewise: maxPooling1d expects input of rank 3 [batch, steps, channels], got rank 4 [null, 8, 8, 3]",
    ],
    [
      "2-D channels-first wrong rank",
      () => call(seq(), "maxPooling2d", { dataFormat: "channelsFirst" }),
      "shapewise: maxPooling2d expects input of rank 4 [batch, channels, height, width], got rank 3 [null, 8, 3]",
    ],
    [
      "2-D channels-first window too large",
      () => call(image(), "avgPool2d", { poolSize: [2, 4], dataFormat: "channelsFirst" }),
      "shapewise: averagePooling2d poolSize 4 is larger than input width 3 with padding 'valid'",
    ],
    [
      "3-D pool size with a 0",
      () => call(volume(), "maxPooling3d", { poolSize: [2, 0, 2] }),
      "shapewise: maxPooling3d poolSize must be a positive integer or a triple of them, got [2, 0, 2]",
    ],
    [
      "3-D pool size pair",
      () => call(volume(), "maxPooling3d", { poolSize: [2, 2] }),
      "shapewise: maxPooling3d poolSize must be a positive integer or a triple of them, got [2, 2]",
    ],
    [
      "3-D strides negative",
      () => call(volume(), "averagePooling3d", { strides: -1 }),
      "shapewise: averagePooling3d strides must be a positive integer or a triple of them, got -1",
    ],
    [
      "3-D depth too small",
      () => call(looseInput([1, 4, 4, 3]), "maxPooling3d"),
      "shapewise: maxPooling3d poolSize 2 is larger than input depth 1 with padding 'valid'",
    ],
    [
      "3-D width too small",
      () => call(volume(), "avgPool3d", { poolSize: [1, 1, 5] }),
      "shapewise: averagePooling3d poolSize 5 is larger than input width 4 with padding 'valid'",
    ],
    [
      "3-D wrong rank",
      () => call(image(), "maxPooling3d"),
      "shapewise: maxPooling3d expects input of rank 5 [batch, depth, height, width, channels], got rank 4 [null, 8, 8, 3]",
    ],
    [
      "3-D channels-first wrong rank",
      () => call(image(), "avgPool3d", { dataFormat: "channelsFirst" }),
      "shapewise: averagePooling3d expects input of rank 5 [batch, channels, depth, height, width], got rank 4 [null, 8, 8, 3]",
    ],
    [
      "global wrong rank",
      () => call(image(), "globalAveragePooling1d"),
      "shapewise: globalAveragePooling1d expects input of rank 3 [batch, steps, channels], got rank 4 [null, 8, 8, 3]",
    ],
    [
      "global 2-D wrong rank",
      () => call(seq(), "globalMaxPool2d"),
      "shapewise: globalMaxPooling2d expects input of rank 4 [batch, height, width, channels], got rank 3 [null, 8, 3]",
    ],
    [
      "global 3-D channels-first wrong rank",
      () => call(image(), "globalMaxPooling3d", { dataFormat: "channelsFirst" }),
      "shapewise: globalMaxPooling3d expects input of rank 5 [batch, channels, depth, height, width], got rank 4 [null, 8, 8, 3]",
    ],
    [
      "global keepdims not boolean",
      () => call(image(), "globalAveragePooling2d", { keepdims: 1 }),
      "shapewise: globalAveragePooling2d keepdims must be true or false, got 1",
    ],
    [
      "dataFormat in Keras spelling",
      () => call(seq(), "maxPooling1d", { dataFormat: "channels_first" }),
      "shapewise: maxPooling1d dataFormat must be one of 'channelsLast', 'channelsFirst', got 'channels_first'",
    ],
    [
      "dataFormat null",
      () => call(image(), "globalMaxPooling2d", { dataFormat: null }),
      "shapewise: globalMaxPooling2d dataFormat must be one of 'channelsLast', 'channelsFirst', got null",
    ],
    [
      "padding causal",
      () => call(seq(), "maxPooling1d", { padding: "causal" }),
      "shapewise: maxPooling1d padding must be one of 'valid', 'same', got 'causal'",
    ],
    [
      "unknown option",
      () => call(seq(), "maxPooling1d", { pool_size: 2 }),
      "shapewise: maxPooling1d has no option 'pool_size' (options: poolSize, strides, padding, dataFormat, name)",
    ],
    [
      "unknown global option",
      () => call(seq(), "globalAveragePooling1d", { keepDims: true }),
      "shapewise: globalAveragePooling1d has no option 'keepDims' (options: dataFormat, keepdims, name)",
    ],
    ["config null", () => call(volume(), "maxPooling3d", null), "shapewise: maxPooling3d expects a config object, got null"],
    [
      "name with a slash",
      () => call(seq(), "globalMaxPooling1d", { name: "a/b" }),
      "shapewise: globalMaxPooling1d name must be a non-empty string without '/', got 'a/b'",
    ],
  ];

  it.each(cases)("%s", (_label, build, message) => {
    expect(build).toThrow(ShapeError);
    expect(build).toThrow(message);
    try {
      build();
    } catch (e) {
      expect((e as Error).message).toBe(message);
    }
  });

  it("every bad size, list or stride is a ShapeError, never a NaN or empty size", () => {
    const bad = fc.oneof(
      fc.integer({ min: -50, max: 0 }),
      fc.double({ min: 0.01, max: 50, noNaN: true }).filter((v) => !Number.isInteger(v)),
      fc.constantFrom(Number.NaN, Infinity, -Infinity, 2 ** 60, "2", null, true, {}, [], [1, 2, 3, 4]),
    );
    fc.assert(
      fc.property(
        fc.constantFrom("maxPooling1d", "averagePooling1d", "maxPooling3d", "averagePooling3d"),
        fc.constantFrom("poolSize", "strides"),
        bad,
        (method, key, value) => {
          clearSession();
          const x = looseInput(method.endsWith("1d") ? [8, 2] : [6, 6, 6, 2]);
          expect(() => call(x, method, { [key]: value })).toThrow(ShapeError);
          expect(() => call(x, method, { [key]: value })).toThrow(new RegExp(`^shapewise: ${method} ${key} must be a positive integer`));
        },
      ),
      { seed: 77, numRuns: 300 },
    );
  });
});

describe("summaries", () => {
  it.each([
    ["maxPooling1d", [8, 2], "max_pooling1d (MaxPooling1D)"],
    ["averagePooling1d", [8, 2], "average_pooling1d (AveragePooling1D)"],
    ["maxPooling2d", [8, 8, 2], "max_pooling2d (MaxPooling2D)"],
    ["avgPool2d", [8, 8, 2], "average_pooling2d (AveragePooling2D)"],
    ["maxPooling3d", [4, 4, 4, 2], "max_pooling3d (MaxPooling3D)"],
    ["averagePooling3d", [4, 4, 4, 2], "average_pooling3d (AveragePooling3D)"],
    ["globalMaxPooling1d", [8, 2], "global_max_pooling1d (GlobalMaxPooling1D)"],
    ["globalAveragePooling1d", [8, 2], "global_average_pooling1d (GlobalAveragePooling1D)"],
    ["globalMaxPooling2d", [8, 8, 2], "global_max_pooling2d (GlobalMaxPooling2D)"],
    ["globalAveragePooling2d", [8, 8, 2], "global_average_pooling2d (GlobalAveragePooling2D)"],
    ["globalMaxPooling3d", [4, 4, 4, 2], "global_max_pooling3d (GlobalMaxPooling3D)"],
    ["globalAveragePooling3d", [4, 4, 4, 2], "global_average_pooling3d (GlobalAveragePooling3D)"],
  ] as const)("%s: a single-layer model's Keras 3 summary row names %s", (method, shape, row) => {
    const x = looseInput(shape);
    const text = looseModel({ inputs: x, outputs: call(x, method) }).summary({ style: "keras3", lineLength: 120, printFn: () => {} });
    const line = text.split("\n").find((l) => l.includes(row));
    expect(line, text).toBeDefined();
    expect(line).toMatch(/│\s+0 │$/);
  });
});
