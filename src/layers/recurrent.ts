/**
 * Recurrent layers at run time (type twin: `types/layers/recurrent.ts`).
 */
import type { SymbolicTensorImpl } from "../symbolic-tensor.js";

/** The recurrent methods of every symbolic tensor. */
export const recurrentMethods: Record<string, (this: SymbolicTensorImpl, ...args: never[]) => SymbolicTensorImpl> = {};
