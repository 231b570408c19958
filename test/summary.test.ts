import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatFixed, readableMemorySize, KERAS2_MEMORY_UNITS, KERAS3_MEMORY_UNITS, thousands, pythonTuple, kerasShape } from "../src/summary/format.js";
import { formatKeras2 } from "../src/summary/keras2.js";
import { formatKeras3 } from "../src/summary/keras3.js";
import { formatTfjs } from "../src/summary/tfjs.js";
import { formatSummary } from "../src/summary/index.js";
import type { StyleNames, SummaryData, SummaryDim, SummaryRow } from "../src/summary/rows.js";

/** What a framework prints: every line followed by a newline. */
const text = (lines: readonly string[]): string => `${lines.join("\n")}\n`;

/** A reference text, copied byte for byte from keras-cases.json `summary_texts`. */
const fixture = (file: string): string => readFileSync(new URL(`./fixtures/summaries/${file}.txt`, import.meta.url), "utf8");

interface LayerSpec {
  /** tf.keras 2, Keras 3 and TF.js names. */
  readonly names: readonly [string, string, string];
  readonly className: string;
  readonly out: readonly SummaryDim[];
  readonly params: number;
  /** Keras 3 names of the inbound layers; default: the row before. */
  readonly from?: readonly string[];
}

const styleNames = ([keras2, keras3, tfjs]: readonly [string, string, string]): StyleNames => ({ keras2, keras3, tfjs });

/**
 * Summary data from a layer table. `input` is the input layer: shown as a row
 * for functional models, hidden (but still the first layer's inbound) for sequential ones.
 */
function build(spec: {
  readonly model: readonly [string, string, string];
  readonly kind: "sequential" | "functional";
  readonly sequentialLike?: boolean;
  readonly input: LayerSpec;
  readonly layers: readonly LayerSpec[];
}): SummaryData {
  const byName = new Map<string, SummaryRow>();
  const add = (layer: LayerSpec, isInput: boolean, previous: SummaryRow | undefined): SummaryRow => {
    const sources = isInput ? [] : (layer.from?.map((n) => byName.get(n)!) ?? [previous!]);
    const row: SummaryRow = {
      names: styleNames(layer.names),
      className: layer.className,
      isInput,
      inputShapes: isInput ? [layer.out] : sources.map((s) => s.outputShape),
      outputShape: layer.out,
      params: layer.params,
      trainableParams: layer.params,
      nonTrainableParams: 0,
      inbound: sources.map((s) => ({ layer: s.names, nodeIndex: 0, tensorIndex: 0 })),
    };
    byName.set(layer.names[1], row);
    return row;
  };
  const inputRow = add(spec.input, true, undefined);
  const rows: SummaryRow[] = [];
  let previous = inputRow;
  for (const layer of spec.layers) {
    previous = add(layer, false, previous);
    rows.push(previous);
  }
  const total = rows.reduce((sum, r) => sum + r.params, 0);
  return {
    names: styleNames(spec.model),
    kind: spec.kind,
    sequentialLike: spec.sequentialLike ?? true,
    rows: spec.kind === "functional" ? [inputRow, ...rows] : rows,
    totalParams: total,
    trainableParams: total,
    nonTrainableParams: 0,
    bytesPerParam: 4,
  };
}

const seqInput = (shape: readonly SummaryDim[]): LayerSpec => ({
  names: ["input_1", "input_layer", "input1"],
  className: "InputLayer",
  out: shape,
  params: 0,
});

/** A layer whose tf.keras 2 and Keras 3 names agree (fresh session, one model). */
const L = (name: string, tfjs: string, className: string, out: readonly SummaryDim[], params: number, from?: string[]): LayerSpec => ({
  names: [name, name, tfjs],
  className,
  out,
  params,
  ...(from ? { from } : {}),
});

const SEQUENTIAL = ["sequential", "sequential", "sequential"] as const;

const seedA = build({
  model: SEQUENTIAL,
  kind: "sequential",
  input: seqInput([null, 28, 28, 1]),
  layers: [
    L("conv2d", "conv2d_Conv2D1", "Conv2D", [null, 26, 26, 32], 320),
    L("max_pooling2d", "max_pooling2d_MaxPooling2D1", "MaxPooling2D", [null, 13, 13, 32], 0),
    L("conv2d_1", "conv2d_Conv2D2", "Conv2D", [null, 11, 11, 64], 18496),
    L("max_pooling2d_1", "max_pooling2d_MaxPooling2D2", "MaxPooling2D", [null, 5, 5, 64], 0),
    L("conv2d_2", "conv2d_Conv2D3", "Conv2D", [null, 3, 3, 128], 73856),
    L("flatten", "flatten_Flatten1", "Flatten", [null, 1152], 0),
    L("dense", "dense_Dense1", "Dense", [null, 10], 11530),
  ],
});

const seedBLayers = [
  L("conv2d", "conv2d_Conv2D1", "Conv2D", [null, 28, 28, 32], 320),
  L("max_pooling2d", "max_pooling2d_MaxPooling2D1", "MaxPooling2D", [null, 14, 14, 32], 0),
  L("conv2d_1", "conv2d_Conv2D2", "Conv2D", [null, 12, 12, 64], 18496),
  L("max_pooling2d_1", "max_pooling2d_MaxPooling2D2", "MaxPooling2D", [null, 6, 6, 64], 0),
  L("conv2d_2", "conv2d_Conv2D3", "Conv2D", [null, 4, 4, 128], 73856),
  L("flatten", "flatten_Flatten1", "Flatten", [null, 2048], 0),
  L("dense", "dense_Dense1", "Dense", [null, 10], 20490),
];

const seedB = build({ model: SEQUENTIAL, kind: "sequential", input: seqInput([null, 28, 28, 1]), layers: seedBLayers });

const mnistConvnet = build({
  model: SEQUENTIAL,
  kind: "sequential",
  input: seqInput([null, 28, 28, 1]),
  layers: [
    L("conv2d", "conv2d_Conv2D1", "Conv2D", [null, 26, 26, 32], 320),
    L("max_pooling2d", "max_pooling2d_MaxPooling2D1", "MaxPooling2D", [null, 13, 13, 32], 0),
    L("conv2d_1", "conv2d_Conv2D2", "Conv2D", [null, 11, 11, 64], 18496),
    L("max_pooling2d_1", "max_pooling2d_MaxPooling2D2", "MaxPooling2D", [null, 5, 5, 64], 0),
    L("flatten", "flatten_Flatten1", "Flatten", [null, 1600], 0),
    L("dropout", "dropout_Dropout1", "Dropout", [null, 1600], 0),
    L("dense", "dense_Dense1", "Dense", [null, 10], 16010),
  ],
});

const lenet5 = build({
  // The Keras 3 run named the model; the tf.keras 2 and TF.js texts come from an unnamed one.
  model: ["sequential", "lenet5", "sequential"],
  kind: "sequential",
  input: seqInput([null, 32, 32, 1]),
  layers: [
    L("conv2d", "conv2d_Conv2D1", "Conv2D", [null, 28, 28, 6], 156),
    L("average_pooling2d", "average_pooling2d_AveragePooling2D1", "AveragePooling2D", [null, 14, 14, 6], 0),
    L("conv2d_1", "conv2d_Conv2D2", "Conv2D", [null, 10, 10, 16], 2416),
    L("average_pooling2d_1", "average_pooling2d_AveragePooling2D2", "AveragePooling2D", [null, 5, 5, 16], 0),
    L("flatten", "flatten_Flatten1", "Flatten", [null, 400], 0),
    L("dense", "dense_Dense1", "Dense", [null, 120], 48120),
    L("dense_1", "dense_Dense2", "Dense", [null, 84], 10164),
    L("dense_2", "dense_Dense3", "Dense", [null, 10], 850),
  ],
});

const functionalMnist = build({
  model: ["mnist_model", "mnist_model", "mnist_model"],
  kind: "functional",
  input: { names: ["input_1", "input_layer", "input1"], className: "InputLayer", out: [null, 784], params: 0 },
  layers: [
    L("dense", "dense_Dense1", "Dense", [null, 64], 50240),
    L("dense_1", "dense_Dense2", "Dense", [null, 64], 4160),
    L("dense_2", "dense_Dense3", "Dense", [null, 10], 650),
  ],
});

/** tf.keras 2 names come from the keras.io guide (earlier cells used conv2d..conv2d_7); Keras 3 ran after clear_session(). */
const toyResnet = build({
  model: ["toy_resnet", "toy_resnet", "toy_resnet"],
  kind: "functional",
  sequentialLike: false,
  input: { names: ["img", "img", "img"], className: "InputLayer", out: [null, 32, 32, 3], params: 0 },
  layers: [
    { names: ["conv2d_8", "conv2d", "conv2d_Conv2D1"], className: "Conv2D", out: [null, 30, 30, 32], params: 896 },
    { names: ["conv2d_9", "conv2d_1", "conv2d_Conv2D2"], className: "Conv2D", out: [null, 28, 28, 64], params: 18496 },
    { names: ["max_pooling2d_2", "max_pooling2d", "max_pooling2d_MaxPooling2D1"], className: "MaxPooling2D", out: [null, 9, 9, 64], params: 0 },
    { names: ["conv2d_10", "conv2d_2", "conv2d_Conv2D3"], className: "Conv2D", out: [null, 9, 9, 64], params: 36928 },
    { names: ["conv2d_11", "conv2d_3", "conv2d_Conv2D4"], className: "Conv2D", out: [null, 9, 9, 64], params: 36928 },
    { names: ["add", "add", "add_Add1"], className: "Add", out: [null, 9, 9, 64], params: 0, from: ["conv2d_3", "max_pooling2d"] },
    { names: ["conv2d_12", "conv2d_4", "conv2d_Conv2D5"], className: "Conv2D", out: [null, 9, 9, 64], params: 36928 },
    { names: ["conv2d_13", "conv2d_5", "conv2d_Conv2D6"], className: "Conv2D", out: [null, 9, 9, 64], params: 36928 },
    { names: ["add_1", "add_1", "add_Add2"], className: "Add", out: [null, 9, 9, 64], params: 0, from: ["conv2d_5", "add"] },
    { names: ["conv2d_14", "conv2d_6", "conv2d_Conv2D7"], className: "Conv2D", out: [null, 7, 7, 64], params: 36928 },
    {
      names: ["global_average_pooling2d", "global_average_pooling2d", "global_average_pooling2d_GlobalAveragePooling2D1"],
      className: "GlobalAveragePooling2D",
      out: [null, 64],
      params: 0,
    },
    { names: ["dense_6", "dense", "dense_Dense1"], className: "Dense", out: [null, 256], params: 16640 },
    { names: ["dropout", "dropout", "dropout_Dropout1"], className: "Dropout", out: [null, 256], params: 0 },
    { names: ["dense_7", "dense_1", "dense_Dense2"], className: "Dense", out: [null, 10], params: 2570 },
  ],
});

/** The encoder of the keras.io functional API guide (Keras 3 text only). */
const encoderLayers: LayerSpec[] = [
  L("conv2d", "conv2d_Conv2D1", "Conv2D", [null, 26, 26, 16], 160),
  L("conv2d_1", "conv2d_Conv2D2", "Conv2D", [null, 24, 24, 32], 4640),
  L("max_pooling2d", "max_pooling2d_MaxPooling2D1", "MaxPooling2D", [null, 8, 8, 32], 0),
  L("conv2d_2", "conv2d_Conv2D3", "Conv2D", [null, 6, 6, 32], 9248),
  L("conv2d_3", "conv2d_Conv2D4", "Conv2D", [null, 4, 4, 16], 4624),
  L("global_max_pooling2d", "global_max_pooling2d_GlobalMaxPooling2D1", "GlobalMaxPooling2D", [null, 16], 0),
];
const imgInput: LayerSpec = { names: ["img", "img", "img"], className: "InputLayer", out: [null, 28, 28, 1], params: 0 };
const encoder = build({ model: ["encoder", "encoder", "encoder"], kind: "functional", input: imgInput, layers: encoderLayers });
const autoencoder = build({
  model: ["autoencoder", "autoencoder", "autoencoder"],
  kind: "functional",
  input: imgInput,
  layers: [
    ...encoderLayers,
    L("reshape", "reshape_Reshape1", "Reshape", [null, 4, 4, 1], 0),
    L("conv2d_transpose", "conv2d_transpose_Conv2DTranspose1", "Conv2DTranspose", [null, 6, 6, 16], 160),
    L("conv2d_transpose_1", "conv2d_transpose_Conv2DTranspose2", "Conv2DTranspose", [null, 8, 8, 32], 4640),
    L("up_sampling2d", "up_sampling2d_UpSampling2D1", "UpSampling2D", [null, 24, 24, 32], 0),
    L("conv2d_transpose_2", "conv2d_transpose_Conv2DTranspose3", "Conv2DTranspose", [null, 26, 26, 16], 4624),
    L("conv2d_transpose_3", "conv2d_transpose_Conv2DTranspose4", "Conv2DTranspose", [null, 28, 28, 1], 145),
  ],
});

type Format = "keras3-76" | "keras3-wide" | "keras2-2.6" | "keras2-2.12" | "keras2-2.15" | "tfjs";

const render: Record<Format, (data: SummaryData) => string[]> = {
  "keras3-76": (data) => formatKeras3(data),
  "keras3-wide": (data) => formatKeras3(data, { lineLength: data.sequentialLike ? 88 : 108 }),
  "keras2-2.6": (data) => formatKeras2(data, { era: "2.6" }),
  "keras2-2.12": (data) => formatKeras2(data),
  "keras2-2.15": (data) => formatKeras2(data, { era: "2.15" }),
  tfjs: (data) => formatTfjs(data),
};

const ALL: Format[] = ["keras3-76", "keras3-wide", "keras2-2.6", "keras2-2.12", "keras2-2.15", "tfjs"];

const cases: [string, SummaryData, Format[]][] = [
  ["seed_model_A", seedA, ALL],
  ["seed_model_B", seedB, ALL],
  ["keras_io_mnist_convnet", mnistConvnet, ALL],
  ["keras_io_functional_mnist_model", functionalMnist, ALL],
  ["lenet5_keras_variant", lenet5, ["keras3-76", "keras2-2.6", "keras2-2.12", "keras2-2.15", "tfjs"]],
  ["keras_io_toy_resnet", toyResnet, ALL],
  ["keras_io_encoder", encoder, ["keras3-76"]],
  ["keras_io_autoencoder", autoencoder, ["keras3-76"]],
];

describe("reference summaries, byte for byte", () => {
  for (const [name, data, formats] of cases) {
    for (const format of formats) {
      it(`${name} ${format}`, () => {
        expect(text(render[format](data))).toBe(fixture(`${name}.${format}`));
      });
    }
  }

  it("formatSummary picks the style and its defaults", () => {
    expect(text(formatSummary(seedA))).toBe(fixture("seed_model_A.keras2-2.12"));
    expect(text(formatSummary(seedA, { style: "keras3" }))).toBe(fixture("seed_model_A.keras3-76"));
    expect(text(formatSummary(toyResnet, { style: "keras3", lineLength: 108 }))).toBe(fixture("keras_io_toy_resnet.keras3-wide"));
    expect(text(formatSummary(toyResnet, { style: "tfjs" }))).toBe(fixture("keras_io_toy_resnet.tfjs"));
  });
});

describe("a functional sequential-like model in the default style", () => {
  const model1 = build({
    model: ["model_1", "functional_1", "model1"],
    kind: "functional",
    input: { names: ["input_2", "input_layer_1", "input2"], className: "InputLayer", out: [null, 28, 28, 1], params: 0 },
    layers: [
      { names: ["conv2d_3", "conv2d_3", "conv2d_Conv2D4"], className: "Conv2D", out: [null, 28, 28, 32], params: 320 },
      { names: ["max_pooling2d_2", "max_pooling2d_2", "max_pooling2d_MaxPooling2D3"], className: "MaxPooling2D", out: [null, 14, 14, 32], params: 0 },
      { names: ["conv2d_4", "conv2d_4", "conv2d_Conv2D5"], className: "Conv2D", out: [null, 12, 12, 64], params: 18496 },
      { names: ["max_pooling2d_3", "max_pooling2d_3", "max_pooling2d_MaxPooling2D4"], className: "MaxPooling2D", out: [null, 6, 6, 64], params: 0 },
      { names: ["conv2d_5", "conv2d_5", "conv2d_Conv2D6"], className: "Conv2D", out: [null, 4, 4, 128], params: 73856 },
      { names: ["flatten_1", "flatten_1", "flatten_Flatten2"], className: "Flatten", out: [null, 2048], params: 0 },
      { names: ["dense_1", "dense_1", "dense_Dense2"], className: "Dense", out: [null, 10], params: 20490 },
    ],
  });
  const pad = (line: string) => line.padEnd(65);
  const expected = [
    'Model: "model_1"',
    "_".repeat(65),
    pad(" Layer (type)                Output Shape              Param #"),
    "=".repeat(65),
    pad(" input_2 (InputLayer)        [(None, 28, 28, 1)]       0"),
    pad(""),
    pad(" conv2d_3 (Conv2D)           (None, 28, 28, 32)        320"),
    pad(""),
    pad(" max_pooling2d_2 (MaxPooling  (None, 14, 14, 32)       0"),
    pad(" 2D)"),
    pad(""),
    pad(" conv2d_4 (Conv2D)           (None, 12, 12, 64)        18496"),
    pad(""),
    pad(" max_pooling2d_3 (MaxPooling  (None, 6, 6, 64)         0"),
    pad(" 2D)"),
    pad(""),
    pad(" conv2d_5 (Conv2D)           (None, 4, 4, 128)         73856"),
    pad(""),
    pad(" flatten_1 (Flatten)         (None, 2048)              0"),
    pad(""),
    pad(" dense_1 (Dense)             (None, 10)                20490"),
    pad(""),
    "=".repeat(65),
    "Total params: 113,162",
    "Trainable params: 113,162",
    "Non-trainable params: 0",
    "_".repeat(65),
  ];

  it("prints the tf.keras 2.7–2.12 table, input row in a list", () => {
    expect(formatSummary(model1)).toEqual(expected);
    expect(formatKeras2(model1)).toEqual(expected);
  });

  it("prints the Keras 3 input row without the list", () => {
    expect(formatKeras3(model1)[4]).toBe(`│ input_layer_1 (InputLayer)      │ (None, 28, 28, 1)      │             0 │`);
  });
});

describe("number formatting", () => {
  it("rounds exact ties to even like Python {:.2f}", () => {
    expect((1.125).toFixed(2)).toBe("1.13");
    expect(formatFixed(1.125, 2)).toBe("1.12");
    expect(formatFixed(1.375, 2)).toBe("1.38");
    expect(formatFixed(2.675, 2)).toBe("2.67"); // binary value is below the tie
    expect(formatFixed(0, 2)).toBe("0.00");
    expect(formatFixed(0.5, 0)).toBe("0");
    expect(formatFixed(1.5, 0)).toBe("2");
    expect(formatFixed(123456789.005, 2)).toBe("123456789.00"); // 123456789.00499999...
  });

  it("prints memory sizes as Keras does", () => {
    expect(readableMemorySize(288 * 4, KERAS3_MEMORY_UNITS)).toBe("1.12 KB");
    expect(readableMemorySize(104202 * 4, KERAS3_MEMORY_UNITS)).toBe("407.04 KB");
    expect(readableMemorySize(0, KERAS3_MEMORY_UNITS)).toBe("0.00 B");
    expect(readableMemorySize(0, KERAS2_MEMORY_UNITS)).toBe("0.00 Byte");
    expect(readableMemorySize(1023, KERAS3_MEMORY_UNITS)).toBe("1023.00 B");
    expect(readableMemorySize(138357544 * 4, KERAS3_MEMORY_UNITS)).toBe("527.79 MB");
    // Keras divides once more after the last unit, so 1024 PB prints as 1.00 PB.
    expect(readableMemorySize(1024 ** 6, KERAS3_MEMORY_UNITS)).toBe("1.00 PB");
  });

  it("a 288-parameter model's footer says 1.12 KB", () => {
    const data = build({
      model: ["m", "m", "m"],
      kind: "sequential",
      input: seqInput([null, 31]),
      layers: [L("dense", "dense_Dense1", "Dense", [null, 9], 288)],
    });
    expect(formatKeras3(data).slice(-3)).toEqual([" Total params: 288 (1.12 KB)", " Trainable params: 288 (1.12 KB)", " Non-trainable params: 0 (0.00 B)"]);
    expect(formatKeras2(data, { era: "2.15" }).slice(-4, -1)).toEqual([
      "Total params: 288 (1.12 KB)",
      "Trainable params: 288 (1.12 KB)",
      "Non-trainable params: 0 (0.00 Byte)",
    ]);
  });

  it("groups thousands and prints shapes like Python and Keras 3", () => {
    expect(thousands(0)).toBe("0");
    expect(thousands(999)).toBe("999");
    expect(thousands(1000)).toBe("1,000");
    expect(thousands(138357544)).toBe("138,357,544");
    expect(pythonTuple([null, 10])).toBe("(None, 10)");
    expect(pythonTuple([null])).toBe("(None,)");
    expect(pythonTuple([])).toBe("()");
    expect(kerasShape([null])).toBe("(None)");
  });
});

describe("layout options", () => {
  it("keras2 takes a line length and relative or absolute positions", () => {
    const wide = formatKeras2(seedA, { lineLength: 80 });
    expect(wide[1]).toBe("_".repeat(80));
    // [.45, .85, 1] * 80 = [36, 68, 80]
    expect(wide[4]).toBe(" conv2d (Conv2D)".padEnd(36) + "(None, 26, 26, 32)".padEnd(32) + "320".padEnd(12));
    const absolute = formatKeras2(seedA, { positions: [20, 45, 60], era: "2.6" });
    expect(absolute[4]).toBe("conv2d (Conv2D)".padEnd(20) + "(None, 26, 26, 32)".padEnd(25) + "320".padEnd(15));
    expect(absolute[1]).toBe("_".repeat(65));
  });

  it("keras3 narrows and widens its columns with the line length", () => {
    const lines = formatKeras3(seedA, { lineLength: 60 });
    expect(lines.slice(1, -3).every((l) => [...l].length === 60)).toBe(true);
    const custom = formatKeras3(toyResnet, { positions: [0.25, 0.5, 0.65, 1] });
    expect(custom.slice(1, -3).every((l) => [...l].length === 76)).toBe(true);
  });

  it("keras3 throws Keras' error when a column is narrower than 4", () => {
    expect(() => formatKeras3(seedA, { lineLength: 8 })).toThrow("Insufficient console width to print summary.");
    expect(() => formatSummary(toyResnet, { style: "keras3", lineLength: 12 })).toThrow("Insufficient console width to print summary.");
  });

  it("keras2 throws instead of looping forever when a column cannot hold a character", () => {
    expect(() => formatKeras2(seedA, { positions: [2, 40, 65] })).toThrow(/column 1 is too narrow/);
  });

  it("tfjs floors relative positions and takes absolute ones", () => {
    const lines = formatTfjs(seedA, { lineLength: 100, positions: [0.3, 0.6, 0.9, 1] });
    expect(lines[0]).toBe("_".repeat(100));
    expect(lines[3]).toBe("conv2d_Conv2D1 (Conv2D)".padEnd(30) + "[[null,28,28,1]]".padEnd(30) + "[null,26,26,32]".padEnd(30) + "320".padEnd(10));
    expect(formatTfjs(seedA, { positions: [28, 54, 80, 90] })).toEqual(formatTfjs(seedA));
  });
});

describe("option validation", () => {
  const call = (options: unknown) => () => formatSummary(seedA, options as never);

  it("names the option, the value and the rule", () => {
    expect(call({ style: "keras1" })).toThrow('shapewise: summary option style must be one of "keras2", "keras3", "tfjs", got \'keras1\'');
    expect(call({ lineLength: 0 })).toThrow("shapewise: summary option lineLength must be a positive integer, got 0");
    expect(call({ lineLength: 65.5 })).toThrow("shapewise: summary option lineLength must be a positive integer, got 65.5");
    expect(call({ lineLength: -1 })).toThrow("lineLength must be a positive integer, got -1");
    expect(call({ lineLength: "80" })).toThrow("lineLength must be a positive integer, got '80'");
    expect(call({ positions: [0.5, 0.4, 1] })).toThrow("shapewise: summary option positions must be strictly increasing, got [0.5, 0.4, 1]");
    expect(call({ positions: [0.5, 1] })).toThrow(
      "shapewise: summary option positions must be an array of 3 numbers for the keras2 style and a sequential-like model, got [0.5, 1]",
    );
    expect(call({ style: "tfjs", positions: [0.3, 0.6, 1] })).toThrow("positions must be an array of 4 numbers for the tfjs style");
    expect(() => formatSummary(toyResnet, { positions: [0.3, 0.6, 1] })).toThrow(
      "positions must be an array of 4 numbers for the keras2 style and a model with a Connected to column",
    );
    expect(call({ positions: [0, 0.5, 1] })).toThrow("positions must hold positive finite numbers, got [0, 0.5, 1]");
    expect(call({ style: "keras3", positions: [30, 60, 76] })).toThrow("positions must be fractions of the line length");
    expect(call({ positions: [20.5, 40, 65] })).toThrow("positions must be integers when absolute");
    expect(call({ printFn: "console.log" })).toThrow("summary option printFn must be a function, got 'console.log'");
    expect(call(null)).toThrow("summary options must be an object, got null");
  });

  it("accepts the defaults and valid values", () => {
    expect(call({ style: "tfjs", lineLength: 90, positions: [0.32, 0.61, 0.89, 1], printFn: () => {} })).not.toThrow();
    expect(call(undefined)).not.toThrow();
  });

  it("formatKeras2 rejects an unknown era", () => {
    expect(() => formatKeras2(seedA, { era: "2.9" as never })).toThrow('era must be one of "2.6", "2.12", "2.15", got "2.9"');
  });
});
