/**
 * An Embedding feeding a recurrent layer, folded: the input projection of a
 * step is `table[token] * kernel + bias`, so it is row `token` of the table
 * projected once, `table * kernel + bias`. Each row of that projected table
 * is computed the first time a call reads its token (never more rows than
 * the layer would have projected itself) and kept until the table, the
 * kernel or the bias is written; after that a step's projection is a row
 * copy instead of a product over the embedding's width.
 */
import { productAt } from "./fast-dense.js";
import { cachedCopy, inPlaceWrites } from "./packed-weights.js";
import { addressIn, run, split, threadsFor } from "./run-scope.js";
import type { WasmKernels } from "./wasm.js";

/** Past this many bytes a projected table is not kept: the layer projects its input each call. */
export const MAX_PROJECTED_TABLE_BYTES = 64 * 2 ** 20;

/** The indices and table of each embedding lookup's output on the fast kernels, keyed by the output's data. */
const lookups = new WeakMap<Float32Array, { readonly idx: Float32Array; readonly table: Float32Array }>();

/**
 * Records that `output` holds the rows of `table` that `idx` names, so that
 * a recurrent layer reading it may use {@link projectedLookup}. The record
 * is a hint only: that function checks the rows before it trusts them.
 *
 * @example
 * ```ts
 * lookupMade(out.data, indices.data, table.data);
 * ```
 */
export function lookupMade(output: Float32Array, idx: Float32Array, table: Float32Array): void {
  lookups.set(output, { idx, table });
}

/** A table projected by one kernel and bias: the rows computed so far. */
interface ProjectedTable {
  /** table, kernel, and the bias array whose in-place writes count (a GRU's input bias is a slice of it). */
  readonly sources: readonly (Float32Array | null)[];
  writes: number[];
  readonly data: Float32Array;
  readonly ptr: number;
  /** 1 for each table row whose projection `data` holds. */
  readonly done: Uint8Array;
}

/** A projected table's block is freed with its view, which lives as long as the input kernel keyed to it. */
const release = new FinalizationRegistry<{ readonly k: WasmKernels; readonly ptr: number }>(({ k, ptr }) => k.free(ptr));

/** Projected tables, keyed by the recurrent kernel's input kernel. */
const projected = new WeakMap<Float32Array, ProjectedTable>();
let rowsProjected = 0;

/**
 * How many table rows {@link projectedLookup} has projected since the
 * process started: a test sees a row projected once, and again only after
 * its weights are written.
 *
 * @example
 * ```ts
 * const before = projectedTableRows();
 * m.predict(tokens);
 * projectedTableRows() - before; // the distinct tokens no call had read before
 * ```
 */
export function projectedTableRows(): number {
  return rowsProjected;
}

/**
 * What {@link projectedLookup} needs of the recurrent layer: its input (data
 * and address), the product's geometry, its input kernel and bias.
 *
 * @example
 * ```ts
 * const p: ProjectionInput = { input: x.data, at, rows: batch * steps, features, width, kernel, bias, biasSource: bias };
 * ```
 */
export interface ProjectionInput {
  readonly input: Float32Array;
  /** The input's address in WebAssembly memory. */
  readonly at: number;
  /** Rows of the input (`batch * steps`), `features` floats each. */
  readonly rows: number;
  readonly features: number;
  /** Columns of the projection (`gates * units`). */
  readonly width: number;
  readonly kernel: Float32Array;
  /** The input bias, or null. */
  readonly bias: Float32Array | null;
  /** The array an optimizer writes that holds `bias` (the bias itself, or a GRU's two biases). */
  readonly biasSource: Float32Array | null;
}

/**
 * Writes the input projections `[rows, width]` at `out` from the projected
 * table of the embedding lookup that made `p.input`, computing the rows of
 * tokens no call has read before, and returns true; returns false (writing
 * nothing) when the input is not, bit for bit, the rows of a lookup (or the
 * projected table would pass {@link MAX_PROJECTED_TABLE_BYTES}): the caller
 * then projects its input itself. The rows are the bits that projection
 * gives: each row of a product is summed alone, in the same order.
 *
 * @example
 * ```ts
 * if (!projectedLookup(k, { input: x.data, at, rows, features, width, kernel, bias, biasSource: bias }, xw)) {
 *   productAt(k, at, rows, features, width, kernel, bias, xw, 0);
 * }
 * ```
 */
export function projectedLookup(k: WasmKernels, p: ProjectionInput, out: number): boolean {
  const lookup = lookups.get(p.input);
  if (lookup === undefined || lookup.idx.length !== p.rows || p.features === 0 || lookup.table.length % p.features !== 0) return false;
  const tableRows = lookup.table.length / p.features;
  if (tableRows * p.width * 4 > MAX_PROJECTED_TABLE_BYTES) return false;
  const temps: number[] = [];
  const own: number[] = [];
  try {
    const table = cachedCopy(k, lookup.table, 0);
    const idx = addressIn(k, lookup.idx, temps);
    if (k.exports.rowsOfTable(idx, tableRows, table, p.features, p.at, 0, p.rows) === 0) return false;
    const proj = projectionOf(k, lookup.table, tableRows, p);
    if (proj === null) return false;
    // The tokens whose projection is not made yet, each once.
    const fresh: number[] = [];
    for (let i = 0; i < p.rows; i++) {
      const token = lookup.idx[i];
      if (proj.done[token] === 0) {
        proj.done[token] = 2;
        fresh.push(token);
      }
    }
    if (fresh.length > 0) {
      try {
        const m = fresh.length;
        const list = k.alloc(m * 4);
        const rowsIn = k.alloc(m * p.features * 4);
        const rowsOut = k.alloc(m * p.width * 4);
        own.push(list, rowsIn, rowsOut);
        k.view(list, m).set(fresh);
        run(k, [{ fn: "gatherRows", args: [list, table, p.features, rowsIn, 0, m] }]);
        productAt(k, rowsIn, m, p.features, p.width, p.kernel, p.bias, rowsOut, 0);
        const made = k.view(rowsOut, m * p.width);
        for (let j = 0; j < m; j++) proj.data.set(made.subarray(j * p.width, (j + 1) * p.width), fresh[j] * p.width);
        for (const token of fresh) proj.done[token] = 1;
        rowsProjected += m;
      } finally {
        for (const token of fresh) if (proj.done[token] === 2) proj.done[token] = 0;
      }
    }
    run(
      k,
      split(p.rows, threadsFor(p.rows * p.width), 1).map(([s0, s1]) => ({ fn: "gatherRows", args: [idx, proj.ptr, p.width, out, s0, s1] })),
    );
    return true;
  } finally {
    for (const t of own) k.free(t);
    for (const t of temps) k.free(t);
  }
}

/** The projected table of `table` by `p.kernel` and `p.bias`: kept, emptied when a source was written, or made. */
function projectionOf(k: WasmKernels, table: Float32Array, tableRows: number, p: ProjectionInput): ProjectedTable | null {
  const sources = [table, p.kernel, p.biasSource];
  const writes = sources.map((s) => (s === null ? 0 : inPlaceWrites(s)));
  const kept = projected.get(p.kernel);
  if (kept?.sources.every((s, i) => s === sources[i]) && kept.done.length === tableRows && kept.data.length === tableRows * p.width) {
    if (kept.writes.some((w, i) => w !== writes[i])) {
      kept.done.fill(0);
      kept.writes = writes;
    }
    return kept;
  }
  let ptr: number;
  try {
    ptr = k.alloc(tableRows * p.width * 4);
  } catch (e) {
    // Past the 4 GiB a wasm32 memory addresses: the layer projects its input itself.
    if (e instanceof RangeError) return null;
    throw e;
  }
  const data = k.view(ptr, tableRows * p.width);
  release.register(data, { k, ptr });
  const made: ProjectedTable = { sources, writes, data, ptr, done: new Uint8Array(tableRows) };
  projected.set(p.kernel, made);
  return made;
}
