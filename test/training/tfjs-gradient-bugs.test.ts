/**
 * The TensorFlow.js 4.22 gradient bugs for which the generated gradient
 * proofs (`test/training/generated-*-gradients.test.ts`) leave models out,
 * each by the named reason of `test/support/generated-gradients.ts`. Every
 * test here asserts the bug as it stands, so that it fails when TensorFlow.js
 * changes and the rule can go; where the numbers are wrong, ours are checked
 * against the exact answer in the same test.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { AveragePooling2D } from "../../src/layers/pooling.js";
import { UpSampling2D } from "../../src/layers/reshaping.js";
import { TFJS_GRADIENT_BUGS } from "../support/generated-gradients.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** The error a TF.js gradient throws, as text ("" when none). */
function thrown(f: () => unknown): string {
  try {
    tf.tidy(() => {
      f();
    });
    return "";
  } catch (error) {
    return String(error);
  }
}

const largest = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

describe("TensorFlow.js gradient bugs the generated proofs leave out", () => {
  it(TFJS_GRADIENT_BUGS.upSampling, () => {
    const [batch, height, width, channels] = [2, 3, 4, 1];
    const x = tf.tensor(
      Array.from({ length: batch * height * width * channels }, (_, i) => i),
      [batch, height, width, channels],
    );
    const dy = Float32Array.from({ length: batch * 2 * height * width * channels }, (_, i) => Math.sin(i));
    // The gradient of nearest up-sampling by [2, 1]: each input value gets the sum of the two outputs it was copied to.
    const blockSum = new Float32Array(x.size);
    for (let b = 0; b < batch; b++)
      for (let h = 0; h < 2 * height; h++)
        for (let w = 0; w < width; w++) blockSum[(b * height + Math.floor(h / 2)) * width + w] += dy[(b * 2 * height + h) * width + w];
    const theirs = tf.tidy(() =>
      tf
        .grad((a: tf.Tensor) =>
          tf.sum(tf.mul(tf.layers.upSampling2d({ size: [2, 1] }).apply(a) as tf.Tensor, tf.tensor(dy, [batch, 2 * height, width, channels]))),
        )(x)
        .dataSync(),
    );
    const layer = new UpSampling2D({ size: [2, 1] });
    layer.apply([null, height, width, channels]);
    const [dx] = layer.gradients({ shape: [batch, 2 * height, width, channels], data: dy }, [
      { shape: [batch, height, width, channels], data: x.dataSync() as Float32Array },
    ]).inputs;
    const ours = dx?.data ?? expect.fail("upSampling2d gave no input gradient");
    x.dispose();
    expect(largest(blockSum, ours)).toBeLessThan(1e-6);
    expect(largest(blockSum, theirs)).toBeGreaterThan(0.1);
  });

  it(TFJS_GRADIENT_BUGS.averagePoolSame, () => {
    // Average pooling is linear: the exact gradient of sum(dy * pool(x)) at x_i is sum(dy * pool(e_i)), read off TF.js's own forward pass.
    const shape = [1, 3, 3, 1];
    const size = 9;
    const config = { poolSize: 2, strides: 2, padding: "same" as const };
    const dyShape = [1, 2, 2, 1];
    const dy = Float32Array.from({ length: 4 }, (_, i) => 1 + i);
    const exact = Float32Array.from({ length: size }, (_, i) =>
      tf.tidy(() => {
        const e = tf.oneHot([i], size).toFloat().reshape(shape);
        return tf.sum(tf.mul(tf.layers.averagePooling2d(config).apply(e) as tf.Tensor, tf.tensor(dy, dyShape))).dataSync()[0];
      }),
    );
    const x = Float32Array.from({ length: size }, (_, i) => Math.cos(i));
    const theirs = tf.tidy(() =>
      tf
        .grad((a: tf.Tensor) => tf.sum(tf.mul(tf.layers.averagePooling2d(config).apply(a) as tf.Tensor, tf.tensor(dy, dyShape))))(tf.tensor(x, shape))
        .dataSync(),
    );
    const layer = new AveragePooling2D(config);
    layer.apply([null, 3, 3, 1]);
    const [dx] = layer.gradients({ shape: dyShape, data: dy }, [{ shape, data: x }]).inputs;
    const ours = dx?.data ?? expect.fail("averagePooling2d gave no input gradient");
    expect(largest(exact, ours)).toBeLessThan(1e-6);
    // The corner window holds one value: TF.js's forward divides it by 1, its gradient by 4.
    expect(exact[8]).toBeCloseTo(4, 6);
    expect(theirs[8]).toBeCloseTo(1, 6);
  });

  it(TFJS_GRADIENT_BUGS.normalizationWithoutGammaOrBeta, () => {
    const x = tf.variable(tf.randomNormal([3, 4], 0, 1, "float32", 1));
    for (const make of [
      () => tf.layers.batchNormalization({ center: false }),
      () => tf.layers.batchNormalization({ scale: false }),
      () => tf.layers.layerNormalization({ center: false }),
      () => tf.layers.layerNormalization({ scale: false }),
    ]) {
      const layer = make();
      const error = thrown(() => tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, [x]));
      expect(error, layer.getClassName()).toMatch(/TypeError: Cannot read properties of undefined/);
      layer.dispose();
    }
    x.dispose();
  });

  /** The error `tf.variableGrads` throws for the trainable weights of a one-layer-after-dense model, as text ("" when none). */
  function gradientError(layer: tf.layers.Layer, inputShape: number[]): string {
    const m = tf.sequential({ layers: [tf.layers.dense({ units: inputShape[inputShape.length - 1], inputShape }), layer] });
    const x = tf.randomNormal([2, ...inputShape], 0, 1, "float32", 4);
    const error = thrown(() =>
      tf.variableGrads(
        () => tf.sum(tf.square(m.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
        m.trainableWeights.map((w) => w.read() as tf.Variable),
      ),
    );
    x.dispose();
    m.dispose();
    return error;
  }

  it(TFJS_GRADIENT_BUGS.recurrentInputGradient, () => {
    for (const make of [
      () => tf.layers.simpleRNN({ units: 2 }),
      () => tf.layers.lstm({ units: 2 }),
      () => tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }) }),
    ]) {
      expect(gradientError(make(), [1, 2])).toMatch(/Argument tensors passed to stack must be/);
      // Two steps or more work.
      expect(gradientError(make(), [2, 2])).toBe("");
    }
  });

  it(TFJS_GRADIENT_BUGS.dilatedConvolution, () => {
    expect(gradientError(tf.layers.conv2d({ filters: 2, kernelSize: 2, dilationRate: 2 }), [5, 5, 2])).toMatch(
      /gradient of fused conv2D: dilation rates greater than 1 are not yet supported/,
    );
    expect(gradientError(tf.layers.separableConv2d({ filters: 2, kernelSize: [3, 2], dilationRate: 2 }), [6, 4, 2])).toMatch(
      /gradient of depthwiseConv2dNative: dilation rates greater than 1 are not yet supported/,
    );
    expect(gradientError(tf.layers.conv3d({ filters: 2, kernelSize: 2, dilationRate: 2 }), [4, 4, 4, 1])).toMatch(
      /gradient of conv3D: dilation rates greater than 1 are not yet supported/,
    );
  });

  it(TFJS_GRADIENT_BUGS.transposed3d, () => {
    expect(gradientError(tf.layers.conv3dTranspose({ filters: 2, kernelSize: 2 }), [4, 4, 4, 1])).toMatch(
      /gradient function not found for Conv3DBackpropInputV2/,
    );
  });

  it(TFJS_GRADIENT_BUGS.broadcastMinMax, () => {
    const a = tf.tensor([1, 5, 2, 0, 3, 7], [2, 3]);
    const b = tf.tensor([2, 4], [2, 1]);
    for (const op of [tf.maximum, tf.minimum]) {
      expect(thrown(() => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(op(p, q)))([a, b]))).toMatch(/The gradient of input 'b' has shape '2,3'/);
    }
    a.dispose();
    b.dispose();
  });

  it(TFJS_GRADIENT_BUGS.batchNormalizationRank5, () => {
    expect(gradientError(tf.layers.batchNormalization({}), [2, 2, 2, 2])).toMatch(/batchNormalization is not implemented for array of rank 5/);
  });
});
