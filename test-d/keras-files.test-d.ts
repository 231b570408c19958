import { expectType } from "tsd";
import { input, model } from "../src/node/index.js";
import type { KerasSaveResult, SaveResult } from "../src/node/index.js";

// save's result follows its path: a .keras literal writes one Keras file, another literal a TensorFlow.js directory.
const x = input({ shape: [4] });
const m = model({ inputs: x, outputs: x.dense({ units: 2 }) });
expectType<Promise<KerasSaveResult>>(m.save("model.keras"));
expectType<Promise<SaveResult>>(m.save("models/small"));
declare const somewhere: string;
expectType<Promise<SaveResult | KerasSaveResult>>(m.save(somewhere));
expectType<Promise<KerasSaveResult>>(m.saveWeights("model.weights.h5"));
expectType<Promise<void>>(m.loadWeights("model.weights.h5"));
