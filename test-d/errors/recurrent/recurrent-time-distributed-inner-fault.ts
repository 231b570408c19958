// A fault of the wrapped layer is reported inside the callback, once.
import { input } from "../../../src/index.js";

export const x = input({ shape: [10, 16] })
  .timeDistributed((t) => t.dense({ units: 0 }))
  .flatten()
  .dense({ units: 2 });
