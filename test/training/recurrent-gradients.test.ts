/**
 * Back-propagation through time for SimpleRNN, LSTM and GRU, and the
 * wrappers bidirectional and timeDistributed, against TensorFlow.js's
 * gradients (cpu backend) of the same cells written step by step in TF.js
 * operations with the same weights, on generated sizes and options.
 */
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearSession, concatenate, input, model, optimizers } from "../../src/index.js";
import type { Model } from "../../src/index.js";
import type { ActivationName } from "../../src/kernels/activations.js";
import type { Tensor } from "../../src/kernels/tensor.js";
import type { Layer } from "../../src/layers/layer.js";
import type { SymbolicTensorImpl as SymbolicTensor } from "../../src/symbolic-tensor.js";
import { Dense } from "../../src/layers/core.js";
import { Conv2D } from "../../src/layers/convolutional.js";
import { BatchNormalization } from "../../src/layers/normalization.js";
import { Bidirectional, GRU, LSTM, SimpleRNN, TimeDistributed } from "../../src/layers/recurrent.js";
import type { MergeMode, Recurrent } from "../../src/layers/recurrent.js";
import { scaledDifference } from "../support/compare.js";
import { checkLayer, randomTensor, tfOf, worstLines } from "../support/gradient-check.js";
import type { Oracle } from "../support/gradient-check.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

afterAll(() => {
  console.log(`recurrent gradients against TF.js: largest scaled difference per group\n${worstLines()}\nTF.js tensors left: ${tf.memory().numTensors}`);
});

/** The Keras 3 activations the generated recurrent layers use, in TF.js operations. */
const TF_ACTIVATIONS: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  tanh: (x) => x.tanh(),
  sigmoid: (x) => x.sigmoid(),
  linear: (x) => x,
  // Keras 3: relu6(x + 3) / 6 (TF.js's hardSigmoid is another formula).
  hard_sigmoid: (x) => tf.clipByValue(x.add(3), 0, 6).div(6),
  softsign: (x) => x.div(x.abs().add(1)),
  elu: (x) => tf.elu(x),
};

interface CellOptions {
  kind: "simpleRNN" | "lstm" | "gru";
  units: number;
  activation: string;
  recurrentActivation: string;
  useBias: boolean;
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  resetAfter: boolean;
}

/** The cell run step by step in TF.js operations: the output, then the final states with `returnState`. */
function cellOracle(o: CellOptions): Oracle {
  const act = TF_ACTIVATIONS[o.activation];
  const ract = TF_ACTIVATIONS[o.recurrentActivation];
  const u = o.units;
  return ([x], [kernel, rec, bias]) => {
    const [n, steps, features] = x.shape;
    let h: tf.Tensor = tf.zeros([n, u]);
    let c: tf.Tensor = tf.zeros([n, u]);
    const cols = (t: tf.Tensor, from: number, count: number) => t.slice([0, from], [n, count]);
    const seq: tf.Tensor[] = [];
    for (let s = 0; s < steps; s++) {
      const t = o.goBackwards ? steps - 1 - s : s;
      const xt = x.slice([0, t, 0], [n, 1, features]).reshape([n, features]);
      let xw = xt.matMul(kernel);
      if (o.useBias) xw = xw.add(o.kind === "gru" && o.resetAfter ? bias.slice([0, 0], [1, 3 * u]).reshape([3 * u]) : bias);
      if (o.kind === "simpleRNN") h = act(xw.add(h.matMul(rec)));
      else if (o.kind === "lstm") {
        const zz = xw.add(h.matMul(rec));
        const i = ract(cols(zz, 0, u));
        const f = ract(cols(zz, u, u));
        const cc = act(cols(zz, 2 * u, u));
        const og = ract(cols(zz, 3 * u, u));
        c = f.mul(c).add(i.mul(cc));
        h = og.mul(act(c));
      } else if (o.resetAfter) {
        let hw = h.matMul(rec);
        if (o.useBias) hw = hw.add(bias.slice([1, 0], [1, 3 * u]).reshape([3 * u]));
        const z = ract(cols(xw, 0, u).add(cols(hw, 0, u)));
        const r = ract(cols(xw, u, u).add(cols(hw, u, u)));
        const hh = act(cols(xw, 2 * u, u).add(r.mul(cols(hw, 2 * u, u))));
        h = z.mul(h).add(tf.onesLike(z).sub(z).mul(hh));
      } else {
        const hz = h.matMul(rec.slice([0, 0], [u, 2 * u]));
        const z = ract(cols(xw, 0, u).add(cols(hz, 0, u)));
        const r = ract(cols(xw, u, u).add(cols(hz, u, u)));
        const hh = act(cols(xw, 2 * u, u).add(r.mul(h).matMul(rec.slice([0, 2 * u], [u, u]))));
        h = z.mul(h).add(tf.onesLike(z).sub(z).mul(hh));
      }
      seq.push(h);
    }
    const output = o.returnSequences ? tf.stack(seq, 1) : h;
    if (!o.returnState) return output;
    return o.kind === "lstm" ? [output, h, c] : [output, h];
  };
}

function makeCell(o: CellOptions): Recurrent {
  const config: Record<string, unknown> = {
    units: o.units,
    activation: o.activation,
    useBias: o.useBias,
    returnSequences: o.returnSequences,
    returnState: o.returnState,
    goBackwards: o.goBackwards,
  };
  if (o.kind !== "simpleRNN") config.recurrentActivation = o.recurrentActivation;
  if (o.kind === "gru") config.resetAfter = o.resetAfter;
  return o.kind === "simpleRNN" ? new SimpleRNN(config) : o.kind === "lstm" ? new LSTM(config) : new GRU(config);
}

const small = (min: number, max: number) => fc.integer({ min, max });
const seedArb = fc.integer({ min: 0, max: 1e6 });
const cellArb = fc.record({
  kind: fc.constantFrom("simpleRNN" as const, "lstm" as const, "gru" as const),
  units: small(1, 4),
  activation: fc.constantFrom("tanh", "tanh", "linear", "softsign", "elu"),
  recurrentActivation: fc.constantFrom("sigmoid", "sigmoid", "hard_sigmoid", "tanh", "linear"),
  useBias: fc.boolean(),
  returnSequences: fc.boolean(),
  returnState: fc.boolean(),
  goBackwards: fc.boolean(),
  resetAfter: fc.boolean(),
});

describe("recurrent layers: back-propagation through time", () => {
  it("simpleRNN, lstm and gru: every activation pair, bias or none, sequences, states, reading backwards, GRU's reset before or after", () => {
    fc.assert(
      fc.property(cellArb, small(1, 3), small(1, 5), small(1, 4), seedArb, (o, n, steps, features, seed) => {
        const group = `${o.kind}${o.kind === "gru" ? (o.resetAfter ? " resetAfter" : " resetBefore") : ""}`;
        checkLayer(group, makeCell(o), [[n, steps, features]], cellOracle(o), seed);
      }),
      { numRuns: 150, seed: 21 },
    );
  });

  it("a 40-step lstm and gru: the gradient reaches the first step", () => {
    for (const kind of ["lstm", "gru"] as const) {
      const o: CellOptions = {
        kind,
        units: 3,
        activation: "tanh",
        recurrentActivation: "sigmoid",
        useBias: true,
        returnSequences: false,
        returnState: false,
        goBackwards: false,
        resetAfter: true,
      };
      expect(checkLayer(`${kind} 40 steps`, makeCell(o), [[2, 40, 2]], cellOracle(o), 5)).toBeLessThan(1e-4);
    }
  });
});

describe("wrappers", () => {
  it("bidirectional in every merge mode, sequences or not", () => {
    fc.assert(
      fc.property(
        cellArb,
        fc.constantFrom<MergeMode>("concat", "sum", "mul", "ave", null),
        small(1, 3),
        small(1, 4),
        small(1, 3),
        seedArb,
        (o0, mergeMode, n, steps, features, seed) => {
          const o = { ...o0, returnState: false, goBackwards: false };
          const inner = makeCell(o);
          const layer = new Bidirectional(inner, mergeMode);
          const forward = cellOracle(o);
          const backward = cellOracle({ ...o, goBackwards: true });
          const oracle: Oracle = (xs, ws) => {
            const half = ws.length / 2;
            const y = forward(xs, ws.slice(0, half)) as tf.Tensor;
            let yRev = backward(xs, ws.slice(half)) as tf.Tensor;
            if (o.returnSequences) yRev = yRev.reverse(1);
            if (mergeMode === null) return [y, yRev];
            if (mergeMode === "concat") return tf.concat([y, yRev], -1);
            if (mergeMode === "sum") return y.add(yRev);
            if (mergeMode === "mul") return y.mul(yRev);
            return y.add(yRev).div(2);
          };
          checkLayer(`bidirectional ${mergeMode}`, layer, [[n, steps, features]], oracle, seed);
        },
      ),
      { numRuns: 60, seed: 22 },
    );
  });

  it("timeDistributed around dense, conv2d and a batch normalisation in training", () => {
    fc.assert(
      fc.property(small(1, 2), small(1, 3), small(2, 4), small(1, 3), small(1, 3), seedArb, (n, steps, size, ch, units, seed) => {
        const activation: ActivationName = (["linear", "relu", "tanh"] as const)[seed % 3];
        checkLayer(
          "timeDistributed dense",
          new TimeDistributed(new Dense({ units, activation })),
          [[n, steps, size, ch]],
          ([x], [k, b]) => {
            const y = x
              .reshape([n * steps * size, ch])
              .matMul(k)
              .add(b);
            const a = activation === "relu" ? y.relu() : activation === "tanh" ? y.tanh() : y;
            return a.reshape([n, steps, size, units]);
          },
          seed,
        );
        checkLayer(
          "timeDistributed conv2d",
          new TimeDistributed(new Conv2D({ filters: units, kernelSize: 2, padding: "same" })),
          [[n, steps, size, size, ch]],
          ([x], [k, b]) =>
            tf
              .conv2d(x.reshape([n * steps, size, size, ch]) as tf.Tensor4D, k as tf.Tensor4D, 1, "same")
              .add(b)
              .reshape([n, steps, size, size, units]),
          seed,
        );
        checkLayer(
          "timeDistributed batchNorm",
          new TimeDistributed(new BatchNormalization({})),
          [[n + 1, steps, size, ch]],
          ([x], [gamma, beta]) => {
            // Keras's TimeDistributed folds steps into the batch: the statistics are over batch, steps and positions.
            const { mean, variance } = tf.moments(x, [0, 1, 2], true);
            return x.sub(mean).div(variance.add(1e-3).sqrt()).mul(gamma).add(beta);
          },
          seed,
        );
      }),
      { numRuns: 30, seed: 23 },
    );
  });
});

describe("a recurrent layer's states in a model", () => {
  it("an lstm whose output and cell state both feed the head: one SGD step moves every weight by TF.js's gradient", () => {
    clearSession();
    const i = input({ shape: [3, 2] });
    const [out, , c] = i.lstm({ units: 3, returnState: true }) as unknown as [SymbolicTensor, SymbolicTensor, SymbolicTensor];
    const m = model({ inputs: i, outputs: concatenate([out, c]).dense({ units: 2 }), seed: 4 }) as unknown as Model;
    const x = randomTensor([4, 3, 2], 1);
    const y = randomTensor([4, 2], 2);
    const layers = (m as unknown as { layers: Layer[] }).layers;
    const [lstm, , dense] = layers.slice(1);
    const start = [...lstm.weights!, ...dense.weights!].map((w) => ({ shape: w.shape, data: w.data.slice() }));
    const compiled = m.compile({ optimizer: optimizers.sgd({ learningRate: 1 }), loss: "meanSquaredError" });
    (compiled as unknown as { trainOnBatch: (x: Tensor, y: Tensor) => unknown }).trainOnBatch(x, y);
    const end = [...lstm.weights!, ...dense.weights!];
    const oracle = cellOracle({
      kind: "lstm",
      units: 3,
      activation: "tanh",
      recurrentActivation: "sigmoid",
      useBias: true,
      returnSequences: false,
      returnState: true,
      goBackwards: false,
      resetAfter: true,
    });
    const grads = tf.tidy(() =>
      tf
        .grads((k: tf.Tensor, r: tf.Tensor, b: tf.Tensor, dk: tf.Tensor, db: tf.Tensor) => {
          const [o, , cell] = oracle([tfOf(x)], [k, r, b]) as tf.Tensor[];
          return tf.concat([o, cell], -1).matMul(dk).add(db).sub(tfOf(y)).square().mean();
        })(start.map(tfOf))
        .map((g) => g.dataSync() as Float32Array),
    );
    start.forEach((w, k) => {
      const moved = Float32Array.from(w.data, (v, j) => v - end[k].data[j]);
      expect(scaledDifference(moved, grads[k], `weight ${k}`)).toBeLessThan(1e-4);
    });
  });
});
