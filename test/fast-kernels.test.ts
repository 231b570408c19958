/**
 * The fast kernels (WebAssembly SIMD, `src/kernels/fast-conv.ts`, `fast-dense.ts`) against the
 * reference kernels and TensorFlow.js, on generated shapes that reach every
 * code path: K blocks (more than 512 taps x channels), taps split by channel
 * (more than 512 channels), output widths that are not a multiple of the
 * 8-wide panels, row tails, strides, dilation, both paddings, NaN inputs,
 * threads, buffer reuse across predicts, weight repacking and the fallback
 * when the module is missing.
 *
 * In the `reference` vitest project (SHAPEWISE_KERNELS=reference) the
 * comparisons still run: `setKernelBackend` switches per call.
 */
import { spawnSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ShapeError, input, model, tensor } from "../src/index.js";
import type { Model } from "../src/index.js";
import type { ActivationName } from "../src/kernels/activations.js";
import { getKernelBackend, kernelInfo, resolveThreads, setKernelBackend } from "../src/kernels/backend.js";
import { conv2dLayer, pool2dLayer } from "../src/kernels/fast-conv.js";
import { denseLayer } from "../src/kernels/fast-dense.js";
import type { KernelBackend } from "../src/kernels/backend.js";
import { createRandom } from "../src/kernels/random.js";
import type { Tensor } from "../src/kernels/tensor.js";
import { terminateThreads } from "../src/kernels/threads.js";
import { maxScaledDiff } from "./support/scaled-diff.js";
import { onBoth } from "./support/fast-kernels.js";

const TOL = 1e-5;
const initial: KernelBackend = getKernelBackend();

function randomTensor(shape: number[], seed: number, lo = -1, hi = 1): Tensor {
  const r = createRandom(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  return { shape, data: Float32Array.from({ length: n }, () => lo + (hi - lo) * r.next()) };
}

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});
afterEach(() => setKernelBackend(initial));
afterAll(async () => {
  await terminateThreads();
});

describe("the backend in use", () => {
  it("the vitest project's backend is the one running, and the fast project really loaded the WebAssembly kernels", () => {
    const info = kernelInfo();
    if (process.env.SHAPEWISE_KERNELS === "reference") {
      expect(info.backend).toBe("reference");
    } else {
      expect(info.backend).toBe("fast");
      // Otherwise the "fast" run would silently test the fallback: run `npm run build:wasm`.
      expect(info, `WebAssembly kernels did not load: ${info.reason}`).toMatchObject({ wasm: true });
    }
  });

  it("setKernelBackend rejects unknown names; threads must be positive integers or auto", () => {
    expect(() => setKernelBackend("gpu" as KernelBackend)).toThrow(/unknown kernel backend "gpu"/);
    expect(resolveThreads(undefined, 1)).toBe(1);
    expect(resolveThreads("auto", 8)).toBe(1);
    expect(resolveThreads(3, 1)).toBe(Math.min(3, kernelInfo().maxThreads));
    expect(() => resolveThreads(0, 1)).toThrow(ShapeError);
    expect(() => resolveThreads(1.5, 1)).toThrow(ShapeError);
  });
});

const act = fc.constantFrom<ActivationName>("linear", "relu", "relu6", "gelu", "softmax");

describe("conv2d: fast kernels against the reference kernels and tf.conv2d", () => {
  it("generated shapes, strides, dilations, paddings, biases and activations", () => {
    const config = fc
      .record({
        n: fc.integer({ min: 1, max: 3 }),
        h: fc.integer({ min: 1, max: 9 }),
        w: fc.integer({ min: 1, max: 9 }),
        cin: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(16, 33, 64, 70)),
        cout: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constantFrom(32, 64)),
        kh: fc.integer({ min: 1, max: 4 }),
        kw: fc.integer({ min: 1, max: 4 }),
        stride: fc.integer({ min: 1, max: 3 }),
        dilate: fc.boolean(),
        padding: fc.constantFrom<"valid" | "same">("valid", "same"),
        bias: fc.boolean(),
        act,
        seed: fc.integer({ min: 0, max: 1e6 }),
      })
      .filter((c) => c.padding === "same" || (c.h >= (c.dilate ? 2 * c.kh - 1 : c.kh) && c.w >= (c.dilate ? 2 * c.kw - 1 : c.kw)));
    fc.assert(
      fc.property(config, (c) => {
        const x = randomTensor([c.n, c.h, c.w, c.cin], c.seed);
        const k = randomTensor([c.kh, c.kw, c.cin, c.cout], c.seed + 1, -0.5, 0.5);
        const b = c.bias ? randomTensor([c.cout], c.seed + 2) : null;
        const options = {
          strides: [c.dilate ? 1 : c.stride, c.dilate ? 1 : c.stride] as const,
          dilationRate: [c.dilate ? 2 : 1, c.dilate ? 2 : 1] as const,
          padding: c.padding,
        };
        const { fast, reference } = onBoth(() => conv2dLayer(x, k, b, options, c.act));
        expect(fast.shape).toEqual(reference.shape);
        expect(maxScaledDiff(fast.data, reference.data)).toBeLessThanOrEqual(TOL);
        if (c.act === "linear") {
          const theirs = tf.tidy(() => {
            let y = tf.conv2d(
              tf.tensor4d(x.data, [c.n, c.h, c.w, c.cin]),
              tf.tensor4d(k.data, [c.kh, c.kw, c.cin, c.cout]),
              options.strides as [number, number],
              c.padding,
              "NHWC",
              options.dilationRate as [number, number],
            );
            if (b !== null) y = y.add(tf.tensor1d(b.data));
            return y.dataSync();
          });
          expect(maxScaledDiff(fast.data, theirs)).toBeLessThanOrEqual(TOL);
        }
      }),
      { seed: 20261125, numRuns: 150 },
    );
  });

  it("K blocks: 3x3 over 64 and 70 channels (576 and 630 > 512) and 1x1 over 600 channels (a tap split by channel)", () => {
    for (const [h, cin, kh, cout] of [
      [6, 64, 3, 24],
      [5, 70, 3, 9],
      [4, 600, 1, 17],
      [3, 1030, 2, 8],
    ]) {
      const x = randomTensor([2, h, h, cin], cin);
      const k = randomTensor([kh, kh, cin, cout], cin + 1, -0.1, 0.1);
      const b = randomTensor([cout], cin + 2);
      for (const padding of ["valid", "same"] as const) {
        const { fast, reference } = onBoth(() => conv2dLayer(x, k, b, { strides: [1, 1], dilationRate: [1, 1], padding }, "relu"));
        expect(maxScaledDiff(fast.data, reference.data), `[${h},${h},${cin}] k${kh} ${padding}`).toBeLessThanOrEqual(TOL);
      }
    }
  });

  it("1x1 stride 1 (input rows packed as a dense layer's): the same bits as the dense layer on the same rows, and the reference within 1e-5; zero padding folded in takes the im2col path", () => {
    const config = fc.record({
      n: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 1, max: 13 }),
      w: fc.integer({ min: 1, max: 13 }),
      cin: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constantFrom(63, 600, 1030)),
      cout: fc.integer({ min: 1, max: 40 }),
      bias: fc.boolean(),
      residual: fc.boolean(),
      pad: fc.constantFrom<readonly [number, number]>([0, 0], [1, 0], [0, 1], [1, 2]),
      act,
      seed: fc.integer({ min: 0, max: 1e6 }),
    });
    fc.assert(
      fc.property(config, (c) => {
        const x = randomTensor([c.n, c.h, c.w, c.cin], c.seed);
        const k = randomTensor([1, 1, c.cin, c.cout], c.seed + 1, -0.5, 0.5);
        const b = c.bias ? randomTensor([c.cout], c.seed + 2) : null;
        const [p0, p1] = c.pad;
        const oh = c.h + p0 + p1;
        const ow = c.w + p1 + p0;
        const r = c.residual ? randomTensor([c.n, oh, ow, c.cout], c.seed + 3) : null;
        const options = { strides: [1, 1], dilationRate: [1, 1], padding: "valid", zeroPad: [c.pad, [p1, p0]] } as const;
        const { fast, reference } = onBoth(() => conv2dLayer(x, k, b, options, c.act, r));
        expect(fast.shape).toEqual([c.n, oh, ow, c.cout]);
        expect(maxScaledDiff(fast.data, reference.data)).toBeLessThanOrEqual(TOL);
        if (p0 === 0 && p1 === 0) {
          const rows = { shape: [c.n * c.h * c.w, c.cin], data: x.data };
          const matrix = { shape: [c.cin, c.cout], data: k.data };
          const flat = r === null ? null : { shape: [c.n * c.h * c.w, c.cout], data: r.data };
          const { fast: product } = onBoth(() => denseLayer(rows, matrix, b, c.act, flat));
          expect(fast.data).toEqual(product.data);
        }
      }),
      { seed: 20261207, numRuns: 120 },
    );
  });

  it("3x3 stride 1 with 16+ channels (the Winograd path): odd and even sizes, partial edge tiles, both paddings", () => {
    let i = 0;
    for (const [h, w] of [
      [3, 3],
      [4, 5],
      [7, 6],
      [8, 8],
      [9, 3],
    ]) {
      for (const [cin, cout] of [
        [16, 4],
        [20, 12],
        [32, 36],
      ]) {
        for (const padding of ["valid", "same"] as const) {
          const x = randomTensor([2, h, w, cin], ++i);
          const k = randomTensor([3, 3, cin, cout], ++i, -0.3, 0.3);
          const b = i % 3 === 0 ? null : randomTensor([cout], ++i);
          const a = (["linear", "relu", "relu6", "elu"] as const)[i % 4];
          const { fast, reference } = onBoth(() => conv2dLayer(x, k, b, { strides: [1, 1], dilationRate: [1, 1], padding }, a));
          expect(fast.shape).toEqual(reference.shape);
          expect(maxScaledDiff(fast.data, reference.data), `[${h},${w},${cin}] -> ${cout} ${padding} ${a}`).toBeLessThanOrEqual(TOL);
        }
      }
    }
  });

  it("relu and relu6 done in the product's last step let NaN through and clamp infinities and signed zeros as the reference does, in full and tail tiles", () => {
    const special = [Number.NaN, Infinity, -Infinity, -0, 0, 7, -3, 5.5, 6, -1e-30];
    for (const cout of [8, 12, 3]) {
      for (const h of [4, 3]) {
        const x: Tensor = { shape: [1, h, h, 1], data: Float32Array.from({ length: h * h }, (_, i) => special[i % special.length]) };
        const k: Tensor = { shape: [1, 1, 1, cout], data: new Float32Array(cout).fill(1) };
        for (const a of ["relu", "relu6"] as const) {
          const { fast, reference } = onBoth(() => conv2dLayer(x, k, null, { strides: [1, 1], dilationRate: [1, 1], padding: "valid" }, a));
          const text = (d: Float32Array) => Array.from(d, (v) => (Object.is(v, -0) ? "-0" : String(v)));
          expect(text(fast.data), `${a} cout ${cout} h ${h}`).toEqual(text(reference.data));
        }
      }
    }
  });

  it("rejects the same malformed calls with the same messages", () => {
    const x = randomTensor([1, 4, 4, 2], 1);
    const k = randomTensor([3, 3, 3, 4], 2);
    const opts = { strides: [1, 1], dilationRate: [1, 1], padding: "valid" } as const;
    const { fast, reference } = onBoth(() => {
      try {
        conv2dLayer(x, k, null, opts, "linear");
        return "no error";
      } catch (e) {
        return String(e);
      }
    });
    expect(fast).toBe(reference);
    expect(fast).toMatch(/kernel expects 3 input channels, input has 2/);
  });
});

describe("dense: fast kernels against the reference kernels and tf.matMul", () => {
  it("generated rows, features (K blocks past 512), units, ranks and activations", () => {
    fc.assert(
      fc.property(
        fc.record({
          lead: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 2 }),
          inDim: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constantFrom(513, 1100, 2048)),
          units: fc.integer({ min: 1, max: 30 }),
          bias: fc.boolean(),
          act,
          seed: fc.integer({ min: 0, max: 1e6 }),
        }),
        (c) => {
          const x = randomTensor([...c.lead, c.inDim], c.seed);
          const k = randomTensor([c.inDim, c.units], c.seed + 1, -0.1, 0.1);
          const b = c.bias ? randomTensor([c.units], c.seed + 2) : null;
          const { fast, reference } = onBoth(() => denseLayer(x, k, b, c.act));
          expect(fast.shape).toEqual(reference.shape);
          expect(maxScaledDiff(fast.data, reference.data)).toBeLessThanOrEqual(TOL);
          if (c.act === "linear" && !c.bias) {
            const rows = c.lead.reduce((p, d) => p * d, 1);
            const theirs = tf.tidy(() => tf.matMul(tf.tensor2d(x.data, [rows, c.inDim]), tf.tensor2d(k.data, [c.inDim, c.units])).dataSync());
            expect(maxScaledDiff(fast.data, theirs)).toBeLessThanOrEqual(TOL);
          }
        },
      ),
      { seed: 7, numRuns: 120 },
    );
  });
});

describe("pooling: fast kernels equal the reference kernels", () => {
  it("generated windows, strides and paddings, with NaN and infinite cells", () => {
    fc.assert(
      fc.property(
        fc
          .record({
            n: fc.integer({ min: 1, max: 3 }),
            h: fc.integer({ min: 1, max: 9 }),
            w: fc.integer({ min: 1, max: 9 }),
            c: fc.integer({ min: 1, max: 11 }),
            ph: fc.integer({ min: 1, max: 3 }),
            pw: fc.integer({ min: 1, max: 3 }),
            sh: fc.integer({ min: 1, max: 3 }),
            sw: fc.integer({ min: 1, max: 3 }),
            padding: fc.constantFrom<"valid" | "same">("valid", "same"),
            kind: fc.constantFrom<"max" | "avg">("max", "avg"),
            seed: fc.integer({ min: 0, max: 1e6 }),
          })
          .filter((c) => c.padding === "same" || (c.h >= c.ph && c.w >= c.pw)),
        (c) => {
          const x = randomTensor([c.n, c.h, c.w, c.c], c.seed);
          // Special values where windows meet them: max must skip NaN like the reference, avg propagate it.
          x.data[c.seed % x.data.length] = NaN;
          x.data[(c.seed * 7) % x.data.length] = -Infinity;
          const options = { poolSize: [c.ph, c.pw] as const, strides: [c.sh, c.sw] as const, padding: c.padding };
          const { fast, reference } = onBoth(() => pool2dLayer(c.kind, x, options));
          expect(fast.shape).toEqual(reference.shape);
          expect(maxScaledDiff(fast.data, reference.data)).toBeLessThanOrEqual(1e-6);
        },
      ),
      { seed: 11, numRuns: 200 },
    );
  });
});

function seedModelB(): Model {
  const inputs = input({ shape: [28, 28, 1] });
  const outputs = inputs
    .conv2d({ filters: 32, kernelSize: 3, activation: "relu", padding: "same" })
    .maxPooling2d({ poolSize: 2 })
    .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
    .maxPooling2d({ poolSize: 2 })
    .conv2d({ filters: 128, kernelSize: 3, activation: "relu" })
    .flatten()
    .dense({ units: 10, activation: "softmax" });
  return model({ inputs, outputs, seed: 3 }) as unknown as Model;
}
const predict = (m: Model, x: Tensor, threads?: number): Tensor =>
  (m.predict as unknown as (x: Tensor, o: object) => Tensor).call(m, x, threads === undefined ? {} : { threads });

describe("predict on the fast kernels", () => {
  it("two worker threads give the same bits as one, by batch (model B) and by filters (a late layer at batch 1)", () => {
    const m = seedModelB();
    const x = randomTensor([64, 28, 28, 1], 5, 0, 1);
    const one = predict(m, x, 1);
    expect(predict(m, x, 2).data).toEqual(one.data);
    expect(predict(m, x, 3).data).toEqual(one.data);
    const inputs = input({ shape: [6, 6, 64] });
    const wide = model({
      inputs,
      outputs: inputs.conv2d({ filters: 256, kernelSize: 3, padding: "same", activation: "relu" }).flatten().dense({ units: 300 }),
      seed: 4,
    }) as unknown as Model;
    const xs = randomTensor([1, 6, 6, 64], 6);
    expect(predict(wide, xs, 2).data).toEqual(predict(wide, xs, 1).data);
    const { fast, reference } = onBoth(() => predict(m, x, 2));
    expect(maxScaledDiff(fast.data, reference.data)).toBeLessThanOrEqual(TOL);
  });

  it("results are the caller's own arrays; buffers are reused, not grown, across calls", () => {
    const m = seedModelB();
    const a = randomTensor([16, 28, 28, 1], 8, 0, 1);
    const b = randomTensor([16, 28, 28, 1], 9, 0, 1);
    const ya = predict(m, a);
    const copy = Float32Array.from(ya.data);
    expect(ya.data.buffer).toBeInstanceOf(ArrayBuffer);
    predict(m, b);
    expect(ya.data).toEqual(copy);
    const before = kernelInfo().memoryBytes;
    for (let i = 0; i < 5; i++) predict(m, i % 2 === 0 ? a : b);
    expect(kernelInfo().memoryBytes).toBe(before);
    expect(predict(m, a).data).toEqual(copy);
  });

  it("setWeights repacks: the next predict uses the new weights", () => {
    const m = seedModelB();
    const x = randomTensor([4, 28, 28, 1], 10, 0, 1);
    const before = predict(m, x);
    m.setWeights(m.getWeights().map((w, i) => randomTensor([...w.shape], 100 + i, -0.2, 0.2)));
    const { fast, reference } = onBoth(() => predict(m, x));
    expect(maxScaledDiff(fast.data, reference.data)).toBeLessThanOrEqual(TOL);
    expect(maxScaledDiff(fast.data, before.data)).toBeGreaterThan(1e-3);
  });

  it("layers called outside predict return ordinary arrays", () => {
    const x = randomTensor([2, 8], 12);
    const k = randomTensor([8, 3], 13);
    setKernelBackend("fast");
    const y = denseLayer(x, k, null, "relu");
    expect(y.data.buffer).toBeInstanceOf(ArrayBuffer);
    expect(y.shape).toEqual([2, 3]);
  });

  it("without the WebAssembly module, the fast backend falls back to the reference kernels", () => {
    const script = `
      import { input, kernelInfo, model, tensor } from "./src/node/index.ts";
      const i = input({ shape: [5, 5, 2] });
      const m = model({ inputs: i, outputs: i.conv2d({ filters: 3, kernelSize: 3, activation: "relu" }).flatten().dense({ units: 2 }), seed: 1 });
      const y = m.predict(tensor([1, 5, 5, 2], Array.from({ length: 50 }, (_, j) => Math.sin(j))));
      console.log(JSON.stringify({ info: kernelInfo(), y: Array.from(y.data) }));
    `;
    const run = (env: Record<string, string>) => {
      const p = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        encoding: "utf8",
        env: { ...process.env, SHAPEWISE_KERNELS: "fast", ...env },
      });
      expect(p.status, p.stderr).toBe(0);
      return JSON.parse(p.stdout.trim().split("\n").pop()!) as { info: ReturnType<typeof kernelInfo>; y: number[] };
    };
    const missing = run({ SHAPEWISE_WASM_FILE: "/nonexistent/shapewise-kernels.wasm" });
    expect(missing.info).toMatchObject({ backend: "fast", wasm: false });
    expect(missing.info.reason).toMatch(/not found \(run `npm run build:wasm`\)/);
    const reference = run({ SHAPEWISE_KERNELS: "reference" });
    expect(missing.y).toEqual(reference.y);
  });

  it("predict rejects a bad threads option", () => {
    const m = seedModelB();
    expect(() => predict(m, tensor([1, 28, 28, 1]), 0)).toThrow(/threads must be a positive integer or "auto"/);
  });
});
