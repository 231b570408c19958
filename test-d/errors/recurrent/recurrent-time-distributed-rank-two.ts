// timeDistributed needs a steps axis to distribute over; the receiver carries the error.
import { input } from "../../../src/index.js";

export const x = input({ shape: [16] })
  .timeDistributed((t) => t.dense({ units: 8 }))
  .flatten();
