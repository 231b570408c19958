/**
 * Preprocessing layers at the type level (runtime twin: `src/layers/preprocessing.ts`).
 */
import type { Shape } from "../shape.js";

/** Preprocessing methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far. */
export interface PreprocessingMethods<S extends Shape, P extends number> {}
