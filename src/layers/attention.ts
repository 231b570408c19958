/**
 * Attention layers at run time (type twin: `types/layers/attention.ts`).
 */
import type { SymbolicTensorImpl } from "../symbolic-tensor.js";

/** The attention methods of every symbolic tensor. */
export const attentionMethods: Record<string, (this: SymbolicTensorImpl, ...args: never[]) => SymbolicTensorImpl> = {};
