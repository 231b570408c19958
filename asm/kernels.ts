/**
 * shapewise fast kernels, AssemblyScript compiled to WebAssembly SIMD128
 * (`npm run build:wasm` -> `build/shapewise-kernels.wasm`).
 *
 * The module owns no memory: it imports a shared `env.memory` that the
 * TypeScript side manages (weights, activations and per-thread scratch are
 * all allocated there by `src/kernels/wasm/`), so every worker thread can
 * instantiate the same module over the same memory. Nothing here allocates,
 * there are no data segments and no globals, which is what makes one
 * instance per thread over one memory safe.
 *
 * All sizes are in elements and all pointers are byte addresses.
 *
 * Layout conventions:
 * - activations are NHWC float32;
 * - packed weights ("panels"): the `[K, N]` matrix (HWIO conv kernels
 *   flattened to `K = kh*kw*cin` rows, or dense `[in, units]`) is cut into
 *   panels of NR = 8 columns, each stored k-major (`K x 8`, zero-padded past
 *   N), so the micro-kernel reads one 32-byte row of B per k;
 * - bias is padded with zeros to a multiple of NR (or the pointer is 0);
 * - A (im2col rows) is packed per thread, one row every ASTRIDE bytes,
 *   so the micro-kernel broadcasts from four rows with one pointer.
 *
 * Kernels: `conv2d` (packed im2col + blocked product), `winograd3x3`
 * and `winograd4x4` (Winograd F(2x2, 3x3) and F(4x4, 3x3) for 3x3 stride-1
 * layers), `dense` (blocked product),
 * `pool2d` (max / average). Each takes the range of output rows (or tiles, or
 * panels) to compute, which is how the TypeScript side splits a call across
 * threads.
 */

import { madd } from "./madd";
import { exp64, expNeg4, sigmoid64, tanh64 } from "./math";

// Register budget: V8 on x64 gives wasm SIMD 15 xmm registers (xmm15 is its
// scratch). A 4x8 tile keeps 8 accumulators, 2 B vectors, 1 broadcast and 1
// product live: 12, no spills. 6x8 needs 16 and spills.
const MR: i32 = 4;
const NR: i32 = 8;
/** K block: an 8-column B panel of KC rows is 16 KiB and stays in L1 (48 KiB). */
const KC: i32 = 512;
/** M block: the packed A block (MC x KC floats, 256 KiB) stays in L2 (2 MiB). */
const MC: i32 = 128;
/**
 * Bytes between two packed A rows. A compile-time stride lets the
 * micro-kernel address four rows from one pointer with constant offsets,
 * and lets packing copy contiguous runs instead of scattering floats.
 */
const ASTRIDE: usize = <usize>KC * 4;

/** Activation codes shared with `src/kernels/wasm/runtime.ts`. */
const ACT_LINEAR: i32 = 0;
const ACT_RELU: i32 = 1;
const ACT_RELU6: i32 = 2;

// `pmax(v, 0)` is `v < 0 ? 0 : v`: NaN and -0 pass through exactly as in the
// reference relu; `pmin(t, 6)` is `6 < t ? 6 : t`, the same for relu6.
@inline
function activate(v: v128, act: i32): v128 {
  if (act == ACT_RELU) return f32x4.pmax(v, f32x4.splat(0));
  if (act == ACT_RELU6) return f32x4.pmin(f32x4.pmax(v, f32x4.splat(0)), f32x4.splat(6));
  return v;
}

@inline
function storeN(p: usize, v: v128, n: i32): void {
  if (n >= 4) {
    v128.store(p, v);
  } else {
    if (n > 0) store<f32>(p, f32x4.extract_lane(v, 0));
    if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
    if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
  }
}

@inline
function loadN(p: usize, n: i32): v128 {
  if (n >= 4) return v128.load(p);
  let v = f32x4.splat(0);
  if (n > 0) v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/**
 * C[4 x 8] (+)= A[4 x kc] * B[kc x 8], then bias/residual/activation.
 *
 * - `first`: start from the bias (or 0) instead of reading C (first K block);
 * - `last`: add the residual tile at `r` (when not 0, same row stride as C)
 *   and apply the activation (last K block);
 * - `mr`/`nr`: how many rows/columns of the tile are real (tails are
 *   computed on padding and not stored);
 * - `pool`: the four rows are one 2x2 window of a max pool (one K block,
 *   so `first` and `last`): their maximum is stored as one row at `c`.
 */
function tile4x8(
  kc: i32, a: usize, b: usize, c: usize, ldc: usize,
  bias: usize, first: bool, last: bool, act: i32, r: usize, mr: i32, nr: i32, pool: bool,
): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
  const full = mr == MR && nr == NR;
  if (first) {
    let b0 = f32x4.splat(0);
    let b1 = f32x4.splat(0);
    if (bias != 0) {
      b0 = v128.load(bias);
      b1 = v128.load(bias, 16);
    }
    c00 = b0; c01 = b1; c10 = b0; c11 = b1; c20 = b0; c21 = b1; c30 = b0; c31 = b1;
  } else if (full) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16);
  } else {
    const n0 = nr < 4 ? nr : 4;
    const n1 = nr - 4;
    const z = f32x4.splat(0);
    c00 = loadN(c, n0); c01 = n1 > 0 ? loadN(c + 16, n1) : z;
    c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z;
    if (mr > 1) { c10 = loadN(c + ldc, n0); if (n1 > 0) c11 = loadN(c + ldc + 16, n1); }
    if (mr > 2) { c20 = loadN(c + 2 * ldc, n0); if (n1 > 0) c21 = loadN(c + 2 * ldc + 16, n1); }
    if (mr > 3) { c30 = loadN(c + 3 * ldc, n0); if (n1 > 0) c31 = loadN(c + 3 * ldc + 16, n1); }
  }

  if (mr <= 2) {
    // A tail of one or two rows (a 7x7 map's 49 rows end in one): only the real rows' work, where
    // the four-row loop would spend three quarters or half of it on padding rows.
    for (let k = 0; k < kc; k++) {
      const b0 = v128.load(b);
      const b1 = v128.load(b, 16);
      const a0 = v128.load32_splat(a);
      c00 = madd(a0, b0, c00);
      c01 = madd(a0, b1, c01);
      const a1 = v128.load32_splat(a, ASTRIDE);
      c10 = madd(a1, b0, c10);
      c11 = madd(a1, b1, c11);
      a += 4;
      b += 32;
    }
  } else for (let k = 0; k < kc; k++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const a0 = v128.load32_splat(a);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    const a1 = v128.load32_splat(a, ASTRIDE);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    const a2 = v128.load32_splat(a, 2 * ASTRIDE);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    const a3 = v128.load32_splat(a, 3 * ASTRIDE);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    a += 4;
    b += 32;
  }

  if (last && r != 0) {
    if (full) {
      c00 = f32x4.add(c00, v128.load(r)); c01 = f32x4.add(c01, v128.load(r, 16));
      c10 = f32x4.add(c10, v128.load(r + ldc)); c11 = f32x4.add(c11, v128.load(r + ldc, 16));
      c20 = f32x4.add(c20, v128.load(r + 2 * ldc)); c21 = f32x4.add(c21, v128.load(r + 2 * ldc, 16));
      c30 = f32x4.add(c30, v128.load(r + 3 * ldc)); c31 = f32x4.add(c31, v128.load(r + 3 * ldc, 16));
    } else {
      // Rows and columns past the tile's real ones are never stored: only the real ones are read.
      const n0 = nr < 4 ? nr : 4;
      const n1 = nr - 4;
      c00 = f32x4.add(c00, loadN(r, n0)); if (n1 > 0) c01 = f32x4.add(c01, loadN(r + 16, n1));
      if (mr > 1) { c10 = f32x4.add(c10, loadN(r + ldc, n0)); if (n1 > 0) c11 = f32x4.add(c11, loadN(r + ldc + 16, n1)); }
      if (mr > 2) { c20 = f32x4.add(c20, loadN(r + 2 * ldc, n0)); if (n1 > 0) c21 = f32x4.add(c21, loadN(r + 2 * ldc + 16, n1)); }
      if (mr > 3) { c30 = f32x4.add(c30, loadN(r + 3 * ldc, n0)); if (n1 > 0) c31 = f32x4.add(c31, loadN(r + 3 * ldc + 16, n1)); }
    }
  }
  if (last && act != ACT_LINEAR) {
    // relu and relu6 as one clamp with bounds chosen once per tile (relu's upper bound is
    // infinity, which `pmin` passes every value and NaN through), not a test per vector.
    const lo = f32x4.splat(0);
    const hi = f32x4.splat(act == ACT_RELU6 ? <f32>6 : Infinity);
    c00 = f32x4.pmin(f32x4.pmax(c00, lo), hi); c01 = f32x4.pmin(f32x4.pmax(c01, lo), hi);
    c10 = f32x4.pmin(f32x4.pmax(c10, lo), hi); c11 = f32x4.pmin(f32x4.pmax(c11, lo), hi);
    c20 = f32x4.pmin(f32x4.pmax(c20, lo), hi); c21 = f32x4.pmin(f32x4.pmax(c21, lo), hi);
    c30 = f32x4.pmin(f32x4.pmax(c30, lo), hi); c31 = f32x4.pmin(f32x4.pmax(c31, lo), hi);
  }
  if (pool) {
    // The window's maximum in `pool2d`'s order, from minus infinity, so NaN and -0 come out as there.
    const lowest = f32x4.splat(-Infinity);
    c00 = f32x4.pmax(f32x4.pmax(f32x4.pmax(f32x4.pmax(lowest, c00), c10), c20), c30);
    c01 = f32x4.pmax(f32x4.pmax(f32x4.pmax(f32x4.pmax(lowest, c01), c11), c21), c31);
    if (nr == NR) {
      v128.store(c, c00); v128.store(c, c01, 16);
    } else {
      storeN(c, c00, nr < 4 ? nr : 4); storeN(c + 16, c01, nr - 4);
    }
    return;
  }
  if (full) {
    v128.store(c, c00); v128.store(c, c01, 16);
    v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
    v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
    v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
  } else {
    const n0 = nr < 4 ? nr : 4;
    const n1 = nr - 4;
    storeN(c, c00, n0); storeN(c + 16, c01, n1);
    if (mr > 1) { storeN(c + ldc, c10, n0); storeN(c + ldc + 16, c11, n1); }
    if (mr > 2) { storeN(c + 2 * ldc, c20, n0); storeN(c + 2 * ldc + 16, c21, n1); }
    if (mr > 3) { storeN(c + 3 * ldc, c30, n0); storeN(c + 3 * ldc + 16, c31, n1); }
  }
}

@inline
function copyRun(d: usize, s: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    v128.store(d, v128.load(s));
    d += 16;
    s += 16;
  }
  for (; j < n; j++) {
    store<f32>(d, load<f32>(s));
    d += 4;
    s += 4;
  }
}

@inline
function zeroRun(d: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    v128.store(d, f32x4.splat(0));
    d += 16;
  }
  for (; j < n; j++) {
    store<f32>(d, 0);
    d += 4;
  }
}

/**
 * One im2col row of a window that crosses the image border: taps in the
 * padding become zeros, the others are copied, neighbours merged into runs.
 */
function packBorderRow(
  d: usize, base: usize, h: i32, w: i32, kw: i32, dh: i32, dw: i32, iy0: i32, ix0: i32,
  ky0: i32, kx0: i32, t0: i32, t1: i32, nc: i32, merge: bool, rowBytes: usize, pixBytes: usize,
): void {
  let ky = ky0;
  let kx = kx0;
  // Pending contiguous run of input floats.
  let runSrc: usize = 0;
  let runLen = 0;
  for (let t = t0; t < t1; t++) {
    const iy = iy0 + ky * dh;
    const ix = ix0 + kx * dw;
    if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
      if (runLen > 0) {
        copyRun(d, runSrc, runLen);
        d += <usize>runLen * 4;
        runLen = 0;
      }
      zeroRun(d, nc);
      d += <usize>nc * 4;
    } else {
      const src = base + <usize>iy * rowBytes + <usize>ix * pixBytes;
      if (runLen > 0 && merge && src == runSrc + <usize>runLen * 4) {
        runLen += nc;
      } else {
        if (runLen > 0) {
          copyRun(d, runSrc, runLen);
          d += <usize>runLen * 4;
        }
        runSrc = src;
        runLen = nc;
      }
    }
    kx++;
    if (kx == kw) {
      kx = 0;
      ky++;
    }
  }
  if (runLen > 0) copyRun(d, runSrc, runLen);
}

/**
 * Four neighbouring pixels of a one-channel image from `p` (row `iy`,
 * columns from `ix`), each one outside the `h` x `w` image a zero; the
 * addresses of those are never read.
 */
@inline
function patchRow(p: usize, iy: i32, ix: i32, h: i32, w: i32): v128 {
  let v = f32x4.splat(0);
  if (iy < 0 || iy >= h) return v;
  if (ix >= 0 && ix < w) v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (ix + 1 >= 0 && ix + 1 < w) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (ix + 2 >= 0 && ix + 2 < w) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  if (ix + 3 >= 0 && ix + 3 < w) v = f32x4.replace_lane(v, 3, load<f32>(p, 12));
  return v;
}

/**
 * Packs rows [m0, m0 + mcPad) of the implicit im2col matrix into `dst`, one
 * row every ASTRIDE bytes. The K block is taps [t0, t1) (t = ky * kw + kx)
 * and, within each tap, channels [c0, c1): whole taps unless one tap has more
 * channels than a block holds. Rows past `mEnd` repeat the last real row
 * (their results are not stored); taps in the padding are zeros. Taps that
 * are neighbours in the input (dilation 1, whole channels) are copied as one
 * run, so a 3x3 window costs three copies per row.
 *
 * With `pool`, `m0` and `mEnd` count the pixels of the output's 2x2 max
 * pool (`n * (oh >> 1) * (ow >> 1)`), and each takes four rows, its window's
 * pixels in the pooling's order: top left, top right, bottom left, bottom right.
 */
function packIm2col(
  dst: usize, x: usize, h: i32, w: i32, cin: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, padT: i32, padL: i32, oh: i32, ow: i32,
  m0: i32, mcPad: i32, mEnd: i32, t0: i32, t1: i32, c0: i32, c1: i32, pool: bool,
): void {
  const ohw = oh * ow;
  const pixBytes: usize = <usize>cin * 4;
  const rowBytes: usize = <usize>w * pixBytes;
  const imgBytes: usize = <usize>h * rowBytes;
  const nc = c1 - c0;
  const merge = dw == 1 && nc == cin;
  const ky0 = t0 / kw;
  const kx0 = t0 - ky0 * kw;
  let m = m0;
  // The pooled grid (with `pool`): pixel (py, px) of image `img`, window pixel `sub`.
  const ph = oh >> 1;
  const pw = ow >> 1;
  const pImg = ph * pw;
  let img = pool ? m / pImg : m / ohw;
  let rem = pool ? m - img * pImg : m - img * ohw;
  let py = pool ? rem / pw : 0;
  let px = pool ? rem - py * pw : 0;
  let sub = 0;
  let oy = pool ? 2 * py : rem / ow;
  let ox = pool ? 2 * px : rem - oy * ow;
  // One channel, a whole 3x3 window per row, unit strides and dilations: a pooled window's four rows are
  // the 3x3 corners of one 4x4 input patch, packed from four vector loads and their one-float shifts.
  const patch = pool && cin == 1 && kh == 3 && kw == 3 && sh == 1 && sw == 1 && dh == 1 && dw == 1 && t0 == 0 && t1 == 9;
  for (let i = 0; i < mcPad; i++) {
    const d0: usize = dst + <usize>i * ASTRIDE;
    if (m >= mEnd) {
      // Padding rows of the last group: a copy of the previous row.
      copyRun(d0, d0 - ASTRIDE, (t1 - t0) * nc);
      continue;
    }
    const iy0 = oy * sh - padT;
    const ix0 = ox * sw - padL;
    const base: usize = x + <usize>img * imgBytes + <usize>c0 * 4;
    let d = d0;
    if (patch && sub == 0) {
      // Inside the image four vector loads; across its border, the patch's cells one by one, zeros outside.
      const inside = iy0 >= 0 && iy0 + 3 < h && ix0 >= 0 && ix0 + 3 < w;
      const p: usize = base + <usize>iy0 * rowBytes + <usize>ix0 * 4;
      const r0 = inside ? v128.load(p) : patchRow(p, iy0, ix0, h, w);
      const r1 = inside ? v128.load(p + rowBytes) : patchRow(p + rowBytes, iy0 + 1, ix0, h, w);
      const r2 = inside ? v128.load(p + 2 * rowBytes) : patchRow(p + 2 * rowBytes, iy0 + 2, ix0, h, w);
      const r3 = inside ? v128.load(p + 3 * rowBytes) : patchRow(p + 3 * rowBytes, iy0 + 3, ix0, h, w);
      const s0 = i32x4.shuffle(r0, r0, 1, 2, 3, 3), s1 = i32x4.shuffle(r1, r1, 1, 2, 3, 3);
      const s2 = i32x4.shuffle(r2, r2, 1, 2, 3, 3), s3 = i32x4.shuffle(r3, r3, 1, 2, 3, 3);
      // Each store writes a fourth float that the next one (or nothing: past the row's 9) overwrites.
      v128.store(d0, r0); v128.store(d0, r1, 12); v128.store(d0, r2, 24);
      v128.store(d0 + ASTRIDE, s0); v128.store(d0 + ASTRIDE, s1, 12); v128.store(d0 + ASTRIDE, s2, 24);
      v128.store(d0 + 2 * ASTRIDE, r1); v128.store(d0 + 2 * ASTRIDE, r2, 12); v128.store(d0 + 2 * ASTRIDE, r3, 24);
      v128.store(d0 + 3 * ASTRIDE, s1); v128.store(d0 + 3 * ASTRIDE, s2, 12); v128.store(d0 + 3 * ASTRIDE, s3, 24);
      // The window's last row: the counters below move on to the next window.
      i += 3;
      sub = 3;
    } else if (merge && iy0 >= 0 && iy0 + (kh - 1) * dh < h && ix0 >= 0 && ix0 + kw - 1 < w) {
      // The whole window is inside the image: one copy per window row.
      let t = t0;
      let ky = ky0;
      let kx = kx0;
      while (t < t1) {
        let n = kw - kx;
        if (n > t1 - t) n = t1 - t;
        copyRun(d, base + <usize>(iy0 + ky * dh) * rowBytes + <usize>(ix0 + kx) * pixBytes, n * cin);
        d += <usize>(n * cin) * 4;
        t += n;
        kx = 0;
        ky++;
      }
    } else {
      packBorderRow(d, base, h, w, kw, dh, dw, iy0, ix0, ky0, kx0, t0, t1, nc, merge, rowBytes, pixBytes);
    }
    if (pool) {
      sub++;
      if (sub == 4) {
        sub = 0;
        m++;
        px++;
        if (px == pw) {
          px = 0;
          py++;
          if (py == ph) {
            py = 0;
            img++;
          }
        }
      }
      oy = 2 * py + (sub >> 1);
      ox = 2 * px + (sub & 1);
      continue;
    }
    m++;
    ox++;
    if (ox == ow) {
      ox = 0;
      oy++;
      if (oy == oh) {
        oy = 0;
        img++;
      }
    }
  }
}

/** Packs rows [m0, m0 + mcPad) of a row-major matrix, columns [k0, k0 + kc). */
function packRows(dst: usize, x: usize, lda: i32, m0: i32, mcPad: i32, mEnd: i32, k0: i32, kc: i32): void {
  for (let i = 0; i < mcPad; i++) {
    let r = m0 + i;
    if (r >= mEnd) r = mEnd - 1;
    copyRun(dst + <usize>i * ASTRIDE, x + (<usize>r * <usize>lda + <usize>k0) * 4, kc);
  }
}

/**
 * The blocked product over one packed A block: C rows [m0, m0 + mc),
 * panels [p0, p1), K block [k0, k0 + kc) of K. With `pool`, every four
 * packed rows are one 2x2 window and C rows [m0, m0 + mc / 4) get their
 * maxima (see {@link tile4x8}).
 */
function blockProduct(
  pa: usize, mc: i32, kc: i32, k0: i32, kTotal: i32,
  wp: usize, bias: usize, out: usize, n: i32, m0: i32, p0: i32, p1: i32, act: i32, res: usize, pool: bool,
): void {
  const ldc: usize = <usize>n * 4;
  const first = k0 == 0;
  const last = k0 + kc == kTotal;
  if (kc <= 16) {
    // A short K block (a convolution of one or two channels): rows outer, so that each A tile is
    // read from L1 for every panel. Packed rows lie ASTRIDE apart, so a block's rows share two L1
    // sets and panels outer would read them from L2 once per panel; the B panels are small here.
    for (let i = 0; i < mc; i += MR) {
      let mr = mc - i;
      if (mr > MR) mr = MR;
      for (let p = p0; p < p1; p++) {
        const bp: usize = wp + (<usize>p * <usize>kTotal + <usize>k0) * NR * 4;
        const bb: usize = bias == 0 ? 0 : bias + <usize>p * NR * 4;
        let nr = n - p * NR;
        if (nr > NR) nr = NR;
        const at: usize = <usize>(pool ? m0 + (i >> 2) : m0 + i) * ldc + <usize>p * NR * 4;
        tile4x8(kc, pa + <usize>i * ASTRIDE, bp, out + at, ldc, bb, first, last, act, res == 0 ? 0 : res + at, mr, nr, pool);
      }
    }
    return;
  }
  for (let p = p0; p < p1; p++) {
    const bp: usize = wp + (<usize>p * <usize>kTotal + <usize>k0) * NR * 4;
    const bb: usize = bias == 0 ? 0 : bias + <usize>p * NR * 4;
    let nr = n - p * NR;
    if (nr > NR) nr = NR;
    for (let i = 0; i < mc; i += MR) {
      let mr = mc - i;
      if (mr > MR) mr = MR;
      const at: usize = <usize>(pool ? m0 + (i >> 2) : m0 + i) * ldc + <usize>p * NR * 4;
      tile4x8(kc, pa + <usize>i * ASTRIDE, bp, out + at, ldc, bb, first, last, act, res == 0 ? 0 : res + at, mr, nr, pool);
    }
  }
}

/**
 * 2-D convolution, NHWC input, packed HWIO weights, fused bias and
 * relu/relu6. Computes output rows (pixels over the whole batch)
 * [rowStart, rowEnd) and output panels [p0, p1): the two ways the
 * TypeScript side splits work across threads. `scratch` holds
 * {@link scratchFloats} floats and belongs to the calling thread.
 *
 * With `pool` (1), `out` gets the 2x2, stride-2, valid max pool of the
 * activated output instead (`n * (oh >> 1) * (ow >> 1)` pixels, a last odd
 * row or column never computed), and the rows are that pool's pixels. It
 * needs the whole window in one K block (`kh * kw * cin <= KC`) and no residual.
 */
export function conv2d(
  x: usize, h: i32, w: i32, cin: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, padT: i32, padL: i32,
  oh: i32, ow: i32, cout: i32,
  wp: usize, bias: usize, out: usize, act: i32, res: usize, pool: i32,
  rowStart: i32, rowEnd: i32, p0: i32, p1: i32, scratch: usize,
): void {
  const taps = kh * kw;
  const kTotal = taps * cin;
  // K blocks hold whole taps, as evenly sized as possible; a tap with more
  // channels than a block holds is split over several blocks by channel.
  let tapsPer = cin <= KC ? KC / cin : 1;
  const nTapBlocks = (taps + tapsPer - 1) / tapsPer;
  tapsPer = (taps + nTapBlocks - 1) / nTapBlocks;
  const chanBlocks = cin <= KC ? 1 : (cin + KC - 1) / KC;
  const chanPer = (cin + chanBlocks - 1) / chanBlocks;
  // A 1x1 window, unit strides, no padding: the input, `[n * h * w, cin]`, is the im2col matrix
  // itself, and its rows are packed as a dense layer's are, one copy each.
  const pooled = pool != 0;
  const pointwise = taps == 1 && sh == 1 && sw == 1 && padT == 0 && padL == 0 && oh == h && ow == w && !pooled;
  // Pooled, a block of MC packed rows is MC / 4 windows.
  const step = pooled ? MC >> 2 : MC;
  for (let m0 = rowStart; m0 < rowEnd; m0 += step) {
    let rows = rowEnd - m0;
    if (rows > step) rows = step;
    const mc = pooled ? rows << 2 : rows;
    const mcPad = (mc + MR - 1) & ~(MR - 1);
    for (let t0 = 0; t0 < taps; t0 += tapsPer) {
      const t1 = t0 + tapsPer < taps ? t0 + tapsPer : taps;
      for (let c0 = 0; c0 < cin; c0 += chanPer) {
        const c1 = c0 + chanPer < cin ? c0 + chanPer : cin;
        if (pointwise) packRows(scratch, x, cin, m0, mcPad, rowEnd, c0, c1 - c0);
        else packIm2col(scratch, x, h, w, cin, kh, kw, sh, sw, dh, dw, padT, padL, oh, ow, m0, mcPad, rowEnd, t0, t1, c0, c1, pooled);
        const kc = (t1 - t0) * (c1 - c0);
        blockProduct(scratch, mc, kc, t0 * cin + c0, kTotal, wp, bias, out, cout, m0, p0, p1, act, res, pooled);
      }
    }
  }
}

/**
 * Dense layer: `out[M, N] = x[M, K] * W + b`, rows [rowStart, rowEnd) and
 * panels [p0, p1). Same packed weight layout as {@link conv2d}.
 */
export function dense(
  x: usize, k: i32, n: i32, wp: usize, bias: usize, out: usize, act: i32, res: usize,
  rowStart: i32, rowEnd: i32, p0: i32, p1: i32, scratch: usize,
): void {
  const nb = (k + KC - 1) / KC;
  const kcMax = (k + nb - 1) / nb;
  for (let m0 = rowStart; m0 < rowEnd; m0 += MC) {
    let mc = rowEnd - m0;
    if (mc > MC) mc = MC;
    const mcPad = (mc + MR - 1) & ~(MR - 1);
    for (let k0 = 0; k0 < k; k0 += kcMax) {
      let kc = k - k0;
      if (kc > kcMax) kc = kcMax;
      packRows(scratch, x, k, m0, mcPad, rowEnd, k0, kc);
      blockProduct(scratch, mc, kc, k0, k, wp, bias, out, n, m0, p0, p1, act, res, false);
    }
  }
}

// ---------------------------------------------------------------------------
// Winograd F(2x2, 3x3)
// ---------------------------------------------------------------------------

/** Tiles (2x2 outputs each) transformed and multiplied together. */
const WTB: i32 = 16;
/**
 * Bytes added between two of the 16 transformed blocks (and between two of
 * the 16 product blocks). Without it the blocks lie a multiple of 4 KiB
 * apart, so the transforms' 16 loads or stores per channel group all fall
 * in one L1 set and evict each other; two cache lines more per block
 * spread them over the sets.
 */
const WSKEW: usize = 128;

/** `v` plus the four floats at `r`, or `v` when `r` is 0 (no residual). */
@inline
function plusAt(v: v128, r: usize): v128 {
  return r == 0 ? v : f32x4.add(v, v128.load(r));
}

@inline
function loadOr0(p: usize, ok: bool): v128 {
  return ok ? v128.load(p) : f32x4.splat(0);
}

/**
 * 3x3 convolution, stride 1, dilation 1, as Winograd F(2x2, 3x3): each 4x4
 * input tile becomes 16 values per channel (V = Bt d B), 16 matrix products
 * over the channels give M = V U per tile and filter (U = G g Gt, packed by
 * the TypeScript side, 16 packed matrices of `cin x cout`), and each 2x2
 * output is At M A, plus bias and activation. 16 multiply-adds per 2x2
 * outputs and channel pair instead of 36. Needs cin and cout multiples of
 * 4 and cin <= KC. Computes tiles [tileStart, tileEnd) over the batch
 * (`n * ceil(oh / 2) * ceil(ow / 2)`); `scratch` holds
 * {@link winogradScratchFloats}(cout) floats.
 *
 * With `pool` (1), `out` gets the 2x2, stride-2, valid max pool of the
 * activated output instead: each tile is one pooled pixel, the tiles are
 * `n * (oh >> 1) * (ow >> 1)` (a last odd row or column is never
 * computed), and there is no residual.
 */
export function winograd3x3(
  x: usize, h: i32, w: i32, cin: i32, padT: i32, padL: i32, oh: i32, ow: i32, cout: i32,
  up: usize, bias: usize, out: usize, act: i32, res: usize, pool: i32, tileStart: i32, tileEnd: i32, scratch: usize,
): void {
  const tw = pool != 0 ? ow >> 1 : (ow + 1) >> 1;
  const th = pool != 0 ? oh >> 1 : (oh + 1) >> 1;
  const tpi = tw * th;
  const pixBytes: usize = <usize>cin * 4;
  const rowBytes: usize = <usize>w * pixBytes;
  const panels = (cout + NR - 1) / NR;
  const uStride: usize = <usize>panels * <usize>cin * NR * 4;
  const vBlock: usize = <usize>WTB * ASTRIDE + WSKEW;
  const mBytes: usize = <usize>cout * 4;
  const mBlock: usize = <usize>WTB * mBytes + WSKEW;
  const vbuf = scratch;
  const mbuf = scratch + 16 * vBlock;
  const outPix: usize = <usize>cout * 4;
  for (let b0 = tileStart; b0 < tileEnd; b0 += WTB) {
    let nt = tileEnd - b0;
    if (nt > WTB) nt = WTB;
    const ntPad = (nt + MR - 1) & ~(MR - 1);
    // 1. Input transform into 16 packed A blocks (rows: tiles, columns: channels).
    for (let i = 0; i < ntPad; i++) {
      const t = b0 + (i < nt ? i : nt - 1);
      const img = t / tpi;
      const rem = t - img * tpi;
      const ty = rem / tw;
      const tx = rem - ty * tw;
      const iy0 = 2 * ty - padT;
      const ix0 = 2 * tx - padL;
      const base: usize = x + <usize>img * <usize>h * rowBytes;
      const r0 = iy0 >= 0 && iy0 < h, r1 = iy0 + 1 >= 0 && iy0 + 1 < h, r2 = iy0 + 2 >= 0 && iy0 + 2 < h, r3 = iy0 + 3 >= 0 && iy0 + 3 < h;
      const q0 = ix0 >= 0 && ix0 < w, q1 = ix0 + 1 >= 0 && ix0 + 1 < w, q2 = ix0 + 2 >= 0 && ix0 + 2 < w, q3 = ix0 + 3 >= 0 && ix0 + 3 < w;
      // Addresses of padded taps are never read (loadOr0), so they may be anything.
      const p0: usize = base + <usize>iy0 * rowBytes + <usize>ix0 * pixBytes;
      const p1: usize = p0 + rowBytes;
      const p2: usize = p1 + rowBytes;
      const p3: usize = p2 + rowBytes;
      let dv: usize = vbuf + <usize>i * ASTRIDE;
      for (let c: usize = 0; c < <usize>cin * 4; c += 16) {
        const d00 = loadOr0(p0 + c, r0 && q0), d01 = loadOr0(p0 + pixBytes + c, r0 && q1), d02 = loadOr0(p0 + 2 * pixBytes + c, r0 && q2), d03 = loadOr0(p0 + 3 * pixBytes + c, r0 && q3);
        const d10 = loadOr0(p1 + c, r1 && q0), d11 = loadOr0(p1 + pixBytes + c, r1 && q1), d12 = loadOr0(p1 + 2 * pixBytes + c, r1 && q2), d13 = loadOr0(p1 + 3 * pixBytes + c, r1 && q3);
        const d20 = loadOr0(p2 + c, r2 && q0), d21 = loadOr0(p2 + pixBytes + c, r2 && q1), d22 = loadOr0(p2 + 2 * pixBytes + c, r2 && q2), d23 = loadOr0(p2 + 3 * pixBytes + c, r2 && q3);
        const d30 = loadOr0(p3 + c, r3 && q0), d31 = loadOr0(p3 + pixBytes + c, r3 && q1), d32 = loadOr0(p3 + 2 * pixBytes + c, r3 && q2), d33 = loadOr0(p3 + 3 * pixBytes + c, r3 && q3);
        // Bt d: rows.
        const t00 = f32x4.sub(d00, d20), t01 = f32x4.sub(d01, d21), t02 = f32x4.sub(d02, d22), t03 = f32x4.sub(d03, d23);
        const t10 = f32x4.add(d10, d20), t11 = f32x4.add(d11, d21), t12 = f32x4.add(d12, d22), t13 = f32x4.add(d13, d23);
        const t20 = f32x4.sub(d20, d10), t21 = f32x4.sub(d21, d11), t22 = f32x4.sub(d22, d12), t23 = f32x4.sub(d23, d13);
        const t30 = f32x4.sub(d10, d30), t31 = f32x4.sub(d11, d31), t32 = f32x4.sub(d12, d32), t33 = f32x4.sub(d13, d33);
        // (Bt d) B: columns; V[r * 4 + c] goes to A block r * 4 + c.
        const o = dv + c;
        v128.store(o, f32x4.sub(t00, t02));
        v128.store(o + vBlock, f32x4.add(t01, t02));
        v128.store(o + 2 * vBlock, f32x4.sub(t02, t01));
        v128.store(o + 3 * vBlock, f32x4.sub(t01, t03));
        v128.store(o + 4 * vBlock, f32x4.sub(t10, t12));
        v128.store(o + 5 * vBlock, f32x4.add(t11, t12));
        v128.store(o + 6 * vBlock, f32x4.sub(t12, t11));
        v128.store(o + 7 * vBlock, f32x4.sub(t11, t13));
        v128.store(o + 8 * vBlock, f32x4.sub(t20, t22));
        v128.store(o + 9 * vBlock, f32x4.add(t21, t22));
        v128.store(o + 10 * vBlock, f32x4.sub(t22, t21));
        v128.store(o + 11 * vBlock, f32x4.sub(t21, t23));
        v128.store(o + 12 * vBlock, f32x4.sub(t30, t32));
        v128.store(o + 13 * vBlock, f32x4.add(t31, t32));
        v128.store(o + 14 * vBlock, f32x4.sub(t32, t31));
        v128.store(o + 15 * vBlock, f32x4.sub(t31, t33));
      }
    }
    // 2. Sixteen products M[xi] = V[xi] U[xi] (no bias, no activation yet).
    for (let xi = 0; xi < 16; xi++) {
      blockProduct(vbuf + <usize>xi * vBlock, nt, cin, 0, cin, up + <usize>xi * uStride, 0, mbuf + <usize>xi * mBlock, cout, 0, 0, panels, ACT_LINEAR, 0, false);
    }
    // 3. Output transform At M A, bias, activation; partial tiles at the bottom/right edge.
    for (let i = 0; i < nt; i++) {
      const t = b0 + i;
      const img = t / tpi;
      const rem = t - img * tpi;
      const ty = rem / tw;
      const tx = rem - ty * tw;
      const oy = 2 * ty;
      const ox = 2 * tx;
      const right = ox + 1 < ow;
      const below = oy + 1 < oh;
      const o00: usize = out + ((<usize>img * <usize>oh + <usize>oy) * <usize>ow + <usize>ox) * outPix;
      const o10: usize = o00 + <usize>ow * outPix;
      const m: usize = mbuf + <usize>i * mBytes;
      if (pool != 0) {
        poolTile2(m, mBlock, bias, act, out + <usize>t * outPix, cout);
        continue;
      }
      for (let c: usize = 0; c < <usize>cout * 4; c += 16) {
        const q = m + c;
        const m00 = v128.load(q), m01 = v128.load(q + mBlock), m02 = v128.load(q + 2 * mBlock), m03 = v128.load(q + 3 * mBlock);
        const m10 = v128.load(q + 4 * mBlock), m11 = v128.load(q + 5 * mBlock), m12 = v128.load(q + 6 * mBlock), m13 = v128.load(q + 7 * mBlock);
        const m20 = v128.load(q + 8 * mBlock), m21 = v128.load(q + 9 * mBlock), m22 = v128.load(q + 10 * mBlock), m23 = v128.load(q + 11 * mBlock);
        const m30 = v128.load(q + 12 * mBlock), m31 = v128.load(q + 13 * mBlock), m32 = v128.load(q + 14 * mBlock), m33 = v128.load(q + 15 * mBlock);
        // At M: two rows.
        const s0 = f32x4.add(f32x4.add(m00, m10), m20), s1 = f32x4.add(f32x4.add(m01, m11), m21);
        const s2 = f32x4.add(f32x4.add(m02, m12), m22), s3 = f32x4.add(f32x4.add(m03, m13), m23);
        const u0 = f32x4.sub(f32x4.sub(m10, m20), m30), u1 = f32x4.sub(f32x4.sub(m11, m21), m31);
        const u2 = f32x4.sub(f32x4.sub(m12, m22), m32), u3 = f32x4.sub(f32x4.sub(m13, m23), m33);
        const bv = bias == 0 ? f32x4.splat(0) : v128.load(bias + c);
        // (At M) A, then bias, residual and activation.
        const r00: usize = res == 0 ? 0 : res + (o00 - out) + c;
        const r10: usize = r00 == 0 ? 0 : r00 + <usize>ow * outPix;
        v128.store(o00 + c, activate(plusAt(f32x4.add(f32x4.add(f32x4.add(s0, s1), s2), bv), r00), act));
        if (right) v128.store(o00 + outPix + c, activate(plusAt(f32x4.add(f32x4.sub(f32x4.sub(s1, s2), s3), bv), r00 == 0 ? 0 : r00 + outPix), act));
        if (below) {
          v128.store(o10 + c, activate(plusAt(f32x4.add(f32x4.add(f32x4.add(u0, u1), u2), bv), r10), act));
          if (right) v128.store(o10 + outPix + c, activate(plusAt(f32x4.add(f32x4.sub(f32x4.sub(u1, u2), u3), bv), r10 == 0 ? 0 : r10 + outPix), act));
        }
      }
    }
  }
}

/**
 * One F(2x2, 3x3) tile's output transform, bias and activation for the
 * `cout` filters of its products at `m` (blocks `mBlock` bytes apart), and
 * the maximum of its four outputs stored at `o`, in `pool2d`'s order from
 * minus infinity, so that it equals the pool of the stored outputs bit for bit.
 */
function poolTile2(m: usize, mBlock: usize, bias: usize, act: i32, o: usize, cout: i32): void {
  const lowest = f32x4.splat(-Infinity);
  for (let c: usize = 0; c < <usize>cout * 4; c += 16) {
    const q = m + c;
    const m00 = v128.load(q), m01 = v128.load(q + mBlock), m02 = v128.load(q + 2 * mBlock), m03 = v128.load(q + 3 * mBlock);
    const m10 = v128.load(q + 4 * mBlock), m11 = v128.load(q + 5 * mBlock), m12 = v128.load(q + 6 * mBlock), m13 = v128.load(q + 7 * mBlock);
    const m20 = v128.load(q + 8 * mBlock), m21 = v128.load(q + 9 * mBlock), m22 = v128.load(q + 10 * mBlock), m23 = v128.load(q + 11 * mBlock);
    const m30 = v128.load(q + 12 * mBlock), m31 = v128.load(q + 13 * mBlock), m32 = v128.load(q + 14 * mBlock), m33 = v128.load(q + 15 * mBlock);
    const s0 = f32x4.add(f32x4.add(m00, m10), m20), s1 = f32x4.add(f32x4.add(m01, m11), m21);
    const s2 = f32x4.add(f32x4.add(m02, m12), m22), s3 = f32x4.add(f32x4.add(m03, m13), m23);
    const u0 = f32x4.sub(f32x4.sub(m10, m20), m30), u1 = f32x4.sub(f32x4.sub(m11, m21), m31);
    const u2 = f32x4.sub(f32x4.sub(m12, m22), m32), u3 = f32x4.sub(f32x4.sub(m13, m23), m33);
    const bv = bias == 0 ? f32x4.splat(0) : v128.load(bias + c);
    const y00 = activate(f32x4.add(f32x4.add(f32x4.add(s0, s1), s2), bv), act);
    const y01 = activate(f32x4.add(f32x4.sub(f32x4.sub(s1, s2), s3), bv), act);
    const y10 = activate(f32x4.add(f32x4.add(f32x4.add(u0, u1), u2), bv), act);
    const y11 = activate(f32x4.add(f32x4.sub(f32x4.sub(u1, u2), u3), bv), act);
    v128.store(o + c, f32x4.pmax(f32x4.pmax(f32x4.pmax(f32x4.pmax(lowest, y00), y01), y10), y11));
  }
}

/** Scratch floats a thread needs for {@link winograd3x3} with `cout` filters. */
export function winogradScratchFloats(cout: i32): i32 {
  return 16 * WTB * KC + 16 * WTB * cout + 32 * <i32>(WSKEW / 4);
}

// ---------------------------------------------------------------------------
// Winograd F(4x4, 3x3)
// ---------------------------------------------------------------------------

/** Bytes of the per-thread 6x6 table of vectors the transforms pass through between their two passes. */
const W4TMP: usize = 36 * 16;

/**
 * `Bt x` for one column of six vectors, stored `step` bytes apart at `o`.
 * The interpolation points are 0, 1, -1, 1/2, -2 and infinity: against
 * the usual 0, +-1, +-2 they halve the largest rounding error in float32
 * (the transforms' coefficients stay at most 8), for a few more operations.
 */
@inline
function inputColumn4(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, o: usize, step: usize): void {
  const e = f32x4.sub(d3, d1);
  const c = f32x4.sub(d4, d2);
  const half = f32x4.splat(0.5);
  const threeHalves = f32x4.splat(1.5);
  const fiveHalves = f32x4.splat(2.5);
  const two = f32x4.splat(2);
  v128.store(o, madd(e, threeHalves, f32x4.add(f32x4.sub(c, d2), d0)));
  v128.store(o + step, madd(d3, fiveHalves, madd(d2, half, f32x4.sub(d4, d1))));
  v128.store(o + 2 * step, madd(d3, half, f32x4.sub(f32x4.add(d4, d1), f32x4.mul(d2, fiveHalves))));
  v128.store(o + 3 * step, madd(e, two, c));
  v128.store(o + 4 * step, f32x4.sub(c, f32x4.mul(e, half)));
  v128.store(o + 5 * step, f32x4.sub(madd(c, threeHalves, f32x4.add(d5, d1)), f32x4.mul(d3, two)));
}

/** `At m` (the columns of {@link atRow4}) for one column of six vectors read `step` bytes apart at `q`, four results stored 96 bytes apart at `o`. */
@inline
function outputColumn4(q: usize, step: usize, o: usize): void {
  const m0 = v128.load(q), m1 = v128.load(q + step), m2 = v128.load(q + 2 * step);
  const m3 = v128.load(q + 3 * step), m4 = v128.load(q + 4 * step), m5 = v128.load(q + 5 * step);
  v128.store(o, atRow4(0, m0, m1, m2, m3, m4, m5));
  v128.store(o, atRow4(1, m0, m1, m2, m3, m4, m5), 96);
  v128.store(o, atRow4(2, m0, m1, m2, m3, m4, m5), 192);
  v128.store(o, atRow4(3, m0, m1, m2, m3, m4, m5), 288);
}

/** Row `r` of `At` (points 0, 1, -1, 1/2, -2, infinity) times `(m0, ..., m5)`. */
@inline
function atRow4(r: i32, m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128): v128 {
  if (r == 0) return f32x4.add(f32x4.add(f32x4.add(m0, m1), f32x4.add(m2, m3)), m4);
  const d = f32x4.sub(m1, m2);
  if (r == 1) return madd(m4, f32x4.splat(-2), madd(m3, f32x4.splat(0.5), d));
  if (r == 2) return madd(m4, f32x4.splat(4), madd(m3, f32x4.splat(0.25), f32x4.add(m1, m2)));
  return madd(m4, f32x4.splat(-8), madd(m3, f32x4.splat(0.125), f32x4.add(d, m5)));
}

/** One output: `v` plus bias, plus the residual at `r` (0: none), activated, stored at `o`. */
@inline
function finish4(o: usize, v: v128, bv: v128, r: usize, act: i32): void {
  v128.store(o, activate(plusAt(f32x4.add(v, bv), r), act));
}

/**
 * 3x3 convolution, stride 1, dilation 1, as Winograd F(4x4, 3x3): each 6x6
 * input tile becomes 36 values per channel (V = Bt d B), 36 matrix products
 * over the channels give M = V U per tile and filter (U = G g Gt, packed by
 * the TypeScript side as 36 packed matrices of `cin x cout`), and each 4x4
 * output is At M A, plus bias, residual and activation. 36 multiply-adds
 * per 4x4 outputs and channel pair where {@link winograd3x3} takes 64 and
 * a direct convolution 144. Same arguments and limits as
 * {@link winograd3x3}; tiles are 4x4 outputs (`n * ceil(oh / 4) *
 * ceil(ow / 4)`), `scratch` holds {@link winograd4ScratchFloats}(cout) floats.
 *
 * With `pool` (1), `out` gets the 2x2, stride-2, valid max pool of the
 * activated output instead (`(oh >> 1) x (ow >> 1)` pixels per image, up
 * to 2x2 of them per tile), the tiles cover only the output the pool reads
 * (`n * ceil((oh >> 1) / 2) * ceil((ow >> 1) / 2)`), and there is no residual.
 */
export function winograd4x4(
  x: usize, h: i32, w: i32, cin: i32, padT: i32, padL: i32, oh: i32, ow: i32, cout: i32,
  up: usize, bias: usize, out: usize, act: i32, res: usize, pool: i32, tileStart: i32, tileEnd: i32, scratch: usize,
): void {
  const poh = oh >> 1;
  const pow = ow >> 1;
  const tw = pool != 0 ? (pow + 1) >> 1 : (ow + 3) >> 2;
  const th = pool != 0 ? (poh + 1) >> 1 : (oh + 3) >> 2;
  const tpi = tw * th;
  const pixBytes: usize = <usize>cin * 4;
  const rowBytes: usize = <usize>w * pixBytes;
  const panels = (cout + NR - 1) / NR;
  const uStride: usize = <usize>panels * <usize>cin * NR * 4;
  const vBlock: usize = <usize>WTB * ASTRIDE + WSKEW;
  const mBytes: usize = <usize>cout * 4;
  const mBlock: usize = <usize>WTB * mBytes + WSKEW;
  const vbuf = scratch;
  const mbuf = scratch + 36 * vBlock;
  const tmp = mbuf + 36 * mBlock;
  const outPix: usize = <usize>cout * 4;
  for (let b0 = tileStart; b0 < tileEnd; b0 += WTB) {
    let nt = tileEnd - b0;
    if (nt > WTB) nt = WTB;
    const ntPad = (nt + MR - 1) & ~(MR - 1);
    // 1. Input transform into 36 packed A blocks (rows: tiles, columns: channels).
    for (let i = 0; i < ntPad; i++) {
      const t = b0 + (i < nt ? i : nt - 1);
      const img = t / tpi;
      const rem = t - img * tpi;
      const ty = rem / tw;
      const tx = rem - ty * tw;
      const iy0 = 4 * ty - padT;
      const ix0 = 4 * tx - padL;
      const base: usize = x + <usize>img * <usize>h * rowBytes;
      // Bit k of `rows` / `cols`: tile row / column k lies inside the image.
      let rows = 0, cols = 0;
      for (let k = 0; k < 6; k++) {
        if (iy0 + k >= 0 && iy0 + k < h) rows |= 1 << k;
        if (ix0 + k >= 0 && ix0 + k < w) cols |= 1 << k;
      }
      const inside = rows == 63 && cols == 63;
      // Addresses of padded taps are never read (loadOr0), so they may be anything.
      const p0: usize = base + <usize>iy0 * rowBytes + <usize>ix0 * pixBytes;
      const dv: usize = vbuf + <usize>i * ASTRIDE;
      for (let c: usize = 0; c < <usize>cin * 4; c += 16) {
        // Bt d, a column at a time, into the 6x6 table.
        for (let j = 0; j < 6; j++) {
          const p = p0 + <usize>j * pixBytes + c;
          if (inside) {
            inputColumn4(v128.load(p), v128.load(p + rowBytes), v128.load(p + 2 * rowBytes), v128.load(p + 3 * rowBytes),
              v128.load(p + 4 * rowBytes), v128.load(p + 5 * rowBytes), tmp + <usize>j * 16, 96);
          } else {
            const q = (cols >> j) & 1;
            inputColumn4(loadOr0(p, (rows & q) != 0), loadOr0(p + rowBytes, ((rows >> 1) & q) != 0),
              loadOr0(p + 2 * rowBytes, ((rows >> 2) & q) != 0), loadOr0(p + 3 * rowBytes, ((rows >> 3) & q) != 0),
              loadOr0(p + 4 * rowBytes, ((rows >> 4) & q) != 0), loadOr0(p + 5 * rowBytes, ((rows >> 5) & q) != 0), tmp + <usize>j * 16, 96);
          }
        }
        // (Bt d) B, a row at a time; V[r * 6 + c] goes to A block r * 6 + c.
        for (let r = 0; r < 6; r++) {
          const s: usize = tmp + <usize>r * 96;
          inputColumn4(v128.load(s), v128.load(s, 16), v128.load(s, 32), v128.load(s, 48), v128.load(s, 64), v128.load(s, 80),
            dv + c + <usize>(r * 6) * vBlock, vBlock);
        }
      }
    }
    // 2. Thirty-six products M[xi] = V[xi] U[xi] (no bias, no activation yet).
    for (let xi = 0; xi < 36; xi++) {
      blockProduct(vbuf + <usize>xi * vBlock, nt, cin, 0, cin, up + <usize>xi * uStride, 0, mbuf + <usize>xi * mBlock, cout, 0, 0, panels, ACT_LINEAR, 0, false);
    }
    // 3. Output transform At M A, bias, residual, activation; partial tiles at the bottom/right edge.
    for (let i = 0; i < nt; i++) {
      const t = b0 + i;
      const img = t / tpi;
      const rem = t - img * tpi;
      const ty = rem / tw;
      const tx = rem - ty * tw;
      const oy = 4 * ty;
      const ox = 4 * tx;
      const nrow = oh - oy < 4 ? oh - oy : 4;
      const ncol = ow - ox < 4 ? ow - ox : 4;
      const o0: usize = out + ((<usize>img * <usize>oh + <usize>oy) * <usize>ow + <usize>ox) * outPix;
      const rowOut: usize = <usize>ow * outPix;
      const m: usize = mbuf + <usize>i * mBytes;
      if (pool != 0) {
        const prow = poh - 2 * ty < 2 ? poh - 2 * ty : 2;
        const pcol = pow - 2 * tx < 2 ? pow - 2 * tx : 2;
        const po: usize = out + ((<usize>img * <usize>poh + <usize>(2 * ty)) * <usize>pow + <usize>(2 * tx)) * outPix;
        poolTile4(m, mBlock, tmp, bias, act, po, <usize>pow * outPix, outPix, prow, pcol, cout);
        continue;
      }
      for (let c: usize = 0; c < <usize>cout * 4; c += 16) {
        // At M, a column at a time, into the first four rows of the table.
        for (let j = 0; j < 6; j++) outputColumn4(m + c + <usize>j * mBlock, 6 * mBlock, tmp + <usize>j * 16);
        const bv = bias == 0 ? f32x4.splat(0) : v128.load(bias + c);
        // (At M) A, then bias, residual and activation, for the rows and columns inside the output.
        for (let r = 0; r < nrow; r++) {
          const s: usize = tmp + <usize>r * 96;
          const m0 = v128.load(s), m1 = v128.load(s, 16), m2 = v128.load(s, 32);
          const m3 = v128.load(s, 48), m4 = v128.load(s, 64), m5 = v128.load(s, 80);
          const o: usize = o0 + <usize>r * rowOut + c;
          const rr: usize = res == 0 ? 0 : res + (o - out);
          finish4(o, atRow4(0, m0, m1, m2, m3, m4, m5), bv, rr, act);
          if (ncol > 1) finish4(o + outPix, atRow4(1, m0, m1, m2, m3, m4, m5), bv, rr == 0 ? 0 : rr + outPix, act);
          if (ncol > 2) finish4(o + 2 * outPix, atRow4(2, m0, m1, m2, m3, m4, m5), bv, rr == 0 ? 0 : rr + 2 * outPix, act);
          if (ncol > 3) finish4(o + 3 * outPix, atRow4(3, m0, m1, m2, m3, m4, m5), bv, rr == 0 ? 0 : rr + 3 * outPix, act);
        }
      }
    }
  }
}

/**
 * One row of the 6x6 table at `s` (after `At M`): its four outputs plus
 * bias, activated, stored 16 bytes apart at `o`.
 */
@inline
function outputRow4(s: usize, bv: v128, act: i32, o: usize): void {
  const m0 = v128.load(s), m1 = v128.load(s, 16), m2 = v128.load(s, 32);
  const m3 = v128.load(s, 48), m4 = v128.load(s, 64), m5 = v128.load(s, 80);
  v128.store(o, activate(f32x4.add(atRow4(0, m0, m1, m2, m3, m4, m5), bv), act));
  v128.store(o, activate(f32x4.add(atRow4(1, m0, m1, m2, m3, m4, m5), bv), act), 16);
  v128.store(o, activate(f32x4.add(atRow4(2, m0, m1, m2, m3, m4, m5), bv), act), 32);
  v128.store(o, activate(f32x4.add(atRow4(3, m0, m1, m2, m3, m4, m5), bv), act), 48);
}

/**
 * One F(4x4, 3x3) tile's output transform, bias and activation for the
 * `cout` filters of its products at `m` (blocks `mBlock` bytes apart,
 * through the 6x6 table at `tmp` and the two rows of outputs after it),
 * and the maxima of its `prow` x `pcol` 2x2 windows stored at `o` (pooled
 * rows `rowOut` bytes apart, pixels `pix`), each in `pool2d`'s order from
 * minus infinity, so that they equal the pool of the stored outputs bit for bit.
 */
function poolTile4(m: usize, mBlock: usize, tmp: usize, bias: usize, act: i32, o: usize, rowOut: usize, pix: usize, prow: i32, pcol: i32, cout: i32): void {
  const lowest = f32x4.splat(-Infinity);
  const y: usize = tmp + W4TMP;
  for (let c: usize = 0; c < <usize>cout * 4; c += 16) {
    for (let j = 0; j < 6; j++) outputColumn4(m + c + <usize>j * mBlock, 6 * mBlock, tmp + <usize>j * 16);
    const bv = bias == 0 ? f32x4.splat(0) : v128.load(bias + c);
    for (let a = 0; a < prow; a++) {
      outputRow4(tmp + <usize>(2 * a) * 96, bv, act, y);
      outputRow4(tmp + <usize>(2 * a + 1) * 96, bv, act, y + 64);
      const oa: usize = o + <usize>a * rowOut + c;
      v128.store(oa, f32x4.pmax(f32x4.pmax(f32x4.pmax(f32x4.pmax(lowest, v128.load(y)), v128.load(y, 16)), v128.load(y, 64)), v128.load(y, 80)));
      if (pcol > 1) {
        v128.store(oa + pix, f32x4.pmax(f32x4.pmax(f32x4.pmax(f32x4.pmax(lowest, v128.load(y, 32)), v128.load(y, 48)), v128.load(y, 96)), v128.load(y, 112)));
      }
    }
  }
}

/** Scratch floats a thread needs for {@link winograd4x4} with `cout` filters. */
export function winograd4ScratchFloats(cout: i32): i32 {
  // The table, then two rows of four outputs for a pooled tile.
  return 36 * WTB * KC + 36 * WTB * cout + 72 * <i32>(WSKEW / 4) + <i32>(W4TMP / 4) + 32;
}

/** Largest channel count {@link winograd3x3} takes (one K block). */
export function winogradMaxChannels(): i32 {
  return KC;
}

/** Scratch floats a thread needs for {@link conv2d} and {@link dense}. */
export function scratchFloats(): i32 {
  return MC * KC;
}

/** Panel width of the packed weights. */
export function panelWidth(): i32 {
  return NR;
}

/**
 * Max (`kind` 0) or average (`kind` 1) pooling, NHWC, output rows
 * (`n * oh` of them) [rowStart, rowEnd). Padded cells are skipped, so "same"
 * averages divide by the real cell count. Max uses `pmax(acc, v)` =
 * `acc < v ? v : acc`: a NaN cell never wins, as in the reference kernel.
 * Reads each input once per window and writes straight to `out`.
 */
export function pool2d(
  kind: i32, x: usize, h: i32, w: i32, c: i32, ph: i32, pw: i32, sh: i32, sw: i32,
  padT: i32, padL: i32, oh: i32, ow: i32, out: usize, rowStart: i32, rowEnd: i32,
): void {
  const rowBytes: usize = <usize>w * <usize>c * 4;
  const c4 = c & ~3;
  const isMax = kind == 0;
  const init: f32 = isMax ? <f32>-Infinity : 0;
  for (let r = rowStart; r < rowEnd; r++) {
    const img = r / oh;
    const oy = r - img * oh;
    const ys = oy * sh - padT;
    const y0 = ys < 0 ? 0 : ys;
    const y1 = ys + ph > h ? h : ys + ph;
    const base: usize = x + <usize>img * <usize>h * rowBytes;
    let o: usize = out + <usize>r * <usize>ow * <usize>c * 4;
    for (let ox = 0; ox < ow; ox++) {
      const xs = ox * sw - padL;
      const x0 = xs < 0 ? 0 : xs;
      const x1 = xs + pw > w ? w : xs + pw;
      const count: f32 = <f32>((y1 - y0) * (x1 - x0));
      let ch = 0;
      if (y1 - y0 == 2 && x1 - x0 == 2) {
        // A whole 2x2 window (the common pooling): four loads per vector, no window loops.
        const p00: usize = base + <usize>y0 * rowBytes + <usize>x0 * <usize>c * 4;
        const p10: usize = p00 + rowBytes;
        const pix: usize = <usize>c * 4;
        for (; ch < c4; ch += 4) {
          const at: usize = <usize>ch * 4;
          const v00 = v128.load(p00 + at), v01 = v128.load(p00 + pix + at);
          const v10 = v128.load(p10 + at), v11 = v128.load(p10 + pix + at);
          // Same order as the loop below (row by row, left to right), so NaN and -0 behave alike.
          let acc: v128;
          if (isMax) {
            acc = f32x4.pmax(f32x4.pmax(f32x4.pmax(f32x4.pmax(f32x4.splat(init), v00), v01), v10), v11);
          } else {
            acc = f32x4.div(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.splat(0), v00), v01), v10), v11), f32x4.splat(4));
          }
          v128.store(o, acc);
          o += 16;
        }
      }
      for (; ch < c4; ch += 4) {
        let acc = f32x4.splat(init);
        for (let iy = y0; iy < y1; iy++) {
          let p: usize = base + <usize>iy * rowBytes + (<usize>x0 * <usize>c + <usize>ch) * 4;
          for (let ix = x0; ix < x1; ix++) {
            const v = v128.load(p);
            acc = isMax ? f32x4.pmax(acc, v) : f32x4.add(acc, v);
            p += <usize>c * 4;
          }
        }
        if (!isMax) acc = f32x4.div(acc, f32x4.splat(count));
        v128.store(o, acc);
        o += 16;
      }
      for (; ch < c; ch++) {
        let acc: f32 = init;
        for (let iy = y0; iy < y1; iy++) {
          let p: usize = base + <usize>iy * rowBytes + (<usize>x0 * <usize>c + <usize>ch) * 4;
          for (let ix = x0; ix < x1; ix++) {
            const v = load<f32>(p);
            if (isMax) {
              if (v > acc) acc = v;
            } else {
              acc += v;
            }
            p += <usize>c * 4;
          }
        }
        store<f32>(o, isMax ? acc : acc / count);
        o += 4;
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Elementwise kernels: activations, batch normalisation, merges
// ---------------------------------------------------------------------------

/**
 * Activation codes of {@link activation} beyond the fused ones (0-2), shared
 * with `src/kernels/fast-elementwise.ts`. The transcendental ones are evaluated in
 * float64 and rounded once, as the reference kernels do.
 */
const ACT_SIGMOID: i32 = 3;
const ACT_TANH: i32 = 4;
const ACT_SILU: i32 = 5;
const ACT_HARD_SIGMOID: i32 = 6;
const ACT_SOFTMAX: i32 = 7;

/**
 * `out[i] = act(x[i])` for elements [start, end); `out` may be `x`. For
 * softmax, `rowLen` is the last axis and [start, end) counts rows. relu and
 * relu6 let NaN through, as the reference kernels do.
 */
export function activation(act: i32, x: usize, out: usize, rowLen: i32, start: i32, end: i32): void {
  if (act == ACT_SOFTMAX) {
    for (let r = start; r < end; r++) {
      const p: usize = x + <usize>r * <usize>rowLen * 4;
      const o: usize = out + <usize>r * <usize>rowLen * 4;
      let m: f64 = -Infinity;
      for (let i = 0; i < rowLen; i++) {
        const v = <f64>load<f32>(p + <usize>i * 4);
        if (v > m) m = v;
      }
      let sum: f64 = 0;
      for (let i = 0; i < rowLen; i++) sum += exp64(<f64>load<f32>(p + <usize>i * 4) - m);
      for (let i = 0; i < rowLen; i++) store<f32>(o + <usize>i * 4, <f32>(exp64(<f64>load<f32>(p + <usize>i * 4) - m) / sum));
    }
    return;
  }
  let i = start;
  if (act <= ACT_RELU6) {
    for (; i + 4 <= end; i += 4) v128.store(out + <usize>i * 4, activate(v128.load(x + <usize>i * 4), act));
    for (; i < end; i++) {
      const v = load<f32>(x + <usize>i * 4);
      store<f32>(out + <usize>i * 4, act == ACT_LINEAR ? v : act == ACT_RELU ? (v < 0 ? 0 : v) : v < 0 ? 0 : v > 6 ? 6 : v);
    }
    return;
  }
  for (; i < end; i++) {
    const v = <f64>load<f32>(x + <usize>i * 4);
    let y: f64;
    if (act == ACT_SIGMOID) y = sigmoid64(v);
    else if (act == ACT_TANH) y = tanh64(v);
    else if (act == ACT_SILU) y = v * sigmoid64(v);
    else {
      const t = v + 3;
      y = (t < 0 ? 0 : t > 6 ? 6 : t) / 6;
    }
    store<f32>(out + <usize>i * 4, <f32>y);
  }
}

/**
 * Batch normalisation at inference on the last axis, with a fused relu or
 * relu6: for pixels [start, end) of `channels` values each,
 * `out = act((x - mean[c]) * scale[c] + shift[c])`, with `mean`, `scale` and
 * `shift` float64 arrays, computed in float64 and rounded once, the
 * reference kernel's arithmetic to the bit. `out` may be `x`.
 */
export function channelAffine(
  x: usize, out: usize, channels: i32, mean: usize, scale: usize, shift: usize, act: i32, start: i32, end: i32,
): void {
  for (let p = start; p < end; p++) {
    const base: usize = <usize>p * <usize>channels * 4;
    for (let c = 0; c < channels; c++) {
      const at: usize = <usize>c * 8;
      let y = <f32>((<f64>load<f32>(x + base + <usize>c * 4) - load<f64>(mean + at)) * load<f64>(scale + at) + load<f64>(shift + at));
      if (act == ACT_RELU) y = y < 0 ? 0 : y;
      else if (act == ACT_RELU6) y = y < 0 ? 0 : y > 6 ? 6 : y;
      store<f32>(out + base + <usize>c * 4, y);
    }
  }
}

/** Merge codes of {@link merge}, shared with `src/kernels/fast-elementwise.ts`. */
const MERGE_ADD: i32 = 0;
const MERGE_SUBTRACT: i32 = 1;
const MERGE_MULTIPLY: i32 = 2;
const MERGE_MAXIMUM: i32 = 3;
const MERGE_MINIMUM: i32 = 4;

/**
 * `out[i] = a[i] op b[i]` for elements [start, end), in float32 as the
 * reference merge rounds each step; `out` may be `a` or `b`. maximum and
 * minimum keep `a` when it is NaN or wins a tie, as the reference does,
 * and `act` (relu, relu6) is a fused activation.
 */
export function merge(op: i32, a: usize, b: usize, out: usize, act: i32, start: i32, end: i32): void {
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const at: usize = <usize>i * 4;
    const u = v128.load(a + at);
    const v = v128.load(b + at);
    let r: v128;
    if (op == MERGE_ADD) r = f32x4.add(u, v);
    else if (op == MERGE_SUBTRACT) r = f32x4.sub(u, v);
    else if (op == MERGE_MULTIPLY) r = f32x4.mul(u, v);
    else if (op == MERGE_MAXIMUM) r = v128.bitselect(u, v, v128.or(f32x4.ge(u, v), f32x4.ne(u, u)));
    else r = v128.bitselect(u, v, v128.or(f32x4.le(u, v), f32x4.ne(u, u)));
    v128.store(out + at, activate(r, act));
  }
  for (; i < end; i++) {
    const at: usize = <usize>i * 4;
    const u = load<f32>(a + at);
    const v = load<f32>(b + at);
    let r: f32;
    if (op == MERGE_ADD) r = u + v;
    else if (op == MERGE_SUBTRACT) r = u - v;
    else if (op == MERGE_MULTIPLY) r = u * v;
    else if (op == MERGE_MAXIMUM) r = u >= v || isNaN(u) ? u : v;
    else r = u <= v || isNaN(u) ? u : v;
    if (act == ACT_RELU) r = r < 0 ? 0 : r;
    else if (act == ACT_RELU6) r = r < 0 ? 0 : r > 6 ? 6 : r;
    store<f32>(out + at, r);
  }
}

/** `out[i] = x[i] / divisor` for elements [start, end): the division of an average merge. */
export function divide(x: usize, out: usize, divisor: f32, start: i32, end: i32): void {
  for (let i = start; i < end; i++) store<f32>(out + <usize>i * 4, load<f32>(x + <usize>i * 4) / divisor);
}

/**
 * Depthwise 2-D convolution, NHWC: input channel `c` convolved with its own
 * `m` filters gives output channels `c * m .. c * m + m - 1`; the kernel is
 * Keras's `[kh, kw, c, m]` as it is (no packing), bias `[c * m]` or 0, relu
 * or relu6 fused. Computes output rows (`n * oh` of them) [rowStart,
 * rowEnd); padded taps are skipped. A 3x3 window with one filter per
 * channel (MobileNet's) over a channel count that fills whole SIMD vectors
 * takes {@link depthwise3x3Row}; any other the general per-pixel loop.
 */
export function depthwise2d(
  x: usize, h: i32, w: i32, c: i32, kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, padT: i32, padL: i32,
  oh: i32, ow: i32, m: i32, k: usize, bias: usize, out: usize, act: i32, rowStart: i32, rowEnd: i32,
): void {
  const cout = c * m;
  const rowBytes: usize = <usize>w * <usize>c * 4;
  const pixBytes: usize = <usize>cout * 4;
  const fast3 = kh == 3 && kw == 3 && m == 1 && (c & 3) == 0;
  for (let r = rowStart; r < rowEnd; r++) {
    const img = r / oh;
    const oy = r - img * oh;
    const base: usize = x + <usize>img * <usize>h * rowBytes;
    const o: usize = out + <usize>r * <usize>ow * pixBytes;
    const iy0 = oy * sh - padT;
    if (!fast3) {
      for (let ox = 0; ox < ow; ox++) depthwisePixel(base, h, w, c, kh, kw, dh, dw, iy0, ox * sw - padL, m, k, bias, o + <usize>ox * pixBytes, act);
    } else {
      depthwise3x3Row(base, h, w, c, sw, dh, dw, iy0, padL, ow, k, bias, o, act);
    }
  }
}

/**
 * One output row of a 3x3 depthwise convolution with one filter per
 * channel and `c` a multiple of 4. The columns whose window lies inside the
 * image take {@link depthwise3x3Run}; the others, and every column of a row
 * whose window crosses the top or bottom, take a loop that skips the taps in
 * the padding, as the reference does. Both round in float32 where the
 * reference sums in float64: the checked loop adds the taps row by row, the
 * run the middle row apart.
 */
function depthwise3x3Row(
  base: usize, h: i32, w: i32, c: i32, sw: i32, dh: i32, dw: i32, iy0: i32, padL: i32, ow: i32,
  k: usize, bias: usize, o: usize, act: i32,
): void {
  const pix: usize = <usize>c * 4;
  const rowBytes: usize = <usize>w * pix;
  const tap: usize = <usize>dw * pix;
  const ok0 = iy0 >= 0 && iy0 < h;
  const ok1 = iy0 + dh >= 0 && iy0 + dh < h;
  const ok2 = iy0 + 2 * dh >= 0 && iy0 + 2 * dh < h;
  // A skipped row's pointer is never read: it points at the image's first row so that it stays an address.
  const r0: usize = base + (ok0 ? <usize>iy0 * rowBytes : 0);
  const r1: usize = base + (ok1 ? <usize>(iy0 + dh) * rowBytes : 0);
  const r2: usize = base + (ok2 ? <usize>(iy0 + 2 * dh) * rowBytes : 0);
  let oxA = ow;
  let oxB = ow;
  if (ok0 && ok1 && ok2) {
    oxA = 0;
    while (oxA < ow && oxA * sw - padL < 0) oxA++;
    oxB = ow;
    while (oxB > oxA && (oxB - 1) * sw - padL + 2 * dw >= w) oxB--;
  }
  const z = f32x4.splat(0);
  for (let ox = 0; ox < ow; ox++) {
    if (ox == oxA) {
      if (oxB > oxA) {
        const at: usize = <usize>(oxA * sw - padL) * pix;
        depthwise3x3Run(r0 + at, r1 + at, r2 + at, tap, <usize>sw * pix, oxB - oxA, pix, k, bias, o + <usize>oxA * pix, act);
      }
      ox = oxB;
      if (ox >= ow) break;
    }
    const ix0 = ox * sw - padL;
    const q0 = ix0 >= 0 && ix0 < w;
    const q1 = ix0 + dw >= 0 && ix0 + dw < w;
    const q2 = ix0 + 2 * dw >= 0 && ix0 + 2 * dw < w;
    // A column left of the image gives a wrapped address: the taps read from it are the ones inside.
    const at: usize = <usize>ix0 * pix;
    const a0: usize = r0 + at;
    const a1: usize = r1 + at;
    const a2: usize = r2 + at;
    const d: usize = o + <usize>ox * pix;
    for (let ch: usize = 0; ch < pix; ch += 16) {
      const kc: usize = k + ch;
      let acc = bias == 0 ? z : v128.load(bias + ch);
      if (ok0) {
        if (q0) acc = madd(v128.load(a0 + ch), v128.load(kc), acc);
        if (q1) acc = madd(v128.load(a0 + tap + ch), v128.load(kc + pix), acc);
        if (q2) acc = madd(v128.load(a0 + 2 * tap + ch), v128.load(kc + 2 * pix), acc);
      }
      if (ok1) {
        if (q0) acc = madd(v128.load(a1 + ch), v128.load(kc + 3 * pix), acc);
        if (q1) acc = madd(v128.load(a1 + tap + ch), v128.load(kc + 4 * pix), acc);
        if (q2) acc = madd(v128.load(a1 + 2 * tap + ch), v128.load(kc + 5 * pix), acc);
      }
      if (ok2) {
        if (q0) acc = madd(v128.load(a2 + ch), v128.load(kc + 6 * pix), acc);
        if (q1) acc = madd(v128.load(a2 + tap + ch), v128.load(kc + 7 * pix), acc);
        if (q2) acc = madd(v128.load(a2 + 2 * tap + ch), v128.load(kc + 8 * pix), acc);
      }
      v128.store(d + ch, activate(acc, act));
    }
  }
}

/**
 * `count` output pixels of a 3x3 depthwise row whose windows lie inside the
 * image (`p0..p2` the first window's three rows, `step` bytes between two
 * windows, `tap` between two taps), four channels at a time with their
 * nine weights held in registers along the run. (Two pixels and eight
 * channels at a time with the weights read beside the inputs measured
 * 5-20 % slower at stride 2 and no faster at stride 1; inlined into its
 * caller, this loop ran 6 % slower.)
 */
function depthwise3x3Run(
  p0: usize, p1: usize, p2: usize, tap: usize, step: usize, count: i32, pix: usize,
  k: usize, bias: usize, o: usize, act: i32,
): void {
  const z = f32x4.splat(0);
  for (let ch: usize = 0; ch < pix; ch += 16) {
    const kc: usize = k + ch;
    const k00 = v128.load(kc);
    const k01 = v128.load(kc + pix);
    const k02 = v128.load(kc + 2 * pix);
    const k10 = v128.load(kc + 3 * pix);
    const k11 = v128.load(kc + 4 * pix);
    const k12 = v128.load(kc + 5 * pix);
    const k20 = v128.load(kc + 6 * pix);
    const k21 = v128.load(kc + 7 * pix);
    const k22 = v128.load(kc + 8 * pix);
    const b = bias == 0 ? z : v128.load(bias + ch);
    let a0: usize = p0 + ch;
    let a1: usize = p1 + ch;
    let a2: usize = p2 + ch;
    let d: usize = o + ch;
    for (let i = 0; i < count; i++) {
      // Two chains of multiply-adds, the middle window row apart, summed at the end: one chain of
      // nine waits on each add in turn (7 % slower); three, one per row, spill a weight (8 %).
      let acc = b;
      let mid = f32x4.mul(v128.load(a1), k10);
      acc = madd(v128.load(a0), k00, acc);
      mid = madd(v128.load(a1 + tap), k11, mid);
      acc = madd(v128.load(a0 + tap), k01, acc);
      mid = madd(v128.load(a1 + 2 * tap), k12, mid);
      acc = madd(v128.load(a0 + 2 * tap), k02, acc);
      acc = madd(v128.load(a2), k20, acc);
      acc = madd(v128.load(a2 + tap), k21, acc);
      acc = madd(v128.load(a2 + 2 * tap), k22, acc);
      v128.store(d, activate(f32x4.add(acc, mid), act));
      a0 += step;
      a1 += step;
      a2 += step;
      d += pix;
    }
  }
}

/** One output pixel of a depthwise convolution, every channel, taps in the padding skipped. */
function depthwisePixel(
  base: usize, h: i32, w: i32, c: i32, kh: i32, kw: i32, dh: i32, dw: i32, iy0: i32, ix0: i32, m: i32,
  k: usize, bias: usize, o: usize, act: i32,
): void {
  const cout = c * m;
  const inPix: usize = <usize>c * 4;
  const rowBytes: usize = <usize>w * inPix;
  const tapBytes: usize = <usize>cout * 4;
  const c4 = m == 1 ? c & ~3 : 0;
  let ch = 0;
  for (; ch < c4; ch += 4) {
    let acc = bias == 0 ? f32x4.splat(0) : v128.load(bias + <usize>ch * 4);
    for (let ky = 0; ky < kh; ky++) {
      const iy = iy0 + ky * dh;
      if (iy < 0 || iy >= h) continue;
      const row: usize = base + <usize>iy * rowBytes + <usize>ch * 4;
      const krow: usize = k + <usize>ky * <usize>kw * tapBytes + <usize>ch * 4;
      for (let kx = 0; kx < kw; kx++) {
        const ix = ix0 + kx * dw;
        if (ix < 0 || ix >= w) continue;
        acc = madd(v128.load(row + <usize>ix * inPix), v128.load(krow + <usize>kx * tapBytes), acc);
      }
    }
    v128.store(o + <usize>ch * 4, activate(acc, act));
  }
  for (let co = ch * m; co < cout; co++) {
    const ci = co / m;
    let acc: f32 = bias == 0 ? 0 : load<f32>(bias + <usize>co * 4);
    for (let ky = 0; ky < kh; ky++) {
      const iy = iy0 + ky * dh;
      if (iy < 0 || iy >= h) continue;
      for (let kx = 0; kx < kw; kx++) {
        const ix = ix0 + kx * dw;
        if (ix < 0 || ix >= w) continue;
        acc += load<f32>(base + <usize>iy * rowBytes + <usize>ix * inPix + <usize>ci * 4) * load<f32>(k + (<usize>(ky * kw + kx)) * tapBytes + <usize>co * 4);
      }
    }
    if (act == ACT_RELU) acc = acc < 0 ? 0 : acc;
    else if (act == ACT_RELU6) acc = acc < 0 ? 0 : acc > 6 ? 6 : acc;
    store<f32>(o + <usize>co * 4, acc);
  }
}

// ---------------------------------------------------------------------------
// Sequence kernels: attention, layer normalisation, recurrent cells, lookups
// ---------------------------------------------------------------------------

/**
 * `C[rows, cols] = A * B` for one packed A block (`mc` rows, K block
 * [k0, k0 + kc) of `kTotal`) and the NR-wide panels of B, C rows `ldc`
 * bytes apart (a column range of a wider matrix).
 */
function panelProduct(pa: usize, mc: i32, kc: i32, k0: i32, kTotal: i32, wp: usize, cols: i32, out: usize, ldc: usize): void {
  const first = k0 == 0;
  const last = k0 + kc == kTotal;
  for (let p = 0; p * NR < cols; p++) {
    const bp: usize = wp + (<usize>p * <usize>kTotal + <usize>k0) * NR * 4;
    let nr = cols - p * NR;
    if (nr > NR) nr = NR;
    for (let i = 0; i < mc; i += MR) {
      let mr = mc - i;
      if (mr > MR) mr = MR;
      tile4x8(kc, pa + <usize>i * ASTRIDE, bp, out + <usize>i * ldc + <usize>p * NR * 4, ldc, 0, first, last, ACT_LINEAR, 0, mr, nr, false);
    }
  }
}

/**
 * Transposes NR full rows (`stride` bytes apart) into one panel of
 * {@link packPanels}, four columns at a time as two 4x4 shuffles per row
 * half; returns the columns done (`cols` rounded down to four), the rest
 * left to the caller.
 */
function transpose4x8(base: usize, src: usize, stride: usize, cols: i32): i32 {
  let d = 0;
  for (; d + 4 <= cols; d += 4) {
    const at: usize = <usize>d * 4;
    const o: usize = base + <usize>d * NR * 4;
    for (let half = 0; half < 2; half++) {
      const s: usize = src + <usize>(half * 4) * stride + at;
      const r0 = v128.load(s);
      const r1 = v128.load(s + stride);
      const r2 = v128.load(s + 2 * stride);
      const r3 = v128.load(s + 3 * stride);
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const h: usize = o + <usize>half * 16;
      v128.store(h, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(h + NR * 4, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(h + 2 * NR * 4, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(h + 3 * NR * 4, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
  }
  return d;
}

/**
 * Packs `cols` columns (from byte offset 0 of each row, rows `stride`
 * bytes apart, `rows` of them) into NR-wide panels of `rows` k-rows each,
 * zeros past the last column: B of {@link panelProduct}. With `transpose`
 * the matrix's rows become the panels' columns (keys for the scores).
 */
function packPanels(dst: usize, src: usize, stride: usize, rows: i32, cols: i32, transpose: bool): void {
  if (transpose) {
    // Panel p holds rows p*NR.. as columns: dst[p][d][jj] = src[p*NR + jj][d], d < cols.
    for (let p = 0; p * NR < rows; p++) {
      const base: usize = dst + <usize>p * <usize>cols * NR * 4;
      if (rows - p * NR >= NR) {
        const d4 = transpose4x8(base, src + <usize>(p * NR) * stride, stride, cols);
        for (let jj = 0; jj < NR; jj++) {
          const s0: usize = src + <usize>(p * NR + jj) * stride;
          for (let d = d4; d < cols; d++) store<f32>(base + (<usize>d * NR + <usize>jj) * 4, load<f32>(s0 + <usize>d * 4));
        }
        continue;
      }
      for (let jj = 0; jj < NR; jj++) {
        const j = p * NR + jj;
        const s0: usize = src + <usize>j * stride;
        for (let d = 0; d < cols; d++) store<f32>(base + (<usize>d * NR + <usize>jj) * 4, j < rows ? load<f32>(s0 + <usize>d * 4) : 0);
      }
    }
    return;
  }
  for (let p = 0; p * NR < cols; p++) {
    const base: usize = dst + <usize>p * <usize>rows * NR * 4;
    let nr = cols - p * NR;
    if (nr > NR) nr = NR;
    for (let j = 0; j < rows; j++) {
      const s0: usize = src + <usize>j * stride + <usize>p * NR * 4;
      const d0: usize = base + <usize>j * NR * 4;
      if (nr == NR) {
        v128.store(d0, v128.load(s0));
        v128.store(d0, v128.load(s0, 16), 16);
      } else {
        for (let c = 0; c < NR; c++) store<f32>(d0 + <usize>c * 4, c < nr ? load<f32>(s0 + <usize>c * 4) : 0);
      }
    }
  }
}

/** Floats of scratch {@link attention} needs per thread. */
export function attentionScratchFloats(tv: i32, kd: i32, vd: i32): i32 {
  const tvPad = (tv + NR - 1) & ~(NR - 1);
  const vdPad = (vd + NR - 1) & ~(NR - 1);
  return MC * KC + MC * tv + tvPad * kd + vdPad * tv;
}

/**
 * {@link packRows} with every value multiplied by `scale` (rounded to
 * float32 per value): the queries scaled before their product with the
 * keys, as Keras scales them, at no extra pass.
 */
function packScaledRows(dst: usize, x: usize, lda: i32, m0: i32, mcPad: i32, mEnd: i32, k0: i32, kc: i32, scale: f32): void {
  const sv = f32x4.splat(scale);
  for (let i = 0; i < mcPad; i++) {
    let r = m0 + i;
    if (r >= mEnd) r = mEnd - 1;
    const d: usize = dst + <usize>i * ASTRIDE;
    const s: usize = x + (<usize>r * <usize>lda + <usize>k0) * 4;
    let j = 0;
    for (; j + 4 <= kc; j += 4) v128.store(d + <usize>j * 4, f32x4.mul(v128.load(s + <usize>j * 4), sv));
    for (; j < kc; j++) store<f32>(d + <usize>j * 4, load<f32>(s + <usize>j * 4) * scale);
  }
}

/**
 * The softmax of one row of `n` scores at `row`, written to `dst` (may be
 * `row`): the maximum in a read-only pass, then `exp(s - max)` stored with
 * its sum, then each scaled by `1 / sum`. The maximum skips NaN (`pmax`, one
 * instruction where `max` takes several), but a NaN score's exponential is
 * NaN, so the sum and the whole row are NaN, as in the reference.
 */
@inline
function softmaxRow(row: usize, dst: usize, n: i32): void {
  const n4 = n & ~3;
  let mx = f32x4.splat(-Infinity);
  let j = 0;
  for (; j < n4; j += 4) mx = f32x4.pmax(mx, v128.load(row + <usize>j * 4));
  let max: f32 = Mathf.max(Mathf.max(f32x4.extract_lane(mx, 0), f32x4.extract_lane(mx, 1)), Mathf.max(f32x4.extract_lane(mx, 2), f32x4.extract_lane(mx, 3)));
  for (; j < n; j++) max = Mathf.max(max, load<f32>(row + <usize>j * 4));
  const mv = f32x4.splat(max);
  let sum4 = f32x4.splat(0);
  j = 0;
  for (; j < n4; j += 4) {
    const e = expNeg4(f32x4.sub(v128.load(row + <usize>j * 4), mv));
    v128.store(dst + <usize>j * 4, e);
    sum4 = f32x4.add(sum4, e);
  }
  let sum: f32 = f32x4.extract_lane(sum4, 0) + f32x4.extract_lane(sum4, 1) + (f32x4.extract_lane(sum4, 2) + f32x4.extract_lane(sum4, 3));
  for (; j < n; j++) {
    const e = f32x4.extract_lane(expNeg4(f32x4.splat(load<f32>(row + <usize>j * 4) - max)), 0);
    store<f32>(dst + <usize>j * 4, e);
    sum += e;
  }
  const inv: f32 = 1 / sum;
  const iv = f32x4.splat(inv);
  j = 0;
  for (; j < n4; j += 4) v128.store(dst + <usize>j * 4, f32x4.mul(v128.load(dst + <usize>j * 4), iv));
  for (; j < n; j++) store<f32>(dst + <usize>j * 4, load<f32>(dst + <usize>j * 4) * inv);
}

/**
 * Scaled dot-product attention with a fused softmax, over projections laid
 * out as the projection products write them: `q` `[batch * tq, heads * kd]`,
 * `k` `[batch * tv, heads * kd]`, `v` `[batch * tv, heads * vd]`; writes the
 * context `out` `[batch * tq, heads * vd]`. Computes the (sample, head)
 * pairs [start, end) of `batch * heads`: per pair, the keys and values are
 * packed once, then blocks of query rows, scaled as they are packed, take
 * their scores as one blocked product, the softmax in float32 per row, and
 * the context as a second product. Up to `KC` key steps, the softmax writes
 * its weights straight into the packed rows of the second product. `scratch`
 * holds {@link attentionScratchFloats} floats of the calling thread.
 */
export function attention(
  q: usize, k: usize, v: usize, out: usize, tq: i32, tv: i32, heads: i32, kd: i32, vd: i32, scale: f32,
  start: i32, end: i32, scratch: usize,
): void {
  const qStride: usize = <usize>(heads * kd) * 4;
  const vStride: usize = <usize>(heads * vd) * 4;
  const pa: usize = scratch;
  const sc: usize = pa + <usize>(MC * KC) * 4;
  const kt: usize = sc + <usize>(MC * tv) * 4;
  const tvPad = (tv + NR - 1) & ~(NR - 1);
  const vp: usize = kt + <usize>(tvPad * kd) * 4;
  const packed = tv <= KC;
  for (let bh = start; bh < end; bh++) {
    const head = bh % heads;
    const b = bh / heads;
    const qBase: usize = q + <usize>(b * tq) * qStride + <usize>(head * kd) * 4;
    packPanels(kt, k + <usize>(b * tv) * qStride + <usize>(head * kd) * 4, qStride, tv, kd, true);
    packPanels(vp, v + <usize>(b * tv) * vStride + <usize>(head * vd) * 4, vStride, tv, vd, false);
    for (let m0 = 0; m0 < tq; m0 += MC) {
      let mc = tq - m0;
      if (mc > MC) mc = MC;
      const mcPad = (mc + MR - 1) & ~(MR - 1);
      for (let k0 = 0; k0 < kd; k0 += KC) {
        const kc = kd - k0 < KC ? kd - k0 : KC;
        packScaledRows(pa, qBase, heads * kd, m0, mcPad, tq, k0, kc, scale);
        panelProduct(pa, mc, kc, k0, kd, kt, tv, sc, <usize>tv * 4);
      }
      const o: usize = out + <usize>(b * tq + m0) * vStride + <usize>(head * vd) * 4;
      if (packed) {
        // The weights land where the second product reads them; the padding rows of its last
        // tile are computed but never stored, and zeros keep them finite.
        for (let i = 0; i < mc; i++) softmaxRow(sc + <usize>(i * tv) * 4, pa + <usize>i * ASTRIDE, tv);
        for (let i = mc; i < mcPad; i++) zeroRun(pa + <usize>i * ASTRIDE, tv);
        panelProduct(pa, mc, tv, 0, tv, vp, vd, o, vStride);
      } else {
        for (let i = 0; i < mc; i++) {
          const row: usize = sc + <usize>(i * tv) * 4;
          softmaxRow(row, row, tv);
        }
        for (let k0 = 0; k0 < tv; k0 += KC) {
          const kc = tv - k0 < KC ? tv - k0 : KC;
          packRows(pa, sc, tv, 0, mcPad, mc, k0, kc);
          panelProduct(pa, mc, kc, k0, tv, vp, vd, o, vStride);
        }
      }
    }
  }
}

/**
 * Layer normalisation of rows [start, end) of `width` contiguous float32
 * values: `(x - mean) / sqrt(variance + epsilon) * gamma + beta` with the
 * biased variance. The mean is summed in float64 two lanes at a time and
 * kept as two float32 parts (`x - hi - lo` loses nothing where `x` is near
 * the mean, so a large mean and a small spread cost no precision); the
 * variance and the normalisation run in float32 four lanes at a time, and
 * only `1 / sqrt(variance + epsilon)` is taken once per row in float64.
 * `gamma`, `beta` may be 0 (none); `out` may be `x`.
 */
export function layerNormRows(x: usize, out: usize, width: i32, gamma: usize, beta: usize, epsilon: f64, start: i32, end: i32): void {
  const w4 = width & ~3;
  const n = <f32>width;
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  for (let r = start; r < end; r++) {
    const p: usize = x + <usize>r * <usize>width * 4;
    const o: usize = out + <usize>r * <usize>width * 4;
    let s0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    let i = 0;
    for (; i < w4; i += 4) {
      const v = v128.load(p + <usize>i * 4);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1)));
    }
    const s = f64x2.add(s0, s1);
    let sum: f64 = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
    for (; i < width; i++) sum += <f64>load<f32>(p + <usize>i * 4);
    const mean: f64 = sum / <f64>width;
    const hi = <f32>mean;
    const lo = <f32>(mean - <f64>hi);
    const hv = f32x4.splat(hi);
    const lv = f32x4.splat(lo);
    let q = zero;
    for (i = 0; i < w4; i += 4) {
      const d = f32x4.sub(f32x4.sub(v128.load(p + <usize>i * 4), hv), lv);
      q = madd(d, d, q);
    }
    let squares = (f32x4.extract_lane(q, 0) + f32x4.extract_lane(q, 1)) + (f32x4.extract_lane(q, 2) + f32x4.extract_lane(q, 3));
    for (; i < width; i++) {
      const d = (load<f32>(p + <usize>i * 4) - hi) - lo;
      squares += d * d;
    }
    const inv = <f32>(1 / Math.sqrt(<f64>(squares / n) + epsilon));
    const iv = f32x4.splat(inv);
    for (i = 0; i < w4; i += 4) {
      const at: usize = <usize>i * 4;
      const normalised = f32x4.mul(f32x4.sub(f32x4.sub(v128.load(p + at), hv), lv), iv);
      v128.store(o + at, madd(normalised, gamma == 0 ? one : v128.load(gamma + at), beta == 0 ? zero : v128.load(beta + at)));
    }
    for (; i < width; i++) {
      const at: usize = <usize>i * 4;
      const normalised = ((load<f32>(p + at) - hi) - lo) * inv;
      const g: f32 = gamma == 0 ? 1 : load<f32>(gamma + at);
      const bb: f32 = beta == 0 ? 0 : load<f32>(beta + at);
      store<f32>(o + at, normalised * g + bb);
    }
  }
}

/**
 * Embedding lookup: for indices [start, end) of `idx` (float32 whole
 * numbers, already checked to lie in the table), copies row `idx[i]` of the
 * `[rows, dim]` table to row `i` of `out`.
 */
export function gatherRows(idx: usize, table: usize, dim: i32, out: usize, start: i32, end: i32): void {
  const bytes: usize = <usize>dim * 4;
  for (let i = start; i < end; i++) {
    const row = <usize><i32>load<f32>(idx + <usize>i * 4);
    memory.copy(out + <usize>i * bytes, table + row * bytes, bytes);
  }
}

// ---------------------------------------------------------------------------
// Padding and global pooling
// ---------------------------------------------------------------------------

/**
 * Zero padding: fills the `outFloats` floats of `out` with zeros, then
 * copies the input's runs of `run` contiguous floats (the last padded axis
 * and the axes after it) into the interior. Runs are indexed by up to three
 * outer axes of sizes `o0`, `o1`, `o2` whose output strides (floats) are
 * `s0`, `s1`, `s2`; `start` is the output offset of the first run.
 */
export function padCopy(
  x: usize, out: usize, outFloats: i32, run: i32, o0: i32, o1: i32, o2: i32, s0: i32, s1: i32, s2: i32, start: i32,
): void {
  memory.fill(out, 0, <usize>outFloats * 4);
  const bytes: usize = <usize>run * 4;
  let src = x;
  for (let a = 0; a < o0; a++) {
    for (let b = 0; b < o1; b++) {
      for (let c = 0; c < o2; c++) {
        const dst: usize = out + (<usize>start + <usize>a * <usize>s0 + <usize>b * <usize>s1 + <usize>c * <usize>s2) * 4;
        memory.copy(dst, src, bytes);
        src += bytes;
      }
    }
  }
}

/**
 * Global pooling, channels last: for samples [start, end), the maximum
 * (`kind` 0; a NaN wins) or the float64 mean (`kind` 1) of each of `c`
 * channels over `positions` positions, summed in the reference kernel's
 * order (the same bits).
 */
export function globalPool(kind: i32, x: usize, out: usize, positions: i32, c: i32, start: i32, end: i32): void {
  const stride: usize = <usize>c * 4;
  for (let b = start; b < end; b++) {
    const base: usize = x + <usize>b * <usize>positions * stride;
    for (let ch = 0; ch < c; ch++) {
      let p: usize = base + <usize>ch * 4;
      if (kind == 0) {
        let m: f32 = -Infinity;
        for (let i = 0; i < positions; i++, p += stride) {
          const v = load<f32>(p);
          if (v > m || isNaN(v)) m = v;
        }
        store<f32>(out + (<usize>b * <usize>c + <usize>ch) * 4, m);
      } else {
        let s: f64 = 0;
        for (let i = 0; i < positions; i++, p += stride) s += <f64>load<f32>(p);
        store<f32>(out + (<usize>b * <usize>c + <usize>ch) * 4, <f32>(s / <f64>positions));
      }
    }
  }
}

/**
 * Batch normalisation at inference folded to one multiply-add per value:
 * for pixels [start, end) of `channels` values each,
 * `out = act(x * scale[c] + shift[c])` in float32, four channels per SIMD
 * vector, relu or relu6 fused; `out` may be `x`.
 */
export function channelScaleShift(
  x: usize, out: usize, channels: i32, scale: usize, shift: usize, act: i32, start: i32, end: i32,
): void {
  const c4 = channels & ~3;
  for (let p = start; p < end; p++) {
    const base: usize = <usize>p * <usize>channels * 4;
    let c = 0;
    for (; c < c4; c += 4) {
      const at: usize = <usize>c * 4;
      const v = f32x4.add(f32x4.mul(v128.load(x + base + at), v128.load(scale + at)), v128.load(shift + at));
      v128.store(out + base + at, activate(v, act));
    }
    for (; c < channels; c++) {
      const at: usize = <usize>c * 4;
      let y: f32 = load<f32>(x + base + at) * load<f32>(scale + at) + load<f32>(shift + at);
      if (act == ACT_RELU) y = y < 0 ? 0 : y;
      else if (act == ACT_RELU6) y = y < 0 ? 0 : y > 6 ? 6 : y;
      store<f32>(out + base + at, y);
    }
  }
}

export * from "./elementwise";
export * from "./recurrent";
export * from "./pack";
export * from "./copy";
export { relaxedSimd } from "./madd";
export * from "./rows";
