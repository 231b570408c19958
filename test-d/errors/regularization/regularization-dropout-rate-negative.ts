import { input } from "../../../src/index.js";

export const x = input({ shape: [10] })
  .dropout({ rate: -0.5 })
  .dense({ units: 2 });
