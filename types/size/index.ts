/**
 * Symbolic sizes: a dimension named in `input({ shape })` (`"T"`, `"16*H"`)
 * and everything the layer rules compute from it, exactly, in canonical
 * text (`"8*H"`, `"floor(H/2)"`). Runtime twin: `src/size.ts`.
 *
 * @example
 * ```ts
 * import type { SizeDivFloor, SizeMultiply } from "./types/size/index.js";
 * type Down = SizeDivFloor<"16*H", 2>;  // "8*H"
 * type Up = SizeMultiply<Down, 2>;      // "16*H"
 * ```
 *
 * @packageDocumentation
 */
export type { Size, SizeAdd, SizeDivCeil, SizeDivFloor, SizeMultiply, SizeSubtract } from "./algebra.js";
export type { DifferText, SizeAgreement } from "./agreement.js";
export type { Form, FormOf, SizeOfForm, Term } from "./form.js";
export type { SizeAdmits } from "./admits.js";
