/**
 * `a * b + c` on four float32 lanes: the one multiply-add of the matrix
 * product and convolution micro-kernels.
 *
 * One source gives two builds. With `--enable relaxed-simd` it is relaxed
 * SIMD's `f32x4.relaxed_madd`, which engines lower to one fused
 * multiply-add where the processor has it (one rounding instead of two);
 * without it, the plain SIMD multiply and add. `ASC_FEATURE_RELAXED_SIMD`
 * is a compile-time constant, so each build keeps one branch only.
 */
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/**
 * 1 in the build with relaxed SIMD, 0 in the plain SIMD one, so the loader
 * can say which build runs whatever file it was given.
 */
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
