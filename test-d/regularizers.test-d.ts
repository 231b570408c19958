import { expectType } from "tsd";
import { input, regularizers } from "../src/index.js";
import type { Regularizer, RegularizerOption, SymbolicTensor } from "../src/index.js";

// A regulariser is plain data; the makers keep Keras 3's defaults.
expectType<{ readonly l2: number }>(regularizers.l2());
expectType<{ readonly l1: number }>(regularizers.l1(0.001));
expectType<{ readonly l1: number; readonly l2: number }>(regularizers.l1l2({ l2: 0.1 }));
const data: Regularizer = { l1: 0.01, l2: 0.01 };
const named: RegularizerOption = "l1_l2";

// Regularisers change no shape and no parameter count.
const i = input({ shape: [10, 8] });
expectType<SymbolicTensor<[null, 10, 4], 36, "10*8*4">>(
  i.dense({ units: 4, kernelRegularizer: regularizers.l2(1e-4), biasRegularizer: "l1", activityRegularizer: data }),
);
expectType<SymbolicTensor<[null, 8, 4], 100, "8*96">>(i.conv1d({ filters: 4, kernelSize: 3, kernelRegularizer: named, biasRegularizer: { l2: 0.1 } }));
expectType<SymbolicTensor<[null, 3], 144, "10*4*3*8+10*4*3*3">>(
  i.lstm({ units: 3, kernelRegularizer: "l2", recurrentRegularizer: "l1", biasRegularizer: "l1l2", activityRegularizer: "l2" }),
);
expectType<SymbolicTensor<[null, 10, 8], 32, "0">>(i.batchNormalization({ betaRegularizer: "l1", gammaRegularizer: regularizers.l2(0.1) }));
expectType<SymbolicTensor<[null, 10, 8], 16, "0">>(i.layerNormalization({ betaRegularizer: "l1", gammaRegularizer: "l2" }));
expectType<SymbolicTensor<[null, 8, 8], 96, "8*88">>(i.separableConv1d({ filters: 8, kernelSize: 3, depthwiseRegularizer: "l2", pointwiseRegularizer: "l1" }));
expectType<SymbolicTensor<[null, 10, 8, 4], 400, "0">>(input({ shape: [10, 8] }).embedding({ inputDim: 100, outputDim: 4, embeddingsRegularizer: "l2" }));

// A negative factor, an unknown name or a misspelt key is refused where it is written.
// @ts-expect-error refused where it is written
regularizers.l2(-0.1);
// @ts-expect-error refused where it is written
regularizers.l1l2({ l1: -1 });
// @ts-expect-error refused where it is written
i.dense({ units: 4, kernelRegularizer: "l3" });
// @ts-expect-error refused where it is written
i.dense({ units: 4, kernelRegularizer: { l2: 0.1, l3: 1 } });
// A regulariser a layer does not have in Keras is not an option.
// @ts-expect-error refused where it is written
i.dense({ units: 4, recurrentRegularizer: "l2" });
