// A residual block that doubles the channels needs a projection shortcut.
import { input } from "../../../src/index.js";

export const y = input({ shape: [8, 8, 16] })
  .residual((b) => b.conv2d({ filters: 32, kernelSize: 3, padding: "same" }))
  .flatten();
