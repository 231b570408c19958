import { expectType } from "tsd";
import { input } from "../src/index.js";
import type { SymbolicTensor } from "../src/index.js";

const seq = input({ shape: [100, 16] });
const image = input({ shape: [28, 28, 32] });
declare const n: number;

// All identity at inference: shape and total unchanged.
expectType<SymbolicTensor<[null, 100, 16], 0, "0">>(seq.spatialDropout1d({ rate: 0.2 }));
expectType<SymbolicTensor<[null, 100, 16], 0, "0">>(seq.spatialDropout1d({ rate: 0, seed: 42, name: "sd" }));
expectType<SymbolicTensor<[null, 28, 28, 32], 0, "0">>(image.spatialDropout2d({ rate: 0.5 }));
expectType<SymbolicTensor<[null, 28, 28, 32], 0, "0">>(image.spatialDropout2d({ rate: 0.5, dataFormat: "channelsFirst" }));
expectType<SymbolicTensor<[null, 100, 16], 0, "0">>(seq.gaussianNoise({ stddev: 0.1 }));
expectType<SymbolicTensor<[null, 100, 16], 0, "0">>(seq.gaussianNoise({ stddev: 1, seed: -3 }));
expectType<SymbolicTensor<[null, 100, 16], 0, "0">>(seq.gaussianNoise({ stddev: 0 }));
expectType<SymbolicTensor<[null, 100, 16], 0, "0">>(seq.activityRegularization());
expectType<SymbolicTensor<[null, 100, 16], 0, "0">>(seq.activityRegularization({ l1: 0.01, l2: 0 }));
expectType<SymbolicTensor<[null, 100, 8], 136, "100*16*8">>(
  seq.spatialDropout1d({ rate: 0.1 }).dense({ units: 8 }).gaussianNoise({ stddev: 0.5 }).activityRegularization({ l2: 1e-4 }),
);

// Unknown sizes stay null; non-literal options are accepted as they are.
expectType<SymbolicTensor<[null, null, 16], 0, "0">>(input({ shape: [null, 16] }).spatialDropout1d({ rate: n, seed: n }));
expectType<SymbolicTensor<[null, null, null, 3], 0, "0">>(input({ shape: [null, null, 3] }).spatialDropout2d({ rate: n }));
expectType<SymbolicTensor<[null, 100, 16], 0, "0">>(seq.gaussianNoise({ stddev: n }));
expectType<SymbolicTensor<[null, 100, 16], 0, "0">>(seq.activityRegularization({ l1: n, l2: n }));

// gaussianDropout and alphaDropout take dropout's rate and seed; spatialDropout3d a batch of volumes.
const volume = input({ shape: [8, 16, 16, 4] });
expectType<SymbolicTensor<[null, 100, 16], 0, "0">>(seq.gaussianDropout({ rate: 0.3 }));
expectType<SymbolicTensor<[null, 100, 16], 0, "0">>(seq.gaussianDropout({ rate: 0, seed: 7, name: "gd" }));
expectType<SymbolicTensor<[null, 100, 16], 0, "0">>(seq.alphaDropout({ rate: 0.1 }));
expectType<SymbolicTensor<[null, 100, 16], 0, "0">>(seq.alphaDropout({ rate: 0.999, seed: -1 }));
expectType<SymbolicTensor<[null, 8, 16, 16, 4], 0, "0">>(volume.spatialDropout3d({ rate: 0.2 }));
expectType<SymbolicTensor<[null, 8, 16, 16, 4], 0, "0">>(volume.spatialDropout3d({ rate: 0.2, dataFormat: "channelsFirst", seed: 1 }));
expectType<SymbolicTensor<[null, 8, 16, 16, 4], 40, "8*16*16*4*4+8*16*16*4*4">>(
  volume.spatialDropout3d({ rate: 0.5 }).dense({ units: 4 }).gaussianDropout({ rate: 0.2 }).alphaDropout({ rate: 0.1 }).dense({ units: 4 }),
);
expectType<SymbolicTensor<[null, null, null, null, 2], 0, "0">>(input({ shape: [null, null, null, 2] }).spatialDropout3d({ rate: n, seed: n }));
expectType<SymbolicTensor<[null, 100, 16], 0, "0">>(seq.gaussianDropout({ rate: n }).alphaDropout({ rate: n, seed: n }));
