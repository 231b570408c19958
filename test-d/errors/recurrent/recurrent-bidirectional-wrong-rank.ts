// The wrapped layer sees the same input as the wrapper: rank 2 has no steps. One error, inside the callback.
import { input } from "../../../src/index.js";

export const x = input({ shape: [8] })
  .bidirectional((t) => t.lstm({ units: 4 }))
  .dense({ units: 2 });
