/**
 * The runtime symbolic tensor: a shape, the layer call (node) that produced
 * it and the tensors that call received. Layer methods come from the layer
 * family files in `src/layers/`, as their types come from `types/layers/`.
 */
import { fail, valueText } from "./checks.js";
import { ShapeError } from "./errors.js";
import type { Layer } from "./layers/layer.js";
import type { Shape, SizedShape } from "./shape.js";

/** A node of the model graph under definition (the public type is `SymbolicTensor` from `types/`). */
export class SymbolicTensorImpl {
  constructor(
    readonly shape: Shape,
    readonly layer: Layer,
    readonly inbound: readonly SymbolicTensorImpl[],
    /** Which output of its layer call this is: 0, or more for layers with several outputs (an RNN's states). */
    readonly outputIndex: number = 0,
    /** Which call of its layer produced it: 0 for the first, 1 for a shared layer's second call, ... */
    readonly nodeIndex: number = 0,
    /** The shape with symbolic sizes where names given to `input` reach (`"8*H"`); `shape` has `null` there. */
    readonly sizes: SizedShape = shape,
  ) {}

  /** The name of the layer that produced this tensor. */
  get layerName(): string {
    return this.layer.name;
  }

  /**
   * Applies a layer to this tensor (and, for layers with several inputs, to
   * the others after it): checks its rules and records the edges. A layer
   * applied a second time is shared: the same weights, so the same input shapes.
   */
  applyLayer(layer: Layer, ...others: SymbolicTensorImpl[]): SymbolicTensorImpl {
    const shapes = [this.shape, ...others.map((o) => o.shape)];
    const nodeIndex = layer.nodeCount;
    if (nodeIndex > 0) checkSharedInputs(layer, shapes);
    let shape: Shape;
    try {
      shape = layer.apply(this.shape, ...others.map((o) => o.shape));
    } catch (error) {
      // The tensors the call was given lead back to every layer built before it: a summary of the broken model.
      if (error instanceof ShapeError && error.failure === undefined)
        error.failure = { names: layer.names, className: layer.className, inputs: [this, ...others] };
      throw error;
    }
    const inputSizes = [this.sizes, ...others.map((o) => o.sizes)];
    let sizes: SizedShape = shape;
    if (inputSizes.some((s) => s.some((d) => typeof d === "string"))) {
      try {
        sizes = Object.freeze([...layer.computeSizes(inputSizes, shape)]);
      } catch (error) {
        if (error instanceof ShapeError && error.failure === undefined)
          error.failure = { names: layer.names, className: layer.className, inputs: [this, ...others] };
        throw error;
      }
    }
    if (nodeIndex === 0) layer.nodeInputShapes = shapes;
    layer.nodeCount = nodeIndex + 1;
    return new SymbolicTensorImpl(Object.freeze([...shape]), layer, [this, ...others], 0, nodeIndex, sizes);
  }
}

/** A shared layer's weights were made for its first inputs: later calls must bring the same shapes. */
function checkSharedInputs(layer: Layer, shapes: readonly Shape[]): void {
  const first = layer.nodeInputShapes ?? [];
  const same = first.length === shapes.length && first.every((s, i) => s.length === shapes[i].length && s.every((d, j) => d === shapes[i][j]));
  if (!same) {
    const text = (list: readonly Shape[]) => list.map((s) => valueText(s)).join(" and ");
    fail(`shapewise: shared layer ${layer.name} was first applied to ${text(first)} and takes the same shapes again, got ${text(shapes)}`);
  }
}

/** The layers with weights that lead to a tensor (its own included), and every tensor on the way. */
function ancestry(t: SymbolicTensorImpl): { layers: Set<Layer>; tensors: Set<SymbolicTensorImpl> } {
  const layers = new Set<Layer>();
  const tensors = new Set<SymbolicTensorImpl>();
  const stack = [t];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (tensors.has(next)) continue;
    tensors.add(next);
    if (next.layer.countParams() > 0) layers.add(next.layer);
    stack.push(...next.inbound);
  }
  return { layers, tensors };
}

/**
 * Checks the `shared` option of a merge or a model with several outputs:
 * the type-level total counts the shared tensor's ancestors once, which is
 * right only if every operand descends from it and the operands share no
 * other layer with weights (`"none"`: no layer with weights at all).
 *
 * @example
 * checkSharedAncestor("add", [a, b], trunk); // throws unless a and b meet only in trunk's ancestry
 */
export function checkSharedAncestor(method: string, operands: readonly SymbolicTensorImpl[], shared: unknown): void {
  if (shared !== "none" && !(shared instanceof SymbolicTensorImpl)) {
    fail(`shapewise: ${method} shared must be a symbolic tensor or "none", got ${valueText(shared)}`);
  }
  const base = shared === "none" ? new Set<Layer>() : ancestry(shared).layers;
  const lines = operands.map(ancestry);
  // Descent is judged by weights: a sibling output of the shared tensor's
  // layer (an RNN's state) holds the same layers, which is all the count needs.
  lines.forEach((line, i) => {
    if (shared instanceof SymbolicTensorImpl && [...base].some((layer) => !line.layers.has(layer))) {
      fail(`shapewise: ${method} input ${i + 1} does not descend from the shared tensor of ${shared.layer.name}`);
    }
  });
  for (let i = 0; i < lines.length; i++) {
    for (let j = i + 1; j < lines.length; j++) {
      for (const layer of lines[i].layers) {
        if (lines[j].layers.has(layer) && !base.has(layer)) {
          const outside = shared === "none" ? "" : ` outside the ancestors of ${(shared as SymbolicTensorImpl).layer.name}`;
          fail(`shapewise: ${method} inputs ${i + 1} and ${j + 1} share layer ${layer.name}${outside}, so its parameters would count twice`);
        }
      }
    }
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
