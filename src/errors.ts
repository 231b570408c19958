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
  constructor(message: string) {
    super(message);
  }
}
