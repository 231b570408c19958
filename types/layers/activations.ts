/**
 * Activations layers at the type level (runtime twin: `src/layers/activations.ts`).
 */
import type { Shape } from "../shape.js";

/** Activations methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far. */
export interface ActivationsMethods<S extends Shape, P extends number> {}
