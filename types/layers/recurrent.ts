/**
 * Recurrent layers at the type level (runtime twin: `src/layers/recurrent.ts`).
 */
import type { Shape } from "../shape.js";

/** Recurrent methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far. */
export interface RecurrentMethods<S extends Shape, P extends number> {}
