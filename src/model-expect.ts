/**
 * Pinning what a model must be at run time (the twins of `ExpectShape` and
 * `ExpectParams`), and the summary of a model whose building failed.
 */
import { fail, valueText } from "./checks.js";
import { ShapeError } from "./errors.js";
import type { TensorLayout } from "./model-graph.js";
import { Model } from "./model.js";
import { formatSummary } from "./summary/index.js";
import type { SummaryOptions } from "./summary/index.js";
import { SymbolicTensorImpl } from "./symbolic-tensor.js";
import type { ShapeTree } from "../types/model.js";

/**
 * The run-time twin of `ExpectShape`: returns the model when its output
 * shape is exactly `shape`, and throws the same sentence otherwise.
 *
 * @example
 * expectShape(m, [null, 10]); // ShapeError: shapewise: expected output shape [null, 10], got [null, 15, 15, 10]
 */
export function expectShape<M extends { readonly outputShape: unknown }>(model: M, shape: ShapeTree): M {
  const text = (tree: unknown): string =>
    Array.isArray(tree) && tree.every((d) => d === null || typeof d === "number")
      ? valueText(tree)
      : Array.isArray(tree)
        ? `(${tree.map(text).join(", ")})`
        : "a record of shapes";
  if (JSON.stringify(model.outputShape) !== JSON.stringify(shape)) fail(`shapewise: expected output shape ${text(shape)}, got ${text(model.outputShape)}`);
  return model;
}

/**
 * The run-time twin of `ExpectParams`: returns the model when it holds
 * exactly `count` parameters, and throws the same sentence otherwise.
 *
 * @example
 * expectParams(m, 7840); // ShapeError: shapewise: expected 7840 parameters, got 7850
 */
export function expectParams<M extends { countParams(): number }>(model: M, count: number): M {
  const total = model.countParams();
  if (total !== count) fail(`shapewise: expected ${count} parameters, got ${total}`);
  return model;
}

/**
 * The summary of a model whose building stopped at a broken rule: the layers
 * built before the failing call, in the chosen style, then a line that marks
 * the failing layer with the shapes it was given and its sentence. For any
 * other error, `undefined`. Works for models built in code and from files
 * (`loadModel`, `modelFromKerasJSON`), whose layers are built the same way.
 *
 * @example
 * try {
 *   x.conv2d({ filters: 8, kernelSize: 5 });
 * } catch (error) {
 *   console.log(failureSummary(error)); // the table up to x, then
 *   // "Failed at conv2d_1 (Conv2D) on (None, 3, 3, 1): shapewise: conv2d kernelSize 5 is larger than input height 3 with padding 'valid'"
 * }
 */
export function failureSummary(error: unknown, options: Omit<SummaryOptions, "printFn"> = {}): string | undefined {
  if (!(error instanceof ShapeError) || error.failure === undefined) return undefined;
  const given = error.failure.inputs.filter((t): t is SymbolicTensorImpl => t instanceof SymbolicTensorImpl);
  const outputs = [...new Set(given)];
  const roots = new Set<SymbolicTensorImpl>();
  const seen = new Set<SymbolicTensorImpl>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    if (t.inbound.length === 0) roots.add(t);
    stack.push(...t.inbound);
  }
  const inputs = [...roots];
  const layout = (n: number): TensorLayout => (n === 1 ? "single" : "list");
  // A fixed name and seed: summarising moves no name counter and no weight stream.
  const built = new Model("functional", { inputs, outputs, inputLayout: layout(inputs.length), outputLayout: layout(outputs.length) }, "model", 0);
  const lines = formatSummary(built.summaryData(), options);
  const shapes = given.map((t) => `(${t.shape.map((d) => (d === null ? "None" : String(d))).join(", ")}${t.shape.length === 1 ? "," : ""})`).join(", ");
  const { names, className } = error.failure;
  lines.push(`Failed at ${names.keras2} (${className}) on ${shapes}: ${error.message}`);
  return `${lines.join("\n")}\n`;
}
