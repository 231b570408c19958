/**
 * Output length and padding of one spatial axis of a convolution or pooling
 * window, as Keras 3, tf.keras and TF.js compute it (reference §1.7):
 *
 * - `dk = dilation * (kernelSize - 1) + 1` (effective window extent)
 * - `"valid"`: `out = floor((L - dk) / stride) + 1`, no padding
 * - `"same"`: `out = ceil(L / stride)`,
 *   `total = max((out - 1) * stride + dk - L, 0)`,
 *   `padBefore = floor(total / 2)`, `padAfter = total - padBefore`
 *   (the odd pixel goes after, i.e. bottom/right)
 *
 * Callers are expected to validate sizes with a descriptive message first; this
 * still throws a RangeError rather than return a non-positive length, because
 * TF.js silently producing empty tensors is exactly the bug to avoid.
 *
 * @example
 * ```ts
 * convOutputGeometry(6, 3, 2, 1, "same");  // { outputLength: 3, padBefore: 0, padAfter: 1 }
 * convOutputGeometry(28, 3, 1, 1, "valid"); // { outputLength: 26, padBefore: 0, padAfter: 0 }
 * ```
 */
export function convOutputGeometry(
  inputLength: number,
  kernelSize: number,
  stride: number,
  dilation: number,
  padding: "valid" | "same",
): { outputLength: number; padBefore: number; padAfter: number } {
  if (
    !Number.isSafeInteger(inputLength) || inputLength < 0 ||
    !Number.isSafeInteger(kernelSize) || kernelSize < 1 ||
    !Number.isSafeInteger(stride) || stride < 1 ||
    !Number.isSafeInteger(dilation) || dilation < 1
  ) {
    throw new RangeError(
      `convOutputGeometry: invalid arguments (input ${inputLength}, kernel ${kernelSize}, stride ${stride}, dilation ${dilation})`,
    );
  }
  const dk = dilation * (kernelSize - 1) + 1;
  if (padding === "same") {
    const outputLength = Math.ceil(inputLength / stride);
    if (outputLength < 1) {
      throw new RangeError(`convOutputGeometry: "same" padding of an empty axis (input length ${inputLength})`);
    }
    const total = Math.max((outputLength - 1) * stride + dk - inputLength, 0);
    const padBefore = Math.floor(total / 2);
    return { outputLength, padBefore, padAfter: total - padBefore };
  }
  if (padding === "valid") {
    const outputLength = Math.floor((inputLength - dk) / stride) + 1;
    if (outputLength < 1) {
      throw new RangeError(
        `convOutputGeometry: input length ${inputLength} is smaller than the effective window ${dk} with "valid" padding`,
      );
    }
    return { outputLength, padBefore: 0, padAfter: 0 };
  }
  throw new RangeError(`convOutputGeometry: unknown padding ${JSON.stringify(padding)}`);
}
