import { input } from "../../../src/index.js";

export const x = input({ shape: [4] }).activityRegularization({ l1: 0, l2: -0.01 });
