/**
 * What `compile` refuses and what it no longer refuses: every layer of the
 * catalog has a backward pass (bilinear resizing, the center crop of an
 * image smaller than the crop and models applied as layers included), and
 * a layer without one is named with its sentence, inside a nested model
 * too.
 */
import { describe, expect, it } from "vitest";
import { clearSession, input, model, optimizers, tensor } from "../../src/node/index.js";
import type { Model, Tensor } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import { Layer } from "../../src/layers/layer.js";
import { layerNames } from "../../src/naming.js";
import type { Shape } from "../../src/shape.js";
import { randomTensor } from "../support/layer-harness.js";

const compileOf = (m: unknown) => () => (m as Model).compile({ optimizer: optimizers.sgd(), loss: "meanSquaredError" });

/** A layer with a forward pass and no backward pass: what compile must refuse. */
class Doubling extends Layer {
  readonly className = "Doubling";
  constructor() {
    super(layerNames("Doubling", "doubling"));
  }
  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }
  call(x: Tensor): Tensor {
    return { shape: x.shape, data: x.data.map((v) => 2 * v) } as Tensor;
  }
}

describe("layers without a backward pass", () => {
  it("a layer without a backward pass is refused by name, inside a nested model too", () => {
    clearSession();
    const a = input({ shape: [3], name: "inner_in" });
    const doubled = (a as unknown as { applyLayer: (l: Layer) => unknown }).applyLayer(new Doubling()) as ReturnType<typeof input>;
    const inner = model({ inputs: a, outputs: doubled, name: "inner" });
    expect(compileOf(inner)).toThrow("shapewise: compile cannot train this model: 'doubling' (Doubling): its backward pass is not written yet");
    const b = input({ shape: [3] });
    const outer = model({
      inputs: b,
      outputs: (inner as unknown as { apply: (t: unknown) => { dense: (c: unknown) => unknown } }).apply(b).dense({ units: 1 }) as never,
    });
    expect(compileOf(outer)).toThrow(
      "shapewise: compile cannot train this model: 'inner' (Functional): layers inside it do not train: 'doubling' (Doubling): its backward pass is not written yet",
    );
  });

  it("bilinear resizing (with cropToAspectRatio too) and a center crop larger than the image train: the layers before them move", async () => {
    /** Tensors as this test chains them: its sizes are checked at run time. */
    interface Loose {
      resizing(c: object): Loose;
      centerCrop(c: object): Loose;
      conv2d(c: object): Loose;
      flatten(): Loose;
      dense(c: object): Loose;
    }
    for (const resize of [
      (t: Loose) => t.resizing({ height: 6, width: 6, interpolation: "bilinear" }),
      (t: Loose) => t.resizing({ height: 3, width: 5, interpolation: "bilinear", cropToAspectRatio: true }),
      (t: Loose) => t.centerCrop({ height: 6, width: 3 }),
    ]) {
      clearSession();
      const i = input({ shape: [4, 4, 1] });
      const m = model({
        inputs: i,
        outputs: resize((i as unknown as Loose).conv2d({ filters: 2, kernelSize: 1 }))
          .flatten()
          .dense({ units: 2 }) as never,
        seed: 1,
      }) as unknown as Model;
      const before = (m.getWeights() as unknown as Tensor[]).map((w) => w.data.slice());
      const c = m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: "meanSquaredError" });
      const x = randomTensor([4, 4, 4, 1], createRandom(2), -1, 1);
      const y = tensor([4, 2], randomTensor([4, 2], createRandom(3), -1, 1).data);
      c.trainOnBatch(x as never, y as never);
      const after = m.getWeights() as unknown as Tensor[];
      expect(Array.from(after[0].data)).not.toEqual(Array.from(before[0]));
    }
  });
});
