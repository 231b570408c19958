import { input } from "../../../src/index.js";

export const x = input({ shape: [8, 8, 3] }).resizing({ height: 0, width: 4 });
