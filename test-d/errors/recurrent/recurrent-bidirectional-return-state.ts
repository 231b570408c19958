// bidirectional gives merged outputs; states of the wrapped layer are not passed on.
import { input } from "../../../src/index.js";

export const x = input({ shape: [10, 8] }).bidirectional((t) => t.gru({ units: 4, returnState: true }), { mergeMode: "sum" });
