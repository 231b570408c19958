/**
 * Normalization layers at the type level (runtime twin: `src/layers/normalization.ts`).
 */
import type { Shape } from "../shape.js";

/** Normalization methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far. */
export interface NormalizationMethods<S extends Shape, P extends number> {}
