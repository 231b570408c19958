/**
 * Normalization layers at run time (type twin: `types/layers/normalization.ts`).
 */
import type { SymbolicTensorImpl } from "../symbolic-tensor.js";

/** The normalization methods of every symbolic tensor. */
export const normalizationMethods: Record<string, (this: SymbolicTensorImpl, ...args: never[]) => SymbolicTensorImpl> = {};
