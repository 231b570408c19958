/**
 * Activations layers at run time (type twin: `types/layers/activations.ts`).
 */
import type { SymbolicTensorImpl } from "../symbolic-tensor.js";

/** The activations methods of every symbolic tensor. */
export const activationsMethods: Record<string, (this: SymbolicTensorImpl, ...args: never[]) => SymbolicTensorImpl> = {};
