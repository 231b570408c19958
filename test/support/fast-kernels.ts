/**
 * What the tests of the WebAssembly kernels against the reference kernels
 * share: running a call on either backend (and checking the fast one
 * launched WebAssembly kernels only), and drawing a seeded tensor.
 */
import { afterEach, expect } from "vitest";
import { getKernelBackend, setKernelBackend } from "../../src/kernels/backend.js";
import type { KernelBackend } from "../../src/kernels/backend.js";
import { profileCall } from "../../src/kernels/profile.js";
import type { LayerProfile } from "../../src/kernels/profile.js";
import { createRandom } from "../../src/kernels/random.js";
import type { Tensor } from "../../src/kernels/tensor.js";

const initial: KernelBackend = getKernelBackend();

/**
 * Puts the backend the test file started with back after each test.
 *
 * @example
 * restoreBackendAfterEach();
 */
export function restoreBackendAfterEach(): void {
  afterEach(() => setKernelBackend(initial));
}

/**
 * Runs `f` on the fast kernels, checking that it launched WebAssembly kernels only.
 *
 * @example
 * const y = onWasm(() => transposeLayer(x, [1, 0]));
 */
export function onWasm(f: () => Tensor): Tensor {
  setKernelBackend("fast");
  try {
    const rows: LayerProfile[] = [];
    const [out] = profileCall(rows, "f", "F", [], () => [f()]);
    expect(rows[0].kernel).toBe("wasm");
    return out;
  } finally {
    setKernelBackend(initial);
  }
}

/**
 * `f`'s result on the given backend, the file's backend restored after it.
 *
 * @example
 * const expected = onBackend("reference", () => m.predict(x));
 */
export function onBackend<T>(backend: KernelBackend, f: () => T): T {
  setKernelBackend(backend);
  try {
    return f();
  } finally {
    setKernelBackend(initial);
  }
}

/**
 * Sets every weight of a model from `seed`: batch normalisation's four
 * arrays in [0.2, 1.5] (a positive variance, so its fold is finite), the
 * others in [-1, 1].
 *
 * @example
 * drawModelWeights(m, 3);
 */
export function drawModelWeights(m: WeightedModel, seed: number): void {
  const r = createRandom(seed);
  const draw = (w: Tensor, lo: number, hi: number): Tensor => ({ shape: [...w.shape], data: w.data.map(() => lo + (hi - lo) * r.next()) });
  m.getWeights();
  m.setWeights(m.layers.flatMap((l) => (l.weights ?? []).map((w) => (l.className === "BatchNormalization" ? draw(w, 0.2, 1.5) : draw(w, -1, 1)))));
}

/** What {@link drawModelWeights} reads and writes of a model. */
interface WeightedModel {
  getWeights(): unknown;
  setWeights(weights: Tensor[]): void;
  readonly layers: readonly { readonly className: string; readonly weights?: readonly Tensor[] | null }[];
}

/**
 * `f`'s result on the fast kernels, then on the reference kernels.
 *
 * @example
 * const { fast, reference } = onBoth(() => conv2dLayer(x, kernel, bias, options, "relu"));
 */
export function onBoth<T>(f: () => T): { fast: T; reference: T } {
  try {
    setKernelBackend("fast");
    const fast = f();
    setKernelBackend("reference");
    return { fast, reference: f() };
  } finally {
    setKernelBackend(initial);
  }
}

/**
 * The reference kernel's result, on the reference backend.
 *
 * @example
 * const y = onReference(() => resizeImages(x, 4, 4, "bilinear"));
 */
export function onReference(f: () => Tensor): Tensor {
  setKernelBackend("reference");
  try {
    return f();
  } finally {
    setKernelBackend(initial);
  }
}

/**
 * A tensor of `shape` with values drawn uniformly from [-scale, scale) by `seed`.
 *
 * @example
 * const x = drawTensor([2, 3, 5], 7);
 */
export function drawTensor(shape: readonly number[], seed: number, scale = 1): Tensor {
  const r = createRandom(seed);
  return { shape: [...shape], data: Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => (r.next() * 2 - 1) * scale) };
}
