/**
 * The two libraries Keras files need, loaded on first use: `h5wasm` (the
 * HDF5 C library compiled to WebAssembly, about 4 MB) reads and writes the
 * weights, `fflate` reads and writes the `.keras` zip. Nothing imports them
 * at the top level, so a program (or a browser bundle) that never touches a
 * Keras file never loads them.
 */
import { fail } from "../../checks.js";

/** The parts of h5wasm shapewise uses. */
export type H5Wasm = typeof import("h5wasm");
/** The parts of fflate shapewise uses. */
export type Fflate = typeof import("fflate");

let h5: Promise<H5Wasm> | undefined;
let zip: Promise<Fflate> | undefined;

/**
 * h5wasm, ready, with HDF5's errors turned into exceptions (rather than
 * printed to the console) so every failure reaches the caller as a sentence.
 *
 * @example
 * const { File, FS } = await hdf5();
 */
export function hdf5(): Promise<H5Wasm> {
  h5 ??= import("h5wasm")
    .then(async (mod) => {
      const module = await mod.ready;
      module.activate_throwing_error_handler();
      return mod;
    })
    .catch((error: unknown) => {
      h5 = undefined;
      return fail(`shapewise: Keras files need the h5wasm package, which did not load (${(error as Error).message}); install it with npm install h5wasm`);
    });
  return h5;
}

/**
 * fflate, for the `.keras` zip.
 *
 * @example
 * const { unzipSync } = await zipLibrary();
 */
export function zipLibrary(): Promise<Fflate> {
  zip ??= import("fflate").catch((error: unknown) => {
    zip = undefined;
    return fail(`shapewise: .keras files need the fflate package, which did not load (${(error as Error).message}); install it with npm install fflate`);
  });
  return zip;
}
