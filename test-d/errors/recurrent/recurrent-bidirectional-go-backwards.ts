// bidirectional makes the backward copy itself; the wrapped layer must read forwards.
import { input } from "../../../src/index.js";

export const x = input({ shape: [10, 8] })
  .bidirectional((t) => t.lstm({ units: 4, goBackwards: true }))
  .dense({ units: 2 });
