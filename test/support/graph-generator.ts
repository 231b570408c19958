/**
 * Random valid functional graphs, for the generated proofs of
 * `test/graph-agreement.test.ts` (type level against runtime) and
 * `test/graph-tfjs.test.ts` (runtime against TensorFlow.js).
 *
 * A graph is a list of steps, each making new tensors from earlier ones:
 * 1-3 inputs (vectors `[n]` and/or small images `[h, w, c]`), a short chain
 * of core layers per input (dense, conv2d "same"/"valid", pooling, flatten,
 * global pooling, dropout, batchNormalization, activation), then operations
 * on the tensors made so far: merges (`add`, `subtract`, `multiply`,
 * `average`, `maximum`, `minimum` on equal or broadcastable shapes,
 * `concatenate` on a chosen axis, `dot` on vectors), `residual` and
 * `branches` (merged or as a tuple), a layer value (`layers.dense(...)`)
 * applied to two tensors of one shape, and a small model applied as a layer
 * once or twice; last, `model()` with 1-3 outputs (one tensor, a tuple or a
 * record) that between them reach every input.
 *
 * fast-check (`fc.gen()`, fixed seed) draws every choice; the runtime judges
 * each step as it is drawn (a step it refuses with `ShapeError` is undone and
 * redrawn), so every emitted graph is one shapewise accepts. A `shared`
 * option (on a merge or on the model) is emitted only when the runtime
 * accepts it: it names a common ancestor of the operands (the trunk where
 * they meet) or `"none"`, and only sometimes, so that both the exact totals
 * and the honest `number` totals of the type level occur.
 *
 * Besides the runtime values (output shapes, parameter total), the generator
 * follows the documented type-level rules (header of
 * `types/layers/merging.ts`, `types/model.ts`, `types/layer-values.ts`) to
 * say which totals the type checker knows exactly and which it gives as
 * `number`, and which shapes are exact: see {@link TensorInfo}.
 *
 * Every layer carries an explicit name (unique in its graph), so that the
 * TensorFlow.js copy can take the same weights layer by layer; the
 * TypeScript source leaves the names out (they do not change a type).
 *
 * @example
 * const graphs = generateGraphs({ seed: 1, count: 100 });
 * const lines = graphSource(graphs[0]);          // TypeScript, one const per call
 * const { model } = buildGraph(graphs[0]);       // the same graph at run time
 */
import fc from "fast-check";

import { ShapeError, add, average, concatenate, dot, input, layers, maximum, minimum, model, multiply, subtract } from "../../src/index.js";
import type { Model } from "../../src/index.js";
import type { SymbolicTensorImpl } from "../../src/symbolic-tensor.js";
import { activationArgument, dropoutConfig, withActivationAndBias } from "./layer-options.js";

/**
 * A dimension: a size, or `null` for the batch.
 *
 * @example
 * const shape: Dim[] = [null, 4, 4, 2];
 */
export type Dim = number | null;

/**
 * A config value as written in source.
 *
 * @example
 * const v: ConfigValue = "relu";
 */
export type ConfigValue = number | string | boolean;

/**
 * One layer call: a symbolic-tensor method and its config (with its `name`).
 *
 * @example
 * const call: LayerCall = { method: "dense", config: { units: 4, name: "n3" } };
 */
export interface LayerCall {
  readonly method: string;
  readonly config: { readonly [key: string]: ConfigValue };
}

/**
 * The element-wise merges.
 *
 * @example
 * ELEMENTWISE.includes("add"); // true
 */
export const ELEMENTWISE = ["add", "subtract", "multiply", "average", "maximum", "minimum"] as const;

/**
 * A merge function's name.
 *
 * @example
 * const fn: MergeFn = "concatenate";
 */
export type MergeFn = (typeof ELEMENTWISE)[number] | "concatenate" | "dot";

/**
 * One step of a graph. Tensors are numbered in the order steps make them
 * (`out`/`outs`); `from` names earlier tensors.
 *
 * @example
 * const step: Step = { kind: "merge", out: 4, fn: "add", from: [2, 3], options: { name: "n5" }, shared: 1 };
 */
export type Step =
  | { readonly kind: "input"; readonly out: number; readonly shape: readonly number[]; readonly name: string }
  | { readonly kind: "call"; readonly out: number; readonly from: number; readonly call: LayerCall }
  | {
      readonly kind: "merge";
      readonly out: number;
      readonly fn: MergeFn;
      readonly from: readonly number[];
      readonly options: { readonly [key: string]: ConfigValue };
      /** The shared ancestor (a tensor number) or `"none"`, when emitted. */
      readonly shared?: number | "none";
    }
  | {
      readonly kind: "residual";
      readonly out: number;
      readonly from: number;
      readonly main: readonly LayerCall[];
      readonly shortcut?: readonly LayerCall[];
      readonly shortcutFirst: boolean;
      readonly name: string;
    }
  | {
      readonly kind: "branches";
      readonly outs: readonly number[];
      readonly from: number;
      /** Each branch's calls; an empty list is the identity branch `(b) => b`. */
      readonly branches: readonly (readonly LayerCall[])[];
      /** The merge of the branch ends; a tuple of them without it. */
      readonly merge?: (typeof ELEMENTWISE)[number] | "concatenate";
      readonly axis?: number;
      readonly name?: string;
    }
  | {
      readonly kind: "value";
      readonly outs: readonly [number, number];
      readonly from: readonly [number, number];
      readonly call: LayerCall;
      readonly id: number;
    }
  | {
      readonly kind: "submodel";
      readonly outs: readonly number[];
      readonly from: readonly number[];
      readonly id: number;
      readonly name: string;
      readonly inputName: string;
      readonly inputShape: readonly number[];
      readonly calls: readonly LayerCall[];
    };

/**
 * What the generator knows of one tensor: its runtime shape, and what its
 * type says. `params` is the type-level running total: the number the type
 * carries, or `"number"` where the documented rules give `number` (a merge of
 * two operands that carry parameters without `shared`, a layer value's
 * call, a model applied to tensors that carry parameters, and everything
 * after them). `exactShape` is `false` for a layer value's result and for
 * merges that take one (the type says `Shape` or a loose tuple).
 *
 * @example
 * const info: TensorInfo = { shape: [null, 4], exactShape: true, params: 20, fromValue: false, ancestors: [0, 1, 2], inputs: [0] };
 */
export interface TensorInfo {
  readonly shape: readonly Dim[];
  readonly exactShape: boolean;
  readonly params: number | "number";
  /** The direct result of a layer value's call: its type is `SymbolicTensor<Shape, number>`. */
  readonly fromValue: boolean;
  /** The tensors it descends from, itself included (tensor numbers). */
  readonly ancestors: readonly number[];
  /** The inputs it descends from (tensor numbers). */
  readonly inputs: readonly number[];
}

/**
 * How a model's inputs or outputs are arranged.
 *
 * @example
 * const layout: Layout = { keys: ["image", "meta"] };
 */
export type Layout = "single" | "list" | { readonly keys: readonly string[] };

/**
 * One generated graph with the runtime's results and the type-level expectation.
 *
 * @example
 * const g = generateGraphs({ seed: 1, count: 1 })[0];
 * g.expectedParams; // a number when the type is exact, "number" otherwise
 */
export interface Graph {
  readonly id: number;
  readonly steps: readonly Step[];
  readonly tensors: readonly TensorInfo[];
  readonly inputs: readonly number[];
  readonly inputLayout: Layout;
  readonly outputs: readonly number[];
  readonly outputLayout: Layout;
  /** The model's `shared` option, when emitted. */
  readonly shared?: number | "none";
  readonly name: string;
  /** The runtime's output shapes, one per output in order. */
  readonly outputShapes: readonly (readonly Dim[])[];
  /** The runtime's parameter total. */
  readonly params: number;
  /** The type-level total: exact (equal to {@link Graph.params}) or `"number"`. */
  readonly expectedParams: number | "number";
}

/**
 * Options of {@link generateGraphs}.
 *
 * @example
 * const options: GraphOptions = { seed: 1, count: 10, minOps: 1, maxOps: 3 };
 */
export interface GraphOptions {
  readonly seed: number;
  readonly count: number;
  /** Operations after the input chains: at least 1, default 2..5. */
  readonly minOps?: number;
  readonly maxOps?: number;
}

type Gen = fc.GeneratorValue;
type Runtime = SymbolicTensorImpl;
type Options = { [key: string]: ConfigValue };

/** A draw that found no tensor to pair with: undone and redrawn like a step the runtime refuses. */
class NoPartner extends Error {}

const ACTIVATIONS = ["relu", "tanh", "sigmoid", "linear", "elu", "softsign"] as const;

// ---------------------------------------------------------------------------
// Replaying steps at run time

type MethodOf = (config?: unknown) => Runtime;
const callOn = (t: Runtime, call: LayerCall): Runtime => (t as unknown as Record<string, MethodOf>)[call.method](call.config);
const chain = (t: Runtime, calls: readonly LayerCall[]): Runtime => calls.reduce(callOn, t);
const MERGES = { add, subtract, multiply, average, maximum, minimum, concatenate, dot } as unknown as Record<
  MergeFn,
  (inputs: Runtime[], options?: unknown) => Runtime
>;

/** The layer values and models made by `value` and `submodel` steps, by id: each is made once and applied once or twice. */
interface Made {
  readonly values: Map<number, { apply(t: Runtime): Runtime }>;
  readonly models: Map<number, { apply(t: Runtime): Runtime }>;
}

/** Runs one step on the runtime tensors made so far, returning the new ones in order. */
function runStep(step: Step, rt: readonly Runtime[], made: Made): Runtime[] {
  switch (step.kind) {
    case "input":
      return [input({ shape: [...step.shape], name: step.name }) as unknown as Runtime];
    case "call":
      return [callOn(rt[step.from], step.call)];
    case "merge": {
      const options: Record<string, unknown> = { ...step.options };
      if (step.shared !== undefined) options.shared = step.shared === "none" ? "none" : rt[step.shared];
      return [
        MERGES[step.fn](
          step.from.map((i) => rt[i]),
          options,
        ),
      ];
    }
    case "residual": {
      const options: Record<string, unknown> = { name: step.name };
      if (step.shortcut !== undefined) {
        const shortcut = step.shortcut;
        options.shortcut = (s: Runtime) => chain(s, shortcut);
      }
      if (step.shortcutFirst) options.shortcutFirst = true;
      const residual = (rt[step.from] as unknown as { residual(main: (b: Runtime) => Runtime, o: unknown): Runtime }).residual;
      return [residual.call(rt[step.from], (b: Runtime) => chain(b, step.main), options)];
    }
    case "branches": {
      const builders = step.branches.map((calls) => (b: Runtime) => chain(b, calls));
      const branches = (rt[step.from] as unknown as { branches(b: unknown, o?: unknown): Runtime | Runtime[] }).branches;
      if (step.merge === undefined) return [...(branches.call(rt[step.from], builders) as Runtime[])];
      const options: Record<string, unknown> = { merge: step.merge, name: step.name };
      if (step.axis !== undefined) options.axis = step.axis;
      return [branches.call(rt[step.from], builders, options) as Runtime];
    }
    case "value": {
      const value = (layers as unknown as Record<string, (c: unknown) => { apply(t: Runtime): Runtime }>)[step.call.method](step.call.config);
      made.values.set(step.id, value);
      return step.from.map((i) => value.apply(rt[i]));
    }
    case "submodel": {
      const i = input({ shape: [...step.inputShape], name: step.inputName }) as unknown as Runtime;
      const sub = model({ inputs: i, outputs: chain(i, step.calls), name: step.name } as never) as unknown as { apply(t: Runtime): Runtime };
      made.models.set(step.id, sub);
      return step.from.map((k) => sub.apply(rt[k]));
    }
  }
}

/**
 * The tensors a step makes, by number.
 *
 * @example
 * stepOutputs({ kind: "call", out: 3, from: 2, call: { method: "dropout", config: { rate: 0.5 } } }); // [3]
 */
export function stepOutputs(step: Step): readonly number[] {
  return "outs" in step ? step.outs : [step.out];
}

/**
 * The tensors a step reads, by number (the `shared` tensor too).
 *
 * @example
 * stepInputs({ kind: "merge", out: 4, fn: "add", from: [2, 3], options: {}, shared: 1 }); // [2, 3, 1]
 */
export function stepInputs(step: Step): readonly number[] {
  switch (step.kind) {
    case "input":
      return [];
    case "call":
    case "residual":
    case "branches":
      return [step.from];
    case "merge":
      return typeof step.shared === "number" ? [...step.from, step.shared] : step.from;
    case "value":
    case "submodel":
      return step.from;
  }
}

/**
 * Puts values in a layout: the value, a list, or a record.
 *
 * @example
 * arrange({ keys: ["a", "b"] }, [x, y]); // { a: x, b: y }
 */
export function arrange<T>(layout: Layout, values: readonly T[]): T | readonly T[] | Record<string, T> {
  if (layout === "single") return values[0];
  if (layout === "list") return values;
  return Object.fromEntries(layout.keys.map((k, i) => [k, values[i]]));
}

/**
 * Builds a generated graph at run time (after `clearSession()` if the
 * default names matter): every tensor by number, and the model.
 *
 * @example
 * const { model: m } = buildGraph(g); // m.countParams() === g.params
 */
export function buildGraph(g: Pick<Graph, "steps" | "inputs" | "inputLayout" | "outputs" | "outputLayout" | "shared" | "name">): {
  tensors: Runtime[];
  model: Model;
} {
  const rt: Runtime[] = [];
  const made: Made = { values: new Map(), models: new Map() };
  for (const step of g.steps) rt.push(...runStep(step, rt, made));
  const config: Record<string, unknown> = {
    inputs: arrange(
      g.inputLayout,
      g.inputs.map((i) => rt[i]),
    ),
    outputs: arrange(
      g.outputLayout,
      g.outputs.map((i) => rt[i]),
    ),
    name: g.name,
  };
  if (g.shared !== undefined) config.shared = g.shared === "none" ? "none" : rt[g.shared];
  return { tensors: rt, model: model(config as never) as unknown as Model };
}

// ---------------------------------------------------------------------------
// The type-level rules, followed on the generator's side

type P = number | "number";

/**
 * A merge's type-level total (`MergeParams` in `types/layers/merging.ts`):
 * the sum less the shared ancestor once per extra operand with `shared`,
 * the sum with `"none"` or when at most one operand carries parameters,
 * `number` otherwise (an operand of total `number` counts as carrying).
 *
 * @example
 * mergeParams([20, 0], undefined); // 20
 * mergeParams([20, 12], undefined); // "number"
 * mergeParams([20, 12], 8); // 24
 */
export function mergeParams(operands: readonly P[], shared: P | "none" | undefined): P {
  const sum = operands.some((p) => p === "number") ? "number" : (operands as number[]).reduce((a, b) => a + b, 0);
  if (shared === "none") return sum;
  if (shared !== undefined) return sum === "number" || shared === "number" ? "number" : sum - shared * (operands.length - 1);
  return operands.filter((p) => p !== 0).length <= 1 ? sum : "number";
}

const plus = (a: P, b: number): P => (a === "number" ? "number" : a + b);

// ---------------------------------------------------------------------------
// Drawing

class Drawing {
  readonly steps: Step[] = [];
  readonly infos: TensorInfo[] = [];
  readonly rt: Runtime[] = [];
  readonly made: Made = { values: new Map(), models: new Map() };
  /** Tensors some later step reads. */
  readonly consumed = new Set<number>();
  private names = 0;
  private ids = 0;

  constructor(
    readonly g: Gen,
    readonly graphId: number,
  ) {}

  int(min: number, max: number): number {
    return max <= min ? min : this.g(fc.integer, { min, max });
  }
  chance(p: number): boolean {
    return this.int(0, 999) < p * 1000;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
  name(): string {
    return `n${this.names++}`;
  }
  id(): number {
    return this.ids++;
  }

  // -- layer calls ---------------------------------------------------------

  /** A core-layer call that takes `shape` (rank 2 or 4); `keep` asks for one that keeps the shape. */
  drawCall(shape: readonly Dim[], keep = false): LayerCall {
    const name = this.name();
    const keepers: (() => LayerCall)[] = [
      () => ({ method: "dropout", config: { ...dropoutConfig(this, this.pick([0.1, 0.25, 0.5])), name } }),
      () => ({ method: "batchNormalization", config: { name } }),
      () => ({ method: "activation", config: { ...activationArgument(this, { names: ACTIVATIONS }), name } }),
    ];
    if (shape.length === 2) {
      const n = shape[1] as number;
      const dense = (units: number): LayerCall => ({
        method: "dense",
        config: { ...withActivationAndBias(this, { units }, { activation: 0.5, names: ACTIVATIONS, useBias: 0.15, useBiasValue: false }), name },
      });
      if (keep) return this.chance(0.5) ? dense(n) : this.pick(keepers)();
      return this.chance(0.55) ? dense(this.int(1, 6)) : this.pick(keepers)();
    }
    const [, h, w, c] = shape as [null, number, number, number];
    const conv = (filters: number, padding: "same" | "valid", kernel: number, strides = 1): LayerCall => ({
      method: "conv2d",
      config: {
        ...withActivationAndBias(
          this,
          { filters, kernelSize: kernel, padding, ...(strides !== 1 ? { strides } : {}) },
          { activation: 0.5, names: ACTIVATIONS, useBias: 0.1, useBiasValue: false },
        ),
        name,
      },
    });
    if (keep) return this.chance(0.5) ? conv(c, "same", this.int(1, 3)) : this.pick(keepers)();
    const options: (() => LayerCall)[] = [
      () => conv(this.int(1, 4), "same", this.int(1, 3), this.chance(0.15) && h >= 2 && w >= 2 ? 2 : 1),
      () => conv(this.int(1, 4), "valid", this.int(1, Math.min(3, h, w))),
      ...keepers,
    ];
    if (h >= 2 && w >= 2) options.push(() => ({ method: this.pick(["maxPooling2d", "averagePooling2d"]), config: { poolSize: 2, name } }));
    if (this.chance(0.25)) options.push(() => ({ method: "flatten", config: { name } }));
    if (this.chance(0.2)) options.push(() => ({ method: this.pick(["globalAveragePooling2d", "globalMaxPooling2d"]), config: { name } }));
    return this.pick(options)();
  }

  // -- recording -----------------------------------------------------------

  private record(step: Step, infos: (Omit<TensorInfo, "ancestors" | "inputs" | "shape"> & { extraAncestors?: readonly number[] })[]): number[] {
    const made = runStep(step, this.rt, this.made);
    const reads = stepInputs(step);
    for (const r of reads) this.consumed.add(r);
    this.steps.push(step);
    const outs = stepOutputs(step);
    outs.forEach((out, k) => {
      // A layer value's or a model's k-th call reads only its k-th tensor.
      const own = step.kind === "value" || step.kind === "submodel" ? [step.from[k]] : reads;
      const baseAncestors = new Set(own.flatMap((r) => this.infos[r].ancestors));
      const baseInputs = new Set(own.flatMap((r) => this.infos[r].inputs));
      if (out !== this.infos.length) throw new Error(`graph generator: tensor ${out} recorded out of order`);
      const { extraAncestors, ...info } = infos[k];
      this.infos.push({
        ...info,
        shape: [...made[k].shape],
        ancestors: [...baseAncestors, ...(extraAncestors ?? []), out],
        inputs: step.kind === "input" ? [out] : [...baseInputs],
      });
      this.rt.push(made[k]);
    });
    return outs as number[];
  }

  /** Runs a step and keeps it, or undoes it when the runtime refuses it; the new tensors, or `undefined`. */
  attempt(make: () => number[]): number[] | undefined {
    const marks = [this.steps.length, this.infos.length, this.rt.length];
    const consumed = new Set(this.consumed);
    try {
      return make();
    } catch (error) {
      if (!(error instanceof ShapeError) && !(error instanceof NoPartner)) throw error;
      this.steps.length = marks[0];
      this.infos.length = marks[1];
      this.rt.length = marks[2];
      this.consumed.clear();
      for (const c of consumed) this.consumed.add(c);
      return undefined;
    }
  }

  next(): number {
    return this.infos.length;
  }

  addInput(shape: number[], index: number): number {
    return this.record({ kind: "input", out: this.next(), shape, name: `g${this.graphId}_in${index}` }, [{ exactShape: true, params: 0, fromValue: false }])[0];
  }

  addCall(from: number, call: LayerCall): number {
    const before = this.infos[from];
    if (!before.exactShape) throw new Error("graph generator: layer call on a tensor of loose shape");
    const out = this.record({ kind: "call", out: this.next(), from, call }, [{ exactShape: true, params: "number", fromValue: false }])[0];
    // The call's own parameters, as the runtime counts them.
    const own = this.rt[out].layer.countParams();
    this.infos[out] = { ...this.infos[out], params: plus(before.params, own) };
    return out;
  }

  /** The parameters the calls from `start` to `end` add (a branch's own). */
  ownParams(start: Runtime, end: Runtime): number {
    let total = 0;
    for (let t = end; t !== start; t = t.inbound[0]) total += t.layer.countParams();
    return total;
  }

  // -- choosing tensors ----------------------------------------------------

  /** A tensor to work on: recent ones and frontier ones (nothing reads them yet) more often. */
  choose(filter: (i: number) => boolean): number | undefined {
    const all = this.infos.map((_, i) => i).filter(filter);
    if (all.length === 0) return undefined;
    const fresh = all.filter((i) => !this.consumed.has(i));
    return this.chance(0.75) && fresh.length > 0 ? this.pick(fresh.slice(-4)) : this.pick(all);
  }

  /**
   * A partner for tensor `of`: one whose shape `match`es (none of `exclude`),
   * found among the tensors or made from one by the call `make` gives (a
   * dense layer of the right width, a conv "same" with the right channels).
   * `loose`: a layer value's result may be found.
   */
  partner(
    of: number,
    exclude: readonly number[],
    match: (s: readonly Dim[]) => boolean,
    make: (from: number) => LayerCall | undefined,
    loose = true,
  ): number | undefined {
    const found = this.infos
      .map((_, i) => i)
      .filter((i) => i !== of && !exclude.includes(i) && match(this.infos[i].shape) && (loose || this.infos[i].exactShape));
    if (found.length > 0 && this.chance(0.5)) return this.pick(found);
    const shape = this.infos[of].shape;
    // Sources a call can turn into the partner: any vector for a vector, an image of the same rows and columns for an image.
    const sources = this.infos
      .map((_, i) => i)
      .filter(
        (i) =>
          this.infos[i].exactShape &&
          this.infos[i].shape.length === shape.length &&
          (shape.length === 2 || (this.infos[i].shape[1] === shape[1] && this.infos[i].shape[2] === shape[2])),
      );
    if (sources.length === 0) return found.length > 0 ? this.pick(found) : undefined;
    const source = this.chance(0.5) && this.infos[of].exactShape ? of : this.pick(sources);
    const call = make(source);
    if (call === undefined) return found.length > 0 ? this.pick(found) : undefined;
    return this.addCall(source, call);
  }

  /** A call that gives `[null, n]` from a vector, or `[null, h, w, c]` (same h and w) from an image. */
  maker(target: readonly Dim[]): (from: number) => LayerCall | undefined {
    return (from): LayerCall | undefined => {
      const s = this.infos[from].shape;
      const name = this.name();
      if (target.length === 2 && s.length === 2) return { method: "dense", config: { units: target[1] as number, name } };
      if (target.length === 4 && s.length === 4 && s[1] === target[1] && s[2] === target[2]) {
        return { method: "conv2d", config: { filters: target[3] as number, kernelSize: this.int(1, 3), padding: "same", name } };
      }
      return undefined;
    };
  }

  /** Sometimes a `shared` option: the latest common ancestor of the operands, or `"none"`. */
  drawShared(operands: readonly number[], probability = 0.55): number | "none" | undefined {
    if (!this.chance(probability)) return undefined;
    const sets = operands.map((o) => new Set(this.infos[o].ancestors));
    const common = [...sets[0]].filter((a) => sets.every((s) => s.has(a))).sort((a, b) => a - b);
    // No common tensor: "none" (the runtime still refuses it when a shared layer or model joins them).
    if (common.length === 0 || this.chance(0.1)) return "none";
    return this.chance(0.75) ? common[common.length - 1] : this.pick(common);
  }

  // -- operations ----------------------------------------------------------

  opChain(): boolean {
    const a = this.choose((i) => this.infos[i].exactShape);
    if (a === undefined) return false;
    return this.attempt(() => [this.addCall(a, this.drawCall(this.infos[a].shape))]) !== undefined;
  }

  opElementwise(): boolean {
    const a = this.choose(() => true);
    if (a === undefined) return false;
    return (
      this.attempt(() => {
        const fn = this.pick(ELEMENTWISE);
        const shape = this.infos[a].shape;
        // A size-1 channel broadcasts: a partner with one channel, sometimes.
        const target = shape.length === 4 && this.chance(0.2) ? [...shape.slice(0, 3), 1] : shape;
        const same = (s: readonly Dim[]) => s.length === target.length && s.every((d, k) => d === target[k]);
        const count = fn === "subtract" ? 2 : this.chance(0.25) ? 3 : 2;
        const operands = [a];
        while (operands.length < count) {
          const p = this.partner(a, operands, same, this.maker(target));
          if (p === undefined || operands.includes(p)) throw new NoPartner();
          operands.push(p);
        }
        if (this.chance(0.5)) operands.reverse();
        return this.merge(fn, operands, {});
      }) !== undefined
    );
  }

  private merge(fn: MergeFn, operands: number[], options: Options): number[] {
    const name = this.name();
    const shared = this.drawShared(operands);
    const step = (s: number | "none" | undefined): Step => ({
      kind: "merge",
      out: this.next(),
      fn,
      from: operands,
      options: { ...options, name },
      ...(s !== undefined ? { shared: s } : {}),
    });
    const info = (s: number | "none" | undefined) => {
      const ops = operands.map((o) => this.infos[o]);
      const sharedParams = s === undefined || s === "none" ? s : this.infos[s].params;
      return [
        {
          exactShape: ops.every((o) => o.exactShape),
          params: mergeParams(
            ops.map((o) => o.params),
            sharedParams,
          ),
          fromValue: false,
        },
      ];
    };
    if (shared !== undefined) {
      // The runtime judges the shared option; without it when it refuses.
      const kept = this.attempt(() => this.record(step(shared), info(shared)));
      if (kept !== undefined) return kept;
    }
    return this.record(step(undefined), info(undefined));
  }

  opConcatenate(): boolean {
    const a = this.choose(() => true);
    if (a === undefined) return false;
    return (
      this.attempt(() => {
        const shape = this.infos[a].shape;
        const rank = shape.length;
        // Images: join on channels (any count) or, for equal shapes, on rows or columns.
        const axis = rank === 2 ? this.pick([1, -1]) : this.pick([3, -1, -1, 1, 2, -3]);
        const normal = axis < 0 ? rank + axis : axis;
        const matches = (s: readonly Dim[]) => s.length === rank && s.every((d, k) => k === normal || d === shape[k]);
        const target = [...shape];
        target[normal] = this.int(1, 4);
        const maker = normal === rank - 1 ? this.maker(target) : this.maker(shape);
        const operands = [a];
        const count = this.chance(0.25) ? 3 : 2;
        while (operands.length < count) {
          const p = this.partner(a, operands, matches, maker);
          if (p === undefined || operands.includes(p)) throw new NoPartner();
          operands.push(p);
        }
        if (this.chance(0.5)) operands.reverse();
        return this.merge("concatenate", operands, { axis });
      }) !== undefined
    );
  }

  opDot(): boolean {
    const a = this.choose((i) => this.infos[i].shape.length === 2);
    if (a === undefined) return false;
    return (
      this.attempt(() => {
        const shape = this.infos[a].shape;
        const p = this.partner(a, [], (s) => s.length === 2 && s[1] === shape[1], this.maker(shape));
        if (p === undefined) throw new NoPartner();
        const options: Options = { axes: this.pick([1, -1]) };
        if (this.chance(0.4)) options.normalize = true;
        return this.merge("dot", this.chance(0.5) ? [a, p] : [p, a], options);
      }) !== undefined
    );
  }

  /** `count` calls from `shape` that keep it; without `keep`, the last one may change it. */
  drawCalls(shape: readonly Dim[], count: number, keep: boolean): LayerCall[] {
    const calls: LayerCall[] = [];
    for (let i = 0; i < count; i++) calls.push(this.drawCall(shape, true));
    if (!keep && calls.length > 0) calls[calls.length - 1] = this.drawCall(shape, false);
    return calls;
  }

  opResidual(): boolean {
    const a = this.choose((i) => this.infos[i].exactShape);
    if (a === undefined) return false;
    return (
      this.attempt(() => {
        const shape = this.infos[a].shape;
        const main = this.drawCalls(shape, this.int(1, 2), true);
        let shortcut: LayerCall[] | undefined;
        if (this.chance(0.35)) {
          // A projection: both branches end in the same new width.
          const width = this.int(1, 4);
          const last: LayerCall =
            shape.length === 2
              ? { method: "dense", config: { units: width } }
              : { method: "conv2d", config: { filters: width, kernelSize: 3, padding: "same" } };
          main.push({ method: last.method, config: { ...last.config, name: this.name() } });
          const name = this.name();
          shortcut = [
            shape.length === 2 ? { method: "dense", config: { units: width, name } } : { method: "conv2d", config: { filters: width, kernelSize: 1, name } },
          ];
        }
        const step: Step = {
          kind: "residual",
          out: this.next(),
          from: a,
          main,
          ...(shortcut ? { shortcut } : {}),
          shortcutFirst: this.chance(0.3),
          name: this.name(),
        };
        const out = this.record(step, [{ exactShape: true, params: "number", fromValue: false }]);
        // The type: this tensor's total plus each branch's own.
        const end = this.rt[out[0]];
        const own = end.inbound.reduce((s, t) => s + this.ownParams(this.rt[a], t), 0);
        this.infos[out[0]] = { ...this.infos[out[0]], params: plus(this.infos[a].params, own) };
        return out;
      }) !== undefined
    );
  }

  opBranches(): boolean {
    const a = this.choose((i) => this.infos[i].exactShape);
    if (a === undefined) return false;
    return (
      this.attempt(() => {
        const shape = this.infos[a].shape;
        const count = this.int(2, 3);
        const mode = this.pick(["tuple", "concatenate", "concatenate", "elementwise"] as const);
        const branches: LayerCall[][] = [];
        for (let k = 0; k < count; k++) {
          // An identity branch `(b) => b` now and then (not in a tuple: it would return the start itself).
          if (mode !== "tuple" && this.chance(0.15)) {
            branches.push([]);
            continue;
          }
          // Concatenated images keep their rows and columns: shape-keeping calls then a conv "same".
          const calls = this.drawCalls(shape, this.int(1, 2), mode !== "tuple");
          if (mode === "concatenate" && shape.length === 4 && this.chance(0.6)) {
            calls.push({ method: "conv2d", config: { filters: this.int(1, 4), kernelSize: this.int(1, 3), padding: "same", name: this.name() } });
          }
          if (mode === "concatenate" && shape.length === 2 && this.chance(0.6))
            calls.push({ method: "dense", config: { units: this.int(1, 5), name: this.name() } });
          branches.push(calls);
        }
        const base: Omit<Extract<Step, { kind: "branches" }>, "outs"> = { kind: "branches", from: a, branches };
        let step: Step;
        if (mode === "tuple") {
          step = { ...base, outs: branches.map((_, k) => this.next() + k) };
        } else {
          const merge = mode === "concatenate" ? "concatenate" : this.pick(ELEMENTWISE.filter((m) => count === 2 || m !== "subtract"));
          const axis = mode === "concatenate" && this.chance(0.5) ? (shape.length === 2 ? 1 : 3) : undefined;
          step = { ...base, outs: [this.next()], merge, ...(axis !== undefined ? { axis } : {}), name: this.name() };
        }
        const outs = this.record(
          step,
          stepOutputs(step).map(() => ({ exactShape: true, params: "number" as P, fromValue: false })),
        );
        const start = this.rt[a];
        const ends = mode === "tuple" ? outs.map((o) => this.rt[o]) : this.rt[outs[0]].inbound;
        const owns = ends.map((e) => this.ownParams(start, e));
        if (mode === "tuple") outs.forEach((o, k) => (this.infos[o] = { ...this.infos[o], params: plus(this.infos[a].params, owns[k]) }));
        else
          this.infos[outs[0]] = {
            ...this.infos[outs[0]],
            params: plus(
              this.infos[a].params,
              owns.reduce((x, y) => x + y, 0),
            ),
          };
        return outs;
      }) !== undefined
    );
  }

  opValue(): boolean {
    const a = this.choose((i) => this.infos[i].exactShape);
    if (a === undefined) return false;
    return (
      this.attempt(() => {
        const shape = this.infos[a].shape;
        const same = (s: readonly Dim[]) => s.length === shape.length && s.every((d, k) => d === shape[k]);
        // The second tensor: one of the same shape, or one made (an activation of this one, say).
        const b = this.partner(
          a,
          [],
          same,
          (from) => (from === a ? { method: "activation", config: { activation: this.pick(ACTIVATIONS), name: this.name() } } : this.maker(shape)(from)),
          false,
        );
        if (b === undefined || b === a) throw new NoPartner();
        const name = this.name();
        const call: LayerCall =
          shape.length === 2
            ? { method: "dense", config: { units: this.int(1, 5), ...(this.chance(0.5) ? { activation: this.pick(ACTIVATIONS) } : {}), name } }
            : {
                method: "conv2d",
                config: {
                  filters: this.int(1, 3),
                  kernelSize: this.int(1, Math.min(3, shape[1] as number, shape[2] as number)),
                  padding: this.pick(["same", "valid"]),
                  name,
                },
              };
        const step: Step = { kind: "value", outs: [this.next(), this.next() + 1], from: this.chance(0.5) ? [a, b] : [b, a], call, id: this.id() };
        const loose = { exactShape: false, params: "number" as P, fromValue: true };
        return this.record(step, [loose, loose]);
      }) !== undefined
    );
  }

  opSubmodel(): boolean {
    const a = this.choose((i) => this.infos[i].exactShape);
    if (a === undefined) return false;
    return (
      this.attempt(() => {
        const shape = this.infos[a].shape;
        const same = (s: readonly Dim[]) => s.length === shape.length && s.every((d, k) => d === shape[k]);
        const from = [a];
        if (this.chance(0.5)) {
          const b = this.partner(a, [], same, this.maker(shape), false);
          if (b !== undefined && b !== a) from.push(b);
        }
        const calls = this.drawCalls(shape, this.int(1, 2), false);
        const id = this.id();
        const step: Step = {
          kind: "submodel",
          outs: from.map((_, k) => this.next() + k),
          from,
          id,
          name: `g${this.graphId}_sub${id}`,
          inputName: `g${this.graphId}_sub${id}_in`,
          inputShape: shape.slice(1) as number[],
          calls,
        };
        const outs = this.record(
          step,
          from.map(() => ({ exactShape: true, params: "number" as P, fromValue: false })),
        );
        // ApplyResult: the model's total when the input carries none, `number` otherwise.
        const total = this.rt[outs[0]].layer.countParams();
        outs.forEach((o, k) => (this.infos[o] = { ...this.infos[o], params: this.infos[from[k]].params === 0 ? total : "number" }));
        return outs;
      }) !== undefined
    );
  }
}

/** Each input's own short chain. */
function drawInputs(d: Drawing): number[] {
  const count = d.int(1, 3);
  const inputs: number[] = [];
  for (let k = 0; k < count; k++) {
    const shape = d.chance(0.5) ? [d.int(1, 6)] : [d.int(2, 5), d.int(2, 5), d.int(1, 3)];
    // Two inputs of one shape now and then, so that shared layers find partners.
    const same = inputs.length > 0 && d.chance(0.25) ? ([...d.infos[inputs[0]].shape.slice(1)] as number[]) : shape;
    const i = d.addInput(same, k);
    inputs.push(i);
    let t = i;
    for (let c = d.int(0, 2); c > 0; c--) {
      const next = d.attempt(() => [d.addCall(t, d.drawCall(d.infos[t].shape))]);
      if (next !== undefined) t = next[0];
    }
  }
  return inputs;
}

/** The outputs: frontier tensors that between them reach every input, then maybe more (1-3 in all). */
function drawOutputs(d: Drawing, inputs: readonly number[]): number[] {
  const frontier = d.infos.map((_, i) => i).filter((i) => !d.consumed.has(i) && !inputs.includes(i));
  const candidates = frontier.length > 0 ? frontier : [d.infos.length - 1];
  const outputs: number[] = [candidates[candidates.length - 1]];
  const reached = () => new Set(outputs.flatMap((o) => d.infos[o].inputs));
  for (let missing = inputs.filter((i) => !reached().has(i)); missing.length > 0; missing = inputs.filter((i) => !reached().has(i))) {
    const pool = candidates.filter((c) => !outputs.includes(c));
    const best = pool.reduce<number | undefined>((b, c) => {
      const gain = (x: number) => d.infos[x].inputs.filter((i) => missing.includes(i)).length;
      return b === undefined || gain(c) > gain(b) ? c : b;
    }, undefined);
    // An input nothing else reads is its own output then (a model may pass an input through).
    outputs.push(best !== undefined && d.infos[best].inputs.some((i) => missing.includes(i)) ? best : missing[0]);
  }
  while (outputs.length < 3 && d.chance(0.2)) {
    const pool = d.infos.map((_, i) => i).filter((i) => !outputs.includes(i) && !inputs.includes(i));
    if (pool.length === 0) break;
    outputs.push(d.pick(pool));
  }
  return outputs;
}

const KEYS = ["alpha", "beta", "gamma", "delta"];

function layoutFor(d: Drawing, count: number, prefix: string): Layout {
  if (count === 1) return d.chance(0.8) ? "single" : d.pick(["list", { keys: [`${prefix}${KEYS[0]}`] }] as const);
  return d.chance(0.5) ? "list" : { keys: KEYS.slice(0, count).map((k) => `${prefix}${k}`) };
}

function drawGraph(g: Gen, id: number, options: GraphOptions): Graph {
  const d = new Drawing(g, id);
  const inputs = drawInputs(d);
  const ops = d.int(options.minOps ?? 2, options.maxOps ?? 5);
  const table: [number, () => boolean][] = [
    [3, () => d.opElementwise()],
    [2, () => d.opConcatenate()],
    [1, () => d.opDot()],
    [2, () => d.opResidual()],
    [2, () => d.opBranches()],
    [1, () => d.opValue()],
    [2, () => d.opSubmodel()],
    [1, () => d.opChain()],
  ];
  const weight = table.reduce((s, [w]) => s + w, 0);
  for (let done = 0, tries = 0; done < ops && tries < ops * 6; tries++) {
    let r = d.int(0, weight - 1);
    const [, op] = table.find(([w]) => (r -= w) < 0)!;
    if (op()) done++;
  }
  const outputs = drawOutputs(d, inputs);
  const inputLayout = inputs.length === 1 && d.chance(0.8) ? "single" : layoutFor(d, inputs.length, "in_");
  const outputLayout = layoutFor(d, outputs.length, "out_");
  const name = `g${id}`;
  const base = { steps: d.steps, inputs, inputLayout, outputs, outputLayout, name };
  let shared = outputs.length > 1 ? d.drawShared(outputs, 0.8) : undefined;
  let built: Model | undefined;
  for (const attempt of shared === undefined ? [undefined] : [shared, undefined]) {
    // The runtime judges the model's shared option too; without it when it refuses.
    try {
      built = buildGraph({ ...base, ...(attempt !== undefined ? { shared: attempt } : {}) }).model;
      shared = attempt;
      break;
    } catch (error) {
      if (!(error instanceof ShapeError)) throw error;
      if (attempt === undefined)
        throw new Error(`graph generator: graph ${id} refused: ${error.message}\n${JSON.stringify({ ...base, infos: d.infos.map((t) => t.inputs) })}`);
    }
  }
  if (built === undefined) throw new Error(`graph generator: graph ${id} not built`);
  const sharedParams = shared === undefined || shared === "none" ? shared : d.infos[shared].params;
  const expectedParams = mergeParams(
    outputs.map((o) => d.infos[o].params),
    sharedParams,
  );
  const params = built.countParams();
  if (expectedParams !== "number" && expectedParams !== params) {
    throw new Error(`graph generator: graph ${id}: the type-level rules give ${expectedParams}, the runtime counts ${params}`);
  }
  // Every exact running total the rules give is the runtime's count of the tensor's ancestry.
  d.infos.forEach((info, i) => {
    if (info.params !== "number" && info.params !== ancestryParams(d.rt[i])) {
      throw new Error(`graph generator: graph ${id}: tensor ${i}: the type-level rules give ${info.params}, its ancestors hold ${ancestryParams(d.rt[i])}`);
    }
  });
  const outputShapes =
    outputs.length === 1 && outputLayout === "single" ? [built.outputShape as readonly Dim[]] : (Object.values(built.outputShape as object) as Dim[][]);
  return { id, ...base, ...(shared !== undefined ? { shared } : {}), tensors: d.infos, outputShapes, params, expectedParams };
}

/**
 * The parameters of the layers a tensor descends from, each layer once (a
 * shared layer or a model applied twice counts once), as the runtime holds them.
 *
 * @example
 * ancestryParams(input({ shape: [4] }).dense({ units: 2 }) as never); // 10
 */
export function ancestryParams(t: Runtime): number {
  const layersSeen = new Set<Runtime["layer"]>();
  const seen = new Set<Runtime>();
  const stack = [t];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    layersSeen.add(next.layer);
    stack.push(...next.inbound);
  }
  return [...layersSeen].reduce((sum, layer) => sum + layer.countParams(), 0);
}

/**
 * `count` graphs from a fixed seed, one `fc.gen()` each.
 *
 * @example
 * const graphs = generateGraphs({ seed: 20261203, count: 300 });
 */
export function generateGraphs(options: GraphOptions): Graph[] {
  const gens = fc.sample(fc.gen(), { seed: options.seed, numRuns: options.count });
  return gens.map((g, id) => drawGraph(g, id, options));
}

// ---------------------------------------------------------------------------
// TypeScript source

/**
 * A shape as TypeScript writes it: `[null, 4, 4, 2]`.
 *
 * @example
 * shapeText([null, 4]); // "[null, 4]"
 */
export function shapeText(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (d === null ? "null" : String(d))).join(", ")}]`;
}

const valueText = (v: ConfigValue): string => (typeof v === "string" ? JSON.stringify(v) : String(v));

/**
 * A config as source, without its `name` (names do not change a type).
 *
 * @example
 * configText({ units: 4, name: "n1" }, ["shared: t"]); // "{ units: 4, shared: t }"
 */
export function configText(config: { readonly [key: string]: ConfigValue }, extra: readonly string[] = []): string {
  const parts = [
    ...Object.entries(config)
      .filter(([k]) => k !== "name")
      .map(([k, v]) => `${k}: ${valueText(v)}`),
    ...extra,
  ];
  return parts.length === 0 ? "{}" : `{ ${parts.join(", ")} }`;
}

const callsText = (v: string, calls: readonly LayerCall[]): string => calls.reduce((s, c) => `${s}.${c.method}(${configText(c.config)})`, v);

function layoutText(layout: Layout, names: readonly string[]): string {
  if (layout === "single") return names[0];
  if (layout === "list") return `[${names.join(", ")}]`;
  return `{ ${layout.keys.map((k, i) => `${k}: ${names[i]}`).join(", ")} }`;
}

/**
 * The tensor number `i` of graph `g` as a source variable.
 *
 * @example
 * tensorVar({ id: 7 }, 3); // "g7_t3"
 */
export const tensorVar = (g: Pick<Graph, "id">, i: number): string => `g${g.id}_t${i}`;

/**
 * The source lines of one graph: one `const` per call (a combinator's
 * branches inline in its callbacks), then `model(...)`; the assertions are
 * the caller's (see `test/graph-agreement.test.ts`). The model is `m<id>`.
 *
 * @example
 * graphSource(g); // ["const g0_t0 = input({ shape: [4] });", ...]
 */
export function graphSource(g: Graph): string[] {
  const v = (i: number) => tensorVar(g, i);
  const lines: string[] = [];
  for (const step of g.steps) {
    switch (step.kind) {
      case "input":
        lines.push(`const ${v(step.out)} = input({ shape: ${shapeText(step.shape)} });`);
        break;
      case "call":
        lines.push(`const ${v(step.out)} = ${v(step.from)}.${step.call.method}(${configText(step.call.config)});`);
        break;
      case "merge": {
        const extra = step.shared === undefined ? [] : [`shared: ${step.shared === "none" ? '"none"' : v(step.shared)}`];
        const options = configText(step.options, extra);
        lines.push(`const ${v(step.out)} = ${step.fn}([${step.from.map(v).join(", ")}]${options === "{}" ? "" : `, ${options}`});`);
        break;
      }
      case "residual": {
        const extra = [...(step.shortcut ? [`shortcut: (s) => ${callsText("s", step.shortcut)}`] : []), ...(step.shortcutFirst ? ["shortcutFirst: true"] : [])];
        const options = extra.length > 0 ? `, { ${extra.join(", ")} }` : "";
        lines.push(`const ${v(step.out)} = ${v(step.from)}.residual((b) => ${callsText("b", step.main)}${options});`);
        break;
      }
      case "branches": {
        const builders = `[${step.branches.map((calls) => `(b) => ${callsText("b", calls)}`).join(", ")}]`;
        if (step.merge === undefined) {
          lines.push(`const [${step.outs.map(v).join(", ")}] = ${v(step.from)}.branches(${builders});`);
        } else {
          const options = `{ merge: ${JSON.stringify(step.merge)}${step.axis !== undefined ? `, axis: ${step.axis}` : ""} }`;
          lines.push(`const ${v(step.outs[0])} = ${v(step.from)}.branches(${builders}, ${options});`);
        }
        break;
      }
      case "value": {
        const value = `g${g.id}_v${step.id}`;
        lines.push(`const ${value} = layers.${step.call.method}(${configText(step.call.config)});`);
        step.outs.forEach((o, k) => lines.push(`const ${v(o)} = ${value}.apply(${v(step.from[k])});`));
        break;
      }
      case "submodel": {
        const sub = `g${g.id}_s${step.id}`;
        lines.push(`const ${sub}_in = input({ shape: ${shapeText(step.inputShape)} });`);
        step.calls.forEach((c, k) => lines.push(`const ${sub}_${k} = ${k === 0 ? `${sub}_in` : `${sub}_${k - 1}`}.${c.method}(${configText(c.config)});`));
        lines.push(`const ${sub} = model({ inputs: ${sub}_in, outputs: ${sub}_${step.calls.length - 1} });`);
        step.outs.forEach((o, k) => lines.push(`const ${v(o)} = ${sub}.apply(${v(step.from[k])});`));
        break;
      }
    }
  }
  const shared = g.shared === undefined ? "" : `, shared: ${g.shared === "none" ? '"none"' : v(g.shared)}`;
  lines.push(
    `const m${g.id} = model({ inputs: ${layoutText(g.inputLayout, g.inputs.map(v))}, outputs: ${layoutText(g.outputLayout, g.outputs.map(v))}${shared} });`,
  );
  return lines;
}

/**
 * The kinds of step a graph holds, for coverage counts (`merge:add`,
 * `branches:tuple`, `submodel:twice`, `shared:tensor`, ...).
 *
 * @example
 * featuresOf(g); // ["input", "call:dense", "merge:add", "shared:tensor", ...]
 */
export function featuresOf(g: Graph): string[] {
  const features = g.steps.map((s) => {
    switch (s.kind) {
      case "call":
        return `call:${s.call.method}`;
      case "merge":
        return `merge:${s.fn}`;
      case "residual":
        return s.shortcut ? "residual:projected" : "residual";
      case "branches":
        return `branches:${s.merge ?? "tuple"}`;
      case "value":
        return `value:${s.call.method}`;
      case "submodel":
        return s.from.length === 2 ? "submodel:twice" : "submodel:once";
      default:
        return s.kind;
    }
  });
  // Element-wise merges of operands of different shapes (a size-1 channel broadcast).
  const broadcasts = g.steps
    .filter(
      (s) => s.kind === "merge" && (ELEMENTWISE as readonly string[]).includes(s.fn) && new Set(s.from.map((o) => JSON.stringify(g.tensors[o].shape))).size > 1,
    )
    .map(() => "merge:broadcast");
  const sharedMerges = g.steps
    .filter((s) => s.kind === "merge" && s.shared !== undefined)
    .map((s) => (s.kind === "merge" && s.shared === "none" ? "merge-shared:none" : "merge-shared:tensor"));
  const model = [
    `inputs:${g.inputs.length}`,
    `outputs:${g.outputs.length}`,
    `outputLayout:${typeof g.outputLayout === "string" ? g.outputLayout : "record"}`,
    ...(g.shared === undefined ? [] : [g.shared === "none" ? "model-shared:none" : "model-shared:tensor"]),
    `params:${g.expectedParams === "number" ? "number" : "exact"}`,
  ];
  return [...features, ...broadcasts, ...sharedMerges, ...model];
}
