/**
 * The error every shape rule throws at run time. Its message is the sentence
 * the type checker shows for the same mistake, word for word.
 *
 * @example
 * try {
 *   input({ shape: [3, 3, 1] }).conv2d({ filters: 8, kernelSize: 5 });
 * } catch (e) {
 *   if (e instanceof ShapeError) console.log(e.message);
 *   // shapewise: conv2d kernelSize 5 is larger than input height 3 with padding 'valid'
 * }
 */
export class ShapeError extends Error {
  override readonly name = "ShapeError";
  /**
   * When a layer call broke the rule while a model was being built (in code
   * or from a file): the layer, and the symbolic tensors it was applied to,
   * which lead back to the layers built before it. `failureSummary(error)`
   * prints them.
   */
  failure?: ShapeFailure;
  constructor(message: string) {
    super(message);
  }
}

/**
 * The layer call a {@link ShapeError} came from: the layer's names and class,
 * and the symbolic tensors it was given.
 *
 * @example
 * const f: ShapeFailure = { names: { keras2: "conv2d_1", keras3: "conv2d_1", tfjs: "conv2d_Conv2D2" }, className: "Conv2D", inputs: [x] };
 */
export interface ShapeFailure {
  readonly names: { readonly keras2: string; readonly keras3: string; readonly tfjs: string };
  readonly className: string;
  readonly inputs: readonly unknown[];
}
