import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ShapeError } from "../../src/errors.js";
import { adagrad, adam, adamw, optimizers, resolveOptimizer, rmsprop, sgd } from "../../src/training/optimizers.js";
import type { Optimizer } from "../../src/training/optimizers.js";
import { cosineDecay, exponentialDecay } from "../../src/training/schedules.js";

/**
 * Keras 3 (JAX) took two steps of each optimizer on Input(6) -> Dense(5, tanh)
 * -> Dense(3) with mean squared error. The gradients here come from central
 * differences of that model's loss in float64, an oracle independent of any
 * backward pass, so the test checks the update rules alone.
 */
interface Case {
  optimizer: string;
  config: Record<string, number | boolean | null | string>;
  x: number[][];
  y: number[][];
  weightsBefore: [number[][], number[], number[][], number[]];
  lossStep1: number;
  lossStep2: number;
  weightsAfter2: [number[][], number[], number[][], number[]];
}
const reference = JSON.parse(readFileSync(new URL("../fixtures/training/keras3-optimizer-steps.json", import.meta.url), "utf8")) as { cases: Case[] };

function flat(ws: Case["weightsBefore"]): Float64Array[] {
  return ws.map((w) => Float64Array.from((w as (number | number[])[]).flat()));
}

function loss(ws: Float64Array[], x: number[][], y: number[][]): number {
  const [w1, b1, w2, b2] = ws;
  let total = 0;
  for (let n = 0; n < x.length; n++) {
    const h = new Float64Array(5);
    for (let j = 0; j < 5; j++) {
      let s = b1[j];
      for (let i = 0; i < 6; i++) s += x[n][i] * w1[i * 5 + j];
      h[j] = Math.tanh(s);
    }
    for (let k = 0; k < 3; k++) {
      let s = b2[k];
      for (let j = 0; j < 5; j++) s += h[j] * w2[j * 3 + k];
      total += (y[n][k] - s) ** 2;
    }
  }
  return total / (x.length * 3);
}

function numericGradients(ws: Float64Array[], x: number[][], y: number[][]): Float32Array[] {
  const h = 1e-6;
  return ws.map((w) => {
    const g = new Float32Array(w.length);
    for (let i = 0; i < w.length; i++) {
      const keep = w[i];
      w[i] = keep + h;
      const up = loss(ws, x, y);
      w[i] = keep - h;
      const down = loss(ws, x, y);
      w[i] = keep;
      g[i] = (up - down) / (2 * h);
    }
    return g;
  });
}

function make(c: Case): Optimizer {
  const k = c.config;
  const lr = k.learning_rate as number;
  switch (c.optimizer) {
    case "sgd":
      return sgd({ learningRate: lr });
    case "sgd_momentum_nesterov":
      return sgd({ learningRate: lr, momentum: k.momentum as number, nesterov: k.nesterov as boolean });
    case "adam":
      return adam({ learningRate: lr });
    case "adamw":
      return adamw({ learningRate: lr, weightDecay: k.weight_decay as number });
    case "rmsprop":
      return rmsprop({ learningRate: lr });
    case "adagrad":
      return adagrad({ learningRate: lr });
    default:
      throw new Error(`no case for ${c.optimizer}`);
  }
}

describe("optimizers against Keras 3", () => {
  for (const c of reference.cases) {
    it(`${c.optimizer}: two steps give Keras's weights and losses`, () => {
      const opt = make(c);
      const weights = flat(c.weightsBefore).map((w) => Float32Array.from(w));
      const before = weights.map((w) => w.slice());
      const losses: number[] = [];
      for (let step = 0; step < 2; step++) {
        const ws64 = weights.map((w) => Float64Array.from(w));
        losses.push(loss(ws64, c.x, c.y));
        opt.applyGradients(weights, numericGradients(ws64, c.x, c.y));
      }
      expect(losses[0]).toBeCloseTo(c.lossStep1, 6);
      expect(losses[1]).toBeCloseTo(c.lossStep2, 6);
      expect(opt.iterations).toBe(2);
      const expected = flat(c.weightsAfter2);
      let worst = 0;
      weights.forEach((w, i) => {
        for (let j = 0; j < w.length; j++) {
          const moved = expected[i][j] - before[i][j];
          const ours = w[j] - before[i][j];
          worst = Math.max(worst, Math.abs(ours - moved) / (Math.abs(moved) + 1e-4));
        }
      });
      // The change of every weight over two steps agrees with Keras's to 1e-3 of its size.
      expect(worst).toBeLessThan(1e-3);
    });
  }
});

describe("update rules in closed form", () => {
  it("sgd without momentum is w - lr g", () => {
    const w = Float32Array.of(1, -2);
    sgd({ learningRate: 0.5 }).applyGradients([w], [Float32Array.of(2, 4)]);
    expect([...w]).toEqual([0, -4]);
  });
  it("adam's first step moves every weight by about lr against its gradient's sign", () => {
    const w = Float32Array.of(0, 0, 0);
    adam({ learningRate: 0.01 }).applyGradients([w], [Float32Array.of(3, -0.2, 1e-3)]);
    expect(w[0]).toBeCloseTo(-0.01, 6);
    expect(w[1]).toBeCloseTo(0.01, 6);
    const root = Math.sqrt(0.001) * 1e-3; // sqrt of the bias-corrected second moment
    expect(w[2]).toBeCloseTo(-0.01 * (root / (root + 1e-7)), 6);
  });
  it("clipnorm scales each gradient to the norm, globalClipnorm all together, clipvalue element-wise", () => {
    const a = Float32Array.of(0, 0);
    sgd({ learningRate: 1, clipnorm: 1 }).applyGradients([a], [Float32Array.of(3, 4)]);
    expect([...a].map((v) => +v.toFixed(6))).toEqual([-0.6, -0.8]);
    const b = [Float32Array.of(0), Float32Array.of(0)];
    sgd({ learningRate: 1, globalClipnorm: 1 }).applyGradients(b, [Float32Array.of(3), Float32Array.of(4)]);
    expect(b.map((v) => +v[0].toFixed(6))).toEqual([-0.6, -0.8]);
    const c = Float32Array.of(0, 0);
    sgd({ learningRate: 1, clipvalue: 0.5 }).applyGradients([c], [Float32Array.of(3, -0.25)]);
    expect([...c]).toEqual([-0.5, 0.25]);
  });
  it("weight decay shrinks the weight before the update, by weightDecay * learningRate", () => {
    const w = Float32Array.of(10);
    sgd({ learningRate: 0.1, weightDecay: 0.5 }).applyGradients([w], [Float32Array.of(0)]);
    expect(w[0]).toBeCloseTo(9.5, 6);
  });
  it("a schedule sets the learning rate by the step, and cannot be overwritten", () => {
    const opt = sgd({ learningRate: exponentialDecay({ initialLearningRate: 1, decaySteps: 1, decayRate: 0.5 }) });
    const w = Float32Array.of(0);
    opt.applyGradients([w], [Float32Array.of(1)]); // lr 1
    opt.applyGradients([w], [Float32Array.of(1)]); // lr 0.5
    expect(w[0]).toBeCloseTo(-1.5, 6);
    expect(opt.learningRate).toBeCloseTo(0.25, 9);
    expect(() => {
      opt.learningRate = 0.1;
    }).toThrow("shapewise: sgd learningRate is a schedule and cannot be set, got 0.1");
  });
  it("cosine decay follows Keras's formula, with warm-up", () => {
    const s = cosineDecay({ initialLearningRate: 1, decaySteps: 100, alpha: 0.1 });
    expect(s.at(0)).toBeCloseTo(1, 9);
    expect(s.at(50)).toBeCloseTo(0.55, 9);
    expect(s.at(100)).toBeCloseTo(0.1, 9);
    expect(s.at(1000)).toBeCloseTo(0.1, 9);
    const w = cosineDecay({ initialLearningRate: 0, decaySteps: 10, warmupTarget: 1, warmupSteps: 10 });
    expect(w.at(5)).toBeCloseTo(0.5, 9);
    expect(w.at(10)).toBeCloseTo(1, 9);
    expect(w.at(15)).toBeCloseTo(0.5, 9);
    expect(w.at(25)).toBeCloseTo(0, 9);
  });
});

describe("bad optimizer input", () => {
  const cases: [string, () => unknown, string][] = [
    [
      "unknown option",
      () => adam({ lr: 0.1 } as never),
      "shapewise: adam has no option 'lr' (options: learningRate, weightDecay, clipnorm, clipvalue, globalClipnorm, beta1, beta2, epsilon, amsgrad)",
    ],
    ["negative learning rate", () => sgd({ learningRate: -1 }), "shapewise: sgd learningRate must be a positive finite number, got -1"],
    ["NaN learning rate", () => rmsprop({ learningRate: Number.NaN }), "shapewise: rmsprop learningRate must be a positive finite number, got NaN"],
    [
      "two clips",
      () => sgd({ clipnorm: 1, clipvalue: 1 }),
      "shapewise: sgd takes at most one of clipnorm, clipvalue and globalClipnorm, got clipnorm and clipvalue",
    ],
    ["momentum above 1", () => sgd({ momentum: 1.5 }), "shapewise: sgd momentum must be at least 0 and at most 1, got 1.5"],
    ["beta1 of 1", () => adam({ beta1: 1 }), "shapewise: adam beta1 must be at least 0 and below 1, got 1"],
    [
      "unknown name",
      () => resolveOptimizer("adamax"),
      "shapewise: compile optimizer must be one of 'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad' or an optimizer, got 'adamax'",
    ],
    [
      "prototype name",
      () => resolveOptimizer("constructor"),
      "shapewise: compile optimizer must be one of 'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad' or an optimizer, got 'constructor'",
    ],
  ];
  for (const [what, call, sentence] of cases) {
    it(what, () => {
      expect(call).toThrow(ShapeError);
      expect(call).toThrow(sentence);
    });
  }
  it("a gradient list that does not match the weights", () => {
    const opt = adam();
    expect(() => opt.applyGradients([new Float32Array(3)], [new Float32Array(2)])).toThrow("shapewise: adam gradient 0 has 2 values for a weight of 3");
    opt.applyGradients([new Float32Array(3)], [new Float32Array(3)]);
    expect(() => opt.applyGradients([new Float32Array(4)], [new Float32Array(4)])).toThrow(
      "shapewise: adam was built for 1 weights of sizes [3] and cannot update others",
    );
  });
  it("names resolve to optimizers with Keras's defaults", () => {
    expect(resolveOptimizer("adam").learningRate).toBe(0.001);
    expect(resolveOptimizer("sgd").learningRate).toBe(0.01);
    expect(Object.keys(optimizers)).toEqual(["sgd", "adam", "adamw", "rmsprop", "adagrad"]);
  });
});
