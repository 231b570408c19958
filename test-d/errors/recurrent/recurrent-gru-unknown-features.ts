// gru sizes its kernel from the feature count, which must be known.
import { input } from "../../../src/index.js";

export const x = input({ shape: [10, null] })
  .gru({ units: 4 })
  .dense({ units: 2 });
