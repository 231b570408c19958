/**
 * Preprocessing layers at run time (type twin: `types/layers/preprocessing.ts`).
 */
import type { SymbolicTensorImpl } from "../symbolic-tensor.js";

/** The preprocessing methods of every symbolic tensor. */
export const preprocessingMethods: Record<string, (this: SymbolicTensorImpl, ...args: never[]) => SymbolicTensorImpl> = {};
