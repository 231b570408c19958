/**
 * Attention layers at the type level (runtime twin: `src/layers/attention.ts`).
 */
import type { Shape } from "../shape.js";

/** Attention methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far. */
export interface AttentionMethods<S extends Shape, P extends number> {}
