/**
 * Attention layers at run time (type twin: `types/layers/attention.ts`):
 * `MultiHeadAttention`, called on the query with the value (and key)
 * tensors in its config.
 */
import { configObject, exactRank, fail, knownChannels, optionalBoolean, optionalName, positiveCount, valueText } from "../checks.js";
import { attentionBackward, attentionTraining } from "../kernels/attention-backward.js";
import type { AttentionTape } from "../kernels/attention-backward.js";
import type { AttentionWeights } from "../kernels/attention-mha.js";
import { attentionLayer } from "../kernels/fast-sequence.js";
import type { Tensor } from "../kernels/tensor.js";
import { layerNames } from "../naming.js";
import { SymbolicTensorImpl, checkSharedAncestor } from "../symbolic-tensor.js";
import { Layer, product, sum } from "./layer.js";
import type { LayerCost, LayerGradients, TrainingCall, WeightSpec } from "./layer.js";
import type { Shape, SizedShape } from "../shape.js";
import { sizedShapeText } from "../shape.js";
import { differText, sizeAgreement } from "../size.js";
import { notInTfjs, registerLayer } from "./registry.js";
import * as keras from "../io/keras/json-writers.js";
import * as onnx from "../io/onnx/mappings.js";

const MHA_OPTIONS = ["numHeads", "keyDim", "valueDim", "outputShape", "useBias", "value", "key", "shared", "name"];
const METHOD = "multiHeadAttention";

interface AttentionSettings {
  numHeads: number;
  keyDim: number;
  valueDim: number;
  outputDim: number;
  useBias: boolean;
  queryDim: number;
  keyInputDim: number;
  valueInputDim: number;
}

/** Checks the value or key tensor: rank 3 with a known feature size, which it returns. */
function sequenceInput(role: "value" | "key", shape: Shape): number {
  if (shape.length !== 3) {
    fail(`shapewise: ${METHOD} ${role} must have rank 3 [batch, steps, features], got rank ${shape.length} ${valueText(shape)}`);
  }
  const last = shape[2];
  if (last === null) fail(`shapewise: ${METHOD} ${role} needs a known last dimension to size its weights, got ${valueText(shape)}`);
  return last;
}

/**
 * Multi-head dot-product attention (Keras `MultiHeadAttention`): the query,
 * value and key are projected per head, `softmax(Q Kᵀ / sqrt(keyDim)) V` is
 * computed per head, and the heads are projected back to the query's
 * feature size (or `outputShape`). Inputs: query, value, then key (the value
 * when left out).
 *
 * @example
 * new MultiHeadAttention({ numHeads: 2, keyDim: 16 }).apply([null, 8, 32], [null, 8, 32]); // [null, 8, 32]
 */
export class MultiHeadAttention extends Layer {
  protected override readonly keepsSizes = true;
  readonly className = "MultiHeadAttention";
  private readonly config: Record<string, unknown>;
  private settings: AttentionSettings | undefined;

  constructor(config: unknown) {
    const cfg = configObject(METHOD, config, MHA_OPTIONS);
    super(layerNames("MultiHeadAttention", optionalName(METHOD, cfg.name)));
    this.config = cfg;
  }

  computeOutputShape(query: Shape, value: Shape = query, key: Shape = value): Shape {
    const cfg = this.config;
    const useBias = optionalBoolean(METHOD, "useBias", cfg.useBias, true);
    exactRank(METHOD, query, 3, "[batch, steps, features]");
    const queryDim = knownChannels(METHOD, query);
    const numHeads = positiveCount(METHOD, "numHeads", cfg.numHeads);
    const keyDim = positiveCount(METHOD, "keyDim", cfg.keyDim);
    const valueDim = cfg.valueDim === undefined ? keyDim : positiveCount(METHOD, "valueDim", cfg.valueDim);
    const outputDim = cfg.outputShape === undefined ? queryDim : positiveCount(METHOD, "outputShape", cfg.outputShape);
    const valueInputDim = sequenceInput("value", value);
    const keyInputDim = sequenceInput("key", key);
    if (key[1] !== value[1]) {
      fail(`shapewise: ${METHOD} key shape ${valueText(key)} and value shape ${valueText(value)} must match in every dimension but the last`);
    }
    this.settings = { numHeads, keyDim, valueDim, outputDim, useBias, queryDim, keyInputDim, valueInputDim };
    return [query[0], query[1], outputDim];
  }

  /**
   * Named key and value lengths (Keras sees two `None`) that the size
   * algebra proves may differ are the sentence of the rule, saying when;
   * the output keeps the query's names.
   */
  override computeSizes(sizes: readonly SizedShape[], output: Shape): SizedShape {
    const [, value, key] = sizes;
    const v = value?.[1] ?? null;
    const k = key?.[1] ?? null;
    if (value !== undefined && key !== undefined && typeof v === "string" && typeof k === "string") {
      const verdict = sizeAgreement(v, k);
      if (typeof verdict === "object") {
        fail(
          `shapewise: ${METHOD} key shape ${sizedShapeText(key)} and value shape ${sizedShapeText(value)} must match in every dimension but the last: ${differText(verdict)}`,
        );
      }
    }
    return super.computeSizes(sizes, output);
  }

  private resolved(): AttentionSettings {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    return this.settings!;
  }

  /** The layer's own options; `value` and `key` are the tensors it is called on, not options of the layer. */
  override getConfig(): Record<string, unknown> {
    const s = this.resolved();
    return { numHeads: s.numHeads, keyDim: s.keyDim, valueDim: s.valueDim, outputShape: s.outputDim, useBias: s.useBias, name: this.name };
  }

  override weightSpecs(): WeightSpec[] {
    const s = this.resolved();
    const projection = (name: string, inputDim: number, headDim: number): WeightSpec[] => [
      { name: `${name}/kernel`, shape: [inputDim, s.numHeads, headDim], trainable: true, initializer: "glorotUniform" },
      ...(s.useBias ? [{ name: `${name}/bias`, shape: [s.numHeads, headDim], trainable: true, initializer: "zeros" as const }] : []),
    ];
    return [
      ...projection("query", s.queryDim, s.keyDim),
      ...projection("key", s.keyInputDim, s.keyDim),
      ...projection("value", s.valueInputDim, s.valueDim),
      { name: "attention_output/kernel", shape: [s.numHeads, s.valueDim, s.outputDim], trainable: true, initializer: "glorotUniform" },
      ...(s.useBias ? [{ name: "attention_output/bias", shape: [s.outputDim], trainable: true, initializer: "zeros" as const }] : []),
    ];
  }

  /**
   * Per sample, with query steps Tq and value steps Tv: the four projections
   * (query Tq × in × heads × keyDim, key and value Tv × in × heads × their
   * dim, output Tq × heads × valueDim × out) and both matrix products per
   * head (scores Tq × Tv × keyDim, weighted sum Tq × Tv × valueDim).
   * Operations: the biases, the query's scaling, and softmax's exponential,
   * sum and division per score.
   */
  override cost(inputShapes: readonly Shape[]): LayerCost {
    const s = this.resolved();
    const [query, value = query] = inputShapes;
    const tq = query[1];
    const tv = value[1];
    const h = s.numHeads;
    const macs = sum(
      product(tq, s.queryDim, h, s.keyDim),
      product(tv, s.keyInputDim, h, s.keyDim),
      product(tv, s.valueInputDim, h, s.valueDim),
      product(h, tq, tv, s.keyDim),
      product(h, tq, tv, s.valueDim),
      product(tq, h, s.valueDim, s.outputDim),
    );
    const biases = s.useBias ? sum(product(tq, h, s.keyDim), product(tv, h, s.keyDim), product(tv, h, s.valueDim), product(tq, s.outputDim)) : 0;
    return { macs, ops: sum(biases, product(tq, h, s.keyDim), product(3, h, tq, tv)) };
  }

  call(query: Tensor, value: Tensor = query, key: Tensor = value): Tensor {
    const s = this.resolved();
    const w = this.weights!;
    const [queryKernel, queryBias, keyKernel, keyBias, valueKernel, valueBias, outputKernel, outputBias] = s.useBias
      ? w
      : [w[0], null, w[1], null, w[2], null, w[3], null];
    return attentionLayer(query, value, key, { queryKernel, queryBias, keyKernel, keyBias, valueKernel, valueBias, outputKernel, outputBias }, s);
  }

  /** The eight weights by role, biases `null` without `useBias`. */
  private attentionWeights(): AttentionWeights {
    const w = this.weights!;
    const [queryKernel, queryBias, keyKernel, keyBias, valueKernel, valueBias, outputKernel, outputBias] = this.resolved().useBias
      ? w
      : [w[0], null, w[1], null, w[2], null, w[3], null];
    return { queryKernel, queryBias, keyKernel, keyBias, valueKernel, valueBias, outputKernel, outputBias };
  }

  /** The forward pass with its projections and attention weights kept. */
  override callTraining(inputs: readonly Tensor[]): TrainingCall {
    const [query, value = query, key = value] = inputs;
    const { output, tape } = attentionTraining(query, value, key, this.attentionWeights(), this.resolved());
    return { output, saved: tape };
  }

  /** Back through the output projection, the weighted sum, the softmax and the three projections; an input that serves several roles sums their gradients. */
  override gradients(dOutput: Tensor, inputs: readonly Tensor[], _output: Tensor, saved: unknown): LayerGradients {
    const [query, value = query, key = value] = inputs;
    const g = attentionBackward(query, value, key, this.attentionWeights(), this.resolved(), saved as AttentionTape, dOutput);
    const sum = (a: Tensor, b: Tensor): Tensor => ({ shape: a.shape, data: Float32Array.from(a.data, (x, i) => x + b.data[i]) });
    // One input: query, value and key; two: the value serves as key.
    const valueAndKey = inputs.length === 3 ? g.value : sum(g.value, g.key);
    const given = inputs.length === 1 ? [sum(g.query, valueAndKey)] : inputs.length === 2 ? [g.query, valueAndKey] : [g.query, g.value, g.key];
    const w = g.weights;
    const all = [w.queryKernel, w.queryBias, w.keyKernel, w.keyBias, w.valueKernel, w.valueBias, w.outputKernel, w.outputBias];
    return { inputs: given, weights: this.resolved().useBias ? all : [w.queryKernel, w.keyKernel, w.valueKernel, w.outputKernel] };
  }
}

registerLayer({
  family: "attention",
  className: "MultiHeadAttention",
  method: "multiHeadAttention",
  style: "attention",
  options: MHA_OPTIONS,
  apply: applyMultiHeadAttention,
  formats: notInTfjs("MultiHeadAttention"),
  writers: { keras: keras.multiHeadAttention, onnx: onnx.multiHeadAttention },
});

/** Reads the value or key option: a symbolic tensor of the model under definition. */
function tensorOption(role: "value" | "key", option: unknown): SymbolicTensorImpl {
  if (!(option instanceof SymbolicTensorImpl)) fail(`shapewise: ${METHOD} ${role} must be a symbolic tensor, got ${valueText(option)}`);
  return option;
}

/** The method `query.multiHeadAttention({ ...config, value, key })`. */
function applyMultiHeadAttention(this: SymbolicTensorImpl, config: unknown): SymbolicTensorImpl {
  const { shared, ...cfg } = configObject(METHOD, config, MHA_OPTIONS);
  // Without a value the query attends to itself; without a key, the value serves.
  const value = cfg.value === undefined ? this : tensorOption("value", cfg.value);
  const key = cfg.key === undefined ? undefined : tensorOption("key", cfg.key);
  const layer = new MultiHeadAttention(cfg);
  const output = key === undefined ? this.applyLayer(layer, value) : this.applyLayer(layer, value, key);
  if (shared !== undefined) {
    const given = [this, ...(cfg.value === undefined ? [] : [value]), ...(key === undefined ? [] : [key])];
    checkSharedAncestor(METHOD, given, shared);
  }
  return output;
}
