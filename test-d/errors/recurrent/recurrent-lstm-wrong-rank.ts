// lstm reads [batch, steps, features]; a flat vector has no steps.
import { input } from "../../../src/index.js";

export const x = input({ shape: [8] })
  .lstm({ units: 4 })
  .dense({ units: 2 });
