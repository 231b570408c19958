// An embedding table needs at least one row.
import { input } from "../../../src/index.js";

export const x = input({ shape: [10] })
  .embedding({ inputDim: 0, outputDim: 64 })
  .lstm({ units: 8 });
