/**
 * Weights as the WebAssembly kernels read them, made once per weight array
 * and freed with it: matrices packed in panels, Winograd transforms of 3x3
 * kernels, plain copies (depthwise kernels, biases, embedding tables). A
 * training step that writes weights in place says so with
 * {@link weightsWritten}, and the copies are made again where they lie.
 */
import { fast } from "./backend.js";
import { foldSourcesWritten } from "./fold.js";
import type { WasmKernels } from "./wasm.js";

interface Packed {
  /** The caches' generation it was made in: of an older one, its blocks are freed and it is gone. */
  readonly generation: number;
  /** The packed matrix, 0 until a kernel needs it (the Winograd path never does). */
  ptr: number;
  /** The weights were written in place since they were packed: pack again, into the same block. */
  stale: boolean;
  readonly biasPtr: number;
  bias: Float32Array | null;
}

/** Packed copies, keyed by the weight array they were made from. */
const packedWeights = new WeakMap<Float32Array, Packed>();
/** The packed copy each bias array was copied into, so an in-place bias update is seen. */
const packedByBias = new WeakMap<Float32Array, Packed>();
/** Winograd transforms whose kernel was written in place since, per output tile size. */
const staleWinograd = { 2: new WeakSet<Float32Array>(), 4: new WeakSet<Float32Array>() };

/** A block a cache holds, with the generation it was made in. */
interface CachedBlock {
  readonly ptr: number;
  readonly generation: number;
}

/** Weight arrays copied as they are into WebAssembly memory (depthwise kernels and biases), keyed by the array. */
const copiedWeights = new WeakMap<Float32Array, CachedBlock>();
/** Copies whose array was written in place since. */
const staleCopies = new WeakSet<Float32Array>();

/** Rearranged copies of a weight array (a group's columns, a transposed kernel), keyed by the array, then by what they are. */
const derivedCopies = new WeakMap<Float32Array, Map<string, Float32Array>>();

/** Sub-arrays of a bias, kept per array so that their packed copies are made once. */
const biasSlices = new WeakMap<Float32Array, Map<number, Float32Array>>();

/**
 * Says that weight arrays were written in place (an optimizer step does):
 * their packed copies are made again, in the blocks they already hold, the
 * next time a kernel reads them. Arrays never packed are ignored.
 *
 * @example
 * ```ts
 * optimizer.applyGradients(weights, grads);
 * weightsWritten(weights);
 * ```
 */
export function weightsWritten(arrays: readonly Float32Array[]): void {
  foldSourcesWritten(arrays);
  for (const a of arrays) {
    writes.set(a, (writes.get(a) ?? 0) + 1);
    const p = packedWeights.get(a);
    if (p !== undefined) p.stale = true;
    const owner = packedByBias.get(a);
    if (owner !== undefined) owner.bias = null;
    if (winogradWeights[2].has(a)) staleWinograd[2].add(a);
    if (winogradWeights[4].has(a)) staleWinograd[4].add(a);
    if (copiedWeights.has(a)) staleCopies.add(a);
    // New copies are new arrays: their packed forms are made again and the old ones freed with them.
    derivedCopies.delete(a);
    // A GRU's two biases are packed from slices of its one bias array.
    for (const slice of biasSlices.get(a)?.values() ?? []) {
      const sliceOwner = packedByBias.get(slice);
      if (sliceOwner !== undefined) sliceOwner.bias = null;
    }
  }
}
/** How many times each weight array was said to be written in place. */
const writes = new WeakMap<Float32Array, number>();

/**
 * How many times {@link weightsWritten} named this array: a copy made
 * elsewhere from the weights (an onnxruntime session) is stale once the
 * count moves.
 *
 * @example
 * ```ts
 * const before = inPlaceWrites(kernel);
 * await compiled.trainOnBatch(x, y);
 * inPlaceWrites(kernel) > before; // true
 * ```
 */
export function inPlaceWrites(array: Float32Array): number {
  return writes.get(array) ?? 0;
}

/**
 * The garbage collector learns nothing of WebAssembly memory, so a loop that
 * builds model after model would fill all 4 GiB before it ran: the caches
 * are let go between runs once they hold more than their budget (a model
 * still in use packs again), and weights are drawn into that memory only up
 * to theirs (past it they are plain arrays, which the collector sees).
 */
const budgets = { caches: 2 ** 30, weights: 2 ** 30 };

/**
 * Sets the bytes of WebAssembly memory the weight caches may keep between
 * runs and the bytes of weights drawn into it (1 GiB each by default),
 * and returns the previous budgets; a test sets small ones to see the
 * caches let go.
 *
 * @example
 * ```ts
 * const before = weightBudgets({ caches: 64 * 2 ** 20 });
 * weightBudgets(before);
 * ```
 */
export function weightBudgets(next: { readonly caches?: number; readonly weights?: number } = {}): { readonly caches: number; readonly weights: number } {
  const previous = { ...budgets };
  if (next.caches !== undefined) budgets.caches = next.caches;
  if (next.weights !== undefined) budgets.weights = next.weights;
  return previous;
}

/** The caches' blocks of the current generation, by address. */
const cacheBlocks = new Map<number, { readonly k: WasmKernels; readonly bytes: number }>();
let cacheBytes = 0;
/** Bumped each time the caches are let go: what an older generation made is freed. */
let generation = 0;
/** Bytes of weights drawn into WebAssembly memory and not yet freed. */
let residentBytes = 0;

function cacheAlloc(k: WasmKernels, bytes: number): number {
  const ptr = k.alloc(bytes);
  cacheBlocks.set(ptr, { k, bytes });
  cacheBytes += bytes;
  return ptr;
}

function cacheFree(ptr: number): void {
  const block = cacheBlocks.get(ptr);
  if (block === undefined) return;
  cacheBlocks.delete(ptr);
  cacheBytes -= block.bytes;
  block.k.free(ptr);
}

/**
 * Frees every cached copy when the caches hold more than their budget; only
 * between runs (no kernel holds an address then), which is when
 * `beginRun` calls it.
 *
 * @example
 * ```ts
 * if (current === null) releaseCachesOverBudget();
 * ```
 */
export function releaseCachesOverBudget(): void {
  if (cacheBytes <= budgets.caches) return;
  for (const ptr of [...cacheBlocks.keys()]) cacheFree(ptr);
  generation++;
}

const unpack = new FinalizationRegistry<{ ptrs: number[]; generation: number }>(({ ptrs, generation: made }) => {
  // A block of an older generation was freed when the caches were let go, and may belong to another copy now.
  if (made !== generation) return;
  for (const p of ptrs) cacheFree(p);
});

const unresident = new FinalizationRegistry<{ k: WasmKernels; ptr: number; bytes: number }>(({ k, ptr, bytes }) => {
  residentBytes -= bytes;
  k.free(ptr);
});

/**
 * Floats of weights copied into WebAssembly memory at a time while packing:
 * 4 MiB, so a large matrix needs no second whole copy there, and a block
 * holds enough rows that each panel is written in long contiguous runs.
 */
const PACK_BLOCK_FLOATS = 1 << 20;

/**
 * Counts of weight packings since the process started, per kind: a packed
 * copy is made once per weight array (and again after a training step
 * writes it), which these counts let a caller see.
 *
 * @example
 * ```ts
 * const before = packCounts().panels;
 * m.predict(x);
 * m.predict(x); // packs nothing more
 * ```
 */
export function packCounts(): { readonly panels: number; readonly winograd: number } {
  return { ...counts };
}
const counts = { panels: 0, winograd: 0 };

/**
 * Packs the `[kDim, n]` matrix `weights` into panels at `ptr` with the
 * module's `packPanelRows`, a block of rows at a time through a small
 * scratch block: copies at memory speed where packing float by float in
 * JavaScript took seconds for VGG16's dense layers.
 */
function packInWasm(k: WasmKernels, weights: Float32Array, kDim: number, n: number, ptr: number): void {
  counts.panels++;
  const at = k.addressOf(weights);
  if (at >= 0) {
    k.exports.packPanelRows(at, ptr, 0, kDim, kDim, n, k.panelWidth);
    return;
  }
  const rowsPerBlock = Math.max(1, Math.floor(PACK_BLOCK_FLOATS / Math.max(1, n)));
  const scratch = k.alloc(Math.min(kDim, rowsPerBlock) * n * 4);
  try {
    for (let r0 = 0; r0 < kDim; r0 += rowsPerBlock) {
      const rows = Math.min(rowsPerBlock, kDim - r0);
      k.view(scratch, rows * n).set(weights.subarray(r0 * n, (r0 + rows) * n));
      k.exports.packPanelRows(scratch, ptr, r0, rows, kDim, n, k.panelWidth);
    }
  } finally {
    k.free(scratch);
  }
}

/** Writes the `[K, N]` matrix `weights` into `dst` as the kernels read it: panels of `nr` columns, k-major, zero-padded. */
export function packPanels(dst: Float32Array, weights: Float32Array, kDim: number, n: number, nr: number): void {
  const panels = Math.ceil(n / nr);
  for (let panel = 0; panel < panels; panel++) {
    const c0 = panel * nr;
    const width = Math.min(nr, n - c0);
    let o = panel * kDim * nr;
    for (let r = 0; r < kDim; r++, o += nr) {
      const s = r * n + c0;
      for (let j = 0; j < width; j++) dst[o + j] = weights[s + j];
      for (let j = width; j < nr; j++) dst[o + j] = 0;
    }
  }
}

/**
 * The bias padded to whole panels and, with `matrix`, the `[K, N]` weight
 * matrix in panels of `panelWidth` columns (k-major, zero-padded), packed on
 * first use of this weight array. Weight arrays are never written in place
 * once a layer has run (`setWeights` installs new arrays) except by a
 * training step, which says so through {@link weightsWritten}; the packed
 * copy is freed with the array.
 */
export function packed(k: WasmKernels, weights: Float32Array, kDim: number, n: number, bias: Float32Array | null, matrix = true): Packed {
  const nr = k.panelWidth;
  const panels = Math.ceil(n / nr);
  let p = packedWeights.get(weights);
  if (p === undefined || p.generation !== generation) {
    const biasPtr = cacheAlloc(k, panels * nr * 4);
    k.view(biasPtr, panels * nr).fill(0);
    p = { generation, ptr: 0, stale: false, biasPtr, bias: null };
    packedWeights.set(weights, p);
    unpack.register(weights, { ptrs: [biasPtr], generation });
  }
  if (matrix && (p.ptr === 0 || p.stale)) {
    const fresh = p.ptr === 0;
    const ptr = fresh ? cacheAlloc(k, panels * kDim * nr * 4) : p.ptr;
    packInWasm(k, weights, kDim, n, ptr);
    p.stale = false;
    if (fresh) {
      p.ptr = ptr;
      unpack.register(weights, { ptrs: [ptr], generation });
    }
  }
  if (bias !== p.bias) {
    const b = k.view(p.biasPtr, panels * nr);
    b.fill(0);
    if (bias !== null) {
      b.set(bias);
      packedByBias.set(bias, p);
    }
    p.bias = bias;
  }
  return p;
}

/**
 * The output tile of a Winograd convolution: 2 for F(2x2, 3x3) (4x4 input
 * tiles, 16 transformed matrices), 4 for F(4x4, 3x3) (6x6, 36).
 *
 * @example
 * ```ts
 * const tile: WinogradTile = 4;
 * ```
 */
export type WinogradTile = 2 | 4;

/** Winograd transforms of 3x3 kernels per output tile size, keyed like {@link packedWeights}. */
const winogradWeights = { 2: new WeakMap<Float32Array, CachedBlock>(), 4: new WeakMap<Float32Array, CachedBlock>() };

/**
 * `U = G g Gt` for every (input channel, filter) pair of a 3x3 kernel:
 * `(tile + 2)^2` matrices of `[cin, cout]` (16 for F(2x2, 3x3), 36 for
 * F(4x4, 3x3)), each packed in panels like {@link packed}. Computed in
 * float64 and rounded once; cached per weight array and tile size.
 *
 * @example
 * ```ts
 * const u = winogradPacked(k, kernel.data, 64, 128, 4); // 36 matrices of 64 x 128
 * ```
 */
export function winogradPacked(k: WasmKernels, weights: Float32Array, cin: number, cout: number, tile: WinogradTile = 2): number {
  const cache = winogradWeights[tile];
  const stale = staleWinograd[tile];
  const cached = cache.get(weights);
  const known = cached?.generation === generation ? cached.ptr : undefined;
  if (known !== undefined && !stale.has(weights)) return known;
  stale.delete(weights);
  const nr = k.panelWidth;
  const panels = Math.ceil(cout / nr);
  const per = panels * cin * nr;
  const matrices = (tile + 2) * (tile + 2);
  const ptr = known ?? cacheAlloc(k, matrices * per * 4);
  // Every float is written below when the filters fill whole panels; else the padding columns must read 0.
  if (cout % nr !== 0) k.view(ptr, matrices * per).fill(0);
  counts.winograd++;
  const pack = tile === 2 ? k.exports.winogradPackChannels : k.exports.winograd4PackChannels;
  const at = k.addressOf(weights);
  if (at >= 0) {
    // Weights drawn into WebAssembly memory are the module's input as they lie: 9 taps of [cin, cout].
    pack(at, ptr, 0, cin, cin, cout, nr, per);
  } else {
    // A block of input channels at a time: its 9 taps copied in, transformed and packed by the module.
    const channelsPerBlock = Math.max(1, Math.floor(PACK_BLOCK_FLOATS / (9 * Math.max(1, cout))));
    const scratch = k.alloc(9 * Math.min(cin, channelsPerBlock) * cout * 4);
    try {
      for (let ci0 = 0; ci0 < cin; ci0 += channelsPerBlock) {
        const cis = Math.min(channelsPerBlock, cin - ci0);
        const block = k.view(scratch, 9 * cis * cout);
        for (let t = 0; t < 9; t++) block.set(weights.subarray((t * cin + ci0) * cout, (t * cin + ci0 + cis) * cout), t * cis * cout);
        pack(scratch, ptr, ci0, cis, cin, cout, nr, per);
      }
    } finally {
      k.free(scratch);
    }
  }
  if (known === undefined) {
    cache.set(weights, { ptr, generation });
    unpack.register(weights, { ptrs: [ptr], generation });
  }
  return ptr;
}

/**
 * A weight array copied into WebAssembly memory once (zero-padded to a
 * multiple of `pad` floats), freed with the array; a training step's
 * {@link weightsWritten} has it copied again.
 */
export function cachedCopy(k: WasmKernels, data: Float32Array, pad: number): number {
  const cached = copiedWeights.get(data);
  const known = cached?.generation === generation ? cached.ptr : undefined;
  const fresh = known === undefined;
  if (!fresh && !staleCopies.has(data)) return known;
  staleCopies.delete(data);
  const floats = pad > 0 ? Math.ceil(data.length / pad) * pad : data.length;
  const ptr = known ?? cacheAlloc(k, Math.max(1, floats) * 4);
  const view = k.view(ptr, floats);
  // Only the padding is zeroed: filling the whole block first would touch every fresh page twice.
  view.set(data);
  view.fill(0, data.length);
  if (fresh) {
    copiedWeights.set(data, { ptr, generation });
    unpack.register(data, { ptrs: [ptr], generation });
  }
  return ptr;
}

/**
 * The address of a weight array in WebAssembly memory, as it is stored
 * (row-major, unpadded): the array itself when it lives there (weights
 * drawn by {@link weightArray}), else a copy made once, as
 * {@link cachedCopy} makes it.
 *
 * @example
 * ```ts
 * const w = residentAddress(k, kernel.data); // read in place by the row-major dense kernel
 * ```
 */
export function residentAddress(k: WasmKernels, data: Float32Array): number {
  const at = k.addressOf(data);
  return at >= 0 ? at : cachedCopy(k, data, 0);
}

/** Arrays smaller than this many floats are plain arrays: a kernel copies them at no cost worth a block. */
const RESIDENT_MIN_FLOATS = 4096;

/**
 * An array of `floats` for a layer's weights, zero-filled unless the caller
 * writes every value itself (`zeroed` false), held in the fast
 * kernels' WebAssembly memory when they are chosen and loaded (and the
 * array is not tiny), so that the kernels read it where it lies instead of
 * copying hundreds of megabytes on the first `predict`; the block is freed
 * with the array. Anywhere else, or when that memory is full, a plain
 * `Float32Array`.
 *
 * @example
 * ```ts
 * const kernel = glorotUniform([25088, 4096], random, weightArray(25088 * 4096, false));
 * ```
 */
export function weightArray(floats: number, zeroed = true): Float32Array {
  const k = floats >= RESIDENT_MIN_FLOATS ? fast() : null;
  if (k === null || residentBytes + floats * 4 > budgets.weights) return new Float32Array(floats);
  let ptr: number;
  try {
    ptr = k.alloc(floats * 4);
  } catch (e) {
    // Past the 4 GiB a wasm32 memory addresses: the engine's own heap holds it instead.
    if (e instanceof RangeError) return new Float32Array(floats);
    throw e;
  }
  const view = k.view(ptr, floats);
  // A block from the free list holds whatever was there before; filling fresh pages costs their first touch.
  if (zeroed) view.fill(0);
  residentBytes += floats * 4;
  unresident.register(view, { k, ptr, bytes: floats * 4 });
  return view;
}

/** Each weight view of a read buffer keeps that buffer, and so its block, alive as long as it lives. */
const bufferOfView = new WeakMap<Float32Array, Uint8Array>();

/** Buffers of {@link weightBytes} that lie in WebAssembly memory. */
const residentBuffers = new WeakSet<Uint8Array>();

/**
 * A buffer of `bytes` bytes to read a file's weights into: a block of the
 * fast kernels' WebAssembly memory when they are chosen and loaded and the
 * weights fit the budget of weights held there (as {@link weightArray}
 * draws them), so that the kernels read the loaded weights where they lie
 * instead of copying hundreds of megabytes in on the first `predict`; a
 * plain `Uint8Array` anywhere else. Weights are taken from it with
 * {@link weightView}; the block is freed once the buffer and every view of
 * it are gone.
 *
 * @example
 * ```ts
 * const bytes = weightBytes(size);
 * await file.read(bytes, 0, size, 0);
 * const kernel = weightView(bytes, 0, 25088 * 4096);
 * ```
 */
export function weightBytes(bytes: number): Uint8Array {
  const k = bytes >= 4 * RESIDENT_MIN_FLOATS ? fast() : null;
  if (k === null || residentBytes + bytes > budgets.weights) return new Uint8Array(bytes);
  let ptr: number;
  try {
    ptr = k.alloc(bytes);
  } catch (e) {
    if (e instanceof RangeError) return new Uint8Array(bytes);
    throw e;
  }
  // The reader writes every byte, so the block is not zeroed: its pages are touched once, by the read.
  const view = new Uint8Array(k.view(ptr, 0).buffer, ptr, bytes);
  residentBytes += bytes;
  residentBuffers.add(view);
  unresident.register(view, { k, ptr, bytes });
  return view;
}

/**
 * The `floats` float32 values at `byteOffset` (a multiple of 4) of a
 * buffer of {@link weightBytes}, viewed in place: in WebAssembly memory when
 * the buffer is, and keeping the buffer's block alive as long as the view.
 *
 * @example
 * ```ts
 * const bias = weightView(bytes, 400, 10);
 * ```
 */
export function weightView(buffer: Uint8Array, byteOffset: number, floats: number): Float32Array {
  const view = new Float32Array(buffer.buffer, buffer.byteOffset + byteOffset, floats);
  if (residentBuffers.has(buffer)) bufferOfView.set(view, buffer);
  return view;
}

/**
 * The sub-array `[from, from + count)` of a bias, the same array object on
 * every call, so that its packed copy is made once and an in-place update of
 * the bias reaches it through {@link weightsWritten}.
 *
 * @example
 * ```ts
 * const recurrentBias = biasSlice(bias, width, width); // a GRU's second bias
 * ```
 */
export function biasSlice(bias: Float32Array, from: number, count: number): Float32Array {
  let slices = biasSlices.get(bias);
  if (slices === undefined) {
    slices = new Map();
    biasSlices.set(bias, slices);
  }
  let s = slices.get(from);
  if (s === undefined) {
    s = bias.subarray(from, from + count);
    slices.set(from, s);
  }
  return s;
}

/**
 * A rearranged copy of a weight array (a group's columns of a grouped
 * convolution's kernel, a transposed convolution's kernel as a matrix), made
 * by `make` once per array and `key` and kept as the same array object, so
 * that its packed copy is made once too; a training step's
 * {@link weightsWritten} has it made again.
 *
 * @example
 * ```ts
 * const columns = derivedWeights(kernel.data, "group 1 of 2", () => columnsOf(kernel.data, rows, 8, 4, 4));
 * ```
 */
export function derivedWeights(source: Float32Array, key: string, make: () => Float32Array): Float32Array {
  let copies = derivedCopies.get(source);
  if (copies === undefined) {
    copies = new Map();
    derivedCopies.set(source, copies);
  }
  let copy = copies.get(key);
  if (copy === undefined) {
    copy = make();
    copies.set(key, copy);
  }
  return copy;
}

/**
 * Columns `[c0, c0 + width)` of the `[rows, n]` matrix `m`, as a new
 * `[rows, width]` matrix (a group's filters, a GRU's gate blocks).
 *
 * @example
 * ```ts
 * columnsOf(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3, 1, 2); // [2, 3, 5, 6]
 * ```
 */
export function columnsOf(m: Float32Array, rows: number, n: number, c0: number, width: number): Float32Array {
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) out.set(m.subarray(r * n + c0, r * n + c0 + width), r * width);
  return out;
}
