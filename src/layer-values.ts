/**
 * Layers as values at run time (type twin: `types/layer-values.ts`): a
 * layer built once by its method and applied to several tensors with the
 * same weights.
 */
import { fail, valueText } from "./checks.js";
import type { Layer } from "./layers/layer.js";
import { SymbolicTensorImpl } from "./symbolic-tensor.js";

type Method = (this: SymbolicTensorImpl, ...args: unknown[]) => SymbolicTensorImpl | readonly SymbolicTensorImpl[];

/** Methods whose options hold other tensors of the graph: they cannot be values detached from one call. */
const NOT_VALUES = new Set(["residual", "branches", "multiHeadAttention"]);

/**
 * A layer applied to several tensors: the method builds it on the first
 * call; later calls apply the same layer (the same weights) again.
 *
 * @example
 * const shared = new LayerValueImpl("dense", [{ units: 4 }]);
 * shared.apply(a); shared.apply(b); // one Dense layer, two nodes
 */
export class LayerValueImpl {
  private layer: Layer | undefined;
  private severalOutputs = false;

  constructor(
    readonly method: string,
    private readonly args: readonly unknown[],
  ) {}

  apply(tensor: unknown): SymbolicTensorImpl | readonly SymbolicTensorImpl[] {
    if (!(tensor instanceof SymbolicTensorImpl)) fail(`shapewise: layers.${this.method}(...).apply expects a symbolic tensor, got ${valueText(tensor)}`);
    if (this.layer === undefined) {
      const method = (tensor as unknown as Record<string, Method>)[this.method];
      const result = method.apply(tensor, [...this.args]);
      const first = Array.isArray(result) ? result[0] : result;
      this.layer = (first as SymbolicTensorImpl).layer;
      this.severalOutputs = Array.isArray(result);
      return result;
    }
    const layer = this.layer;
    const output = tensor.applyLayer(layer);
    if (!this.severalOutputs) return output;
    const shapes = (layer as Layer & { computeOutputShapes(...s: unknown[]): readonly (readonly (number | null)[])[] }).computeOutputShapes(tensor.shape);
    return Object.freeze([
      output,
      ...shapes.slice(1).map((s, i) => new SymbolicTensorImpl(Object.freeze([...s]), layer, output.inbound, i + 1, output.nodeIndex)),
    ]);
  }
}

/**
 * The `layers` namespace: one factory per layer method of symbolic tensors.
 *
 * @example
 * const layers = layerFactories(); // done once by src/layer-methods.ts
 * layers.dense({ units: 64 }).apply(x);
 */
export function layerFactories(): Record<string, (...args: unknown[]) => LayerValueImpl> {
  const factories: Record<string, (...args: unknown[]) => LayerValueImpl> = Object.create(null);
  for (const name of Object.getOwnPropertyNames(SymbolicTensorImpl.prototype)) {
    const value = Object.getOwnPropertyDescriptor(SymbolicTensorImpl.prototype, name)?.value;
    if (name === "constructor" || typeof value !== "function" || name === "applyLayer" || NOT_VALUES.has(name)) continue;
    factories[name] = (...args: unknown[]) => new LayerValueImpl(name, args);
  }
  return Object.freeze(factories);
}
