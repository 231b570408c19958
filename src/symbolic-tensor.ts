/**
 * The runtime symbolic tensor: a shape, the layer that produced it and the
 * tensors that layer received. Layer methods come from the layer family
 * files in `src/layers/`, as their types come from `types/layers/`.
 */
import type { Shape } from "./checks.js";
import type { Layer } from "./layers/layer.js";

/** A node of the model graph under definition (the public type is `SymbolicTensor` from `types/`). */
export class SymbolicTensorImpl {
  constructor(
    readonly shape: Shape,
    readonly layer: Layer,
    readonly inbound: readonly SymbolicTensorImpl[],
    /** Which output of its layer this is: 0, or more for layers with several outputs (an RNN's states). */
    readonly outputIndex: number = 0,
  ) {}

  /** The name of the layer that produced this tensor. */
  get layerName(): string {
    return this.layer.name;
  }

  /**
   * Applies a new layer to this tensor (and, for layers with several inputs,
   * to the others after it): checks its rules and records the edges.
   */
  applyLayer(layer: Layer, ...others: SymbolicTensorImpl[]): SymbolicTensorImpl {
    const shape = layer.apply(this.shape, ...others.map((o) => o.shape));
    return new SymbolicTensorImpl(Object.freeze([...shape]), layer, [this, ...others]);
  }
}

/** Adds a layer family's methods to every symbolic tensor (a method of a layer with several outputs returns them all). */
export function addLayerMethods(
  methods: Record<string, (this: SymbolicTensorImpl, ...args: never[]) => SymbolicTensorImpl | readonly SymbolicTensorImpl[]>,
): void {
  for (const [name, fn] of Object.entries(methods)) {
    Object.defineProperty(SymbolicTensorImpl.prototype, name, { value: fn, writable: false, enumerable: false, configurable: false });
  }
}
