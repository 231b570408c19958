/**
 * A concrete tensor: float32 data, row-major, channels-last.
 *
 * @example
 * const x: Tensor<[2, 10]> = tensor([2, 10], new Float32Array(20));
 */
export interface Tensor<S extends readonly number[] = readonly number[]> {
  readonly shape: S;
  readonly data: Float32Array;
}
