import { input } from "../../../src/index.js";

export const x = input({ shape: [28], batchSize: 2.5 });
