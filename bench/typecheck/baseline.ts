/**
 * Type-check benchmark fixture: the library alone (imports `src/index.ts`,
 * builds no model). Its counts are the fixed cost of checking `src/` and
 * `types/`, which every other fixture includes; run.mjs subtracts it to
 * give each model's own ("net") instantiations.
 */
import { input, model } from "../../src/index.js";

export { input, model };
