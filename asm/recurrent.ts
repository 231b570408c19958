/**
 * Recurrent cell kernels: a whole LSTM, GRU or SimpleRNN pass in one call
 * per thread (each thread its batch rows, which never meet), so no step
 * hands off between threads. The input projections for all steps come in
 * as one matrix product computed beforehand; each step's recurrent product
 * is the packed dense product of `asm/kernels.ts` over the thread's rows.
 * Gates run sigmoid and tanh in float32 four lanes at a time, any other
 * activation by its float64 code of `asm/math.ts`.
 */

import { dense, panelWidth } from "./kernels";
import { madd } from "./madd";
import { U_SIGMOID, U_TANH, expNeg4, unary64 } from "./math";

/** The linear activation code of `dense`: the recurrent product has no epilogue. */
const ACT_LINEAR: i32 = 0;

/**
 * A scalar activation by code, in float64 (the codes of `activation` in `asm/kernels.ts`
 * and beyond them those of `unary64`, ELU with Keras's alpha of 1).
 */
function act64(code: i32, v: f64): f64 {
  return unary64(code, v, 1.0, Infinity, 0);
}

/** sigmoid in float32 on four lanes: `1 / (1 + e^-|v|)`, mirrored below 0, from {@link expNeg4} (a few ulp). */
@inline
function sigmoid4(v: v128): v128 {
  const e = expNeg4(f32x4.neg(f32x4.abs(v)));
  const up = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
  return v128.bitselect(up, f32x4.mul(e, up), f32x4.ge(v, f32x4.splat(0)));
}

/** tanh in float32 on four lanes: `(1 - e) / (1 + e)` with `e = e^-2|v|`, the sign of `v` (absolute error under 1e-7). */
@inline
function tanh4(v: v128): v128 {
  const e = expNeg4(f32x4.mul(f32x4.abs(v), f32x4.splat(-2)));
  const t = f32x4.div(f32x4.sub(f32x4.splat(1), e), f32x4.add(f32x4.splat(1), e));
  return v128.or(t, v128.and(v, f32x4.splat(-0.0)));
}

/** A gate's activation on four lanes: sigmoid and tanh in float32, any other code lane by lane in float64. */
@inline
function gate4(code: i32, v: v128): v128 {
  if (code == U_SIGMOID) return sigmoid4(v);
  if (code == U_TANH) return tanh4(v);
  let r = f32x4.splat(0);
  r = f32x4.replace_lane(r, 0, <f32>act64(code, <f64>f32x4.extract_lane(v, 0)));
  r = f32x4.replace_lane(r, 1, <f32>act64(code, <f64>f32x4.extract_lane(v, 1)));
  r = f32x4.replace_lane(r, 2, <f32>act64(code, <f64>f32x4.extract_lane(v, 2)));
  r = f32x4.replace_lane(r, 3, <f32>act64(code, <f64>f32x4.extract_lane(v, 3)));
  return r;
}

/** A gate's activation on one float: as {@link gate4}, so a tail column gets the lanes' arithmetic. */
@inline
function gate1(code: i32, v: f32): f32 {
  if (code == U_SIGMOID || code == U_TANH) return f32x4.extract_lane(gate4(code, f32x4.splat(v)), 0);
  return <f32>act64(code, <f64>v);
}

/** The address of batch row `b`'s step `t` in a `[batch, steps, width]` block (`bytes` a step's width in bytes). */
@inline
function stepAt(base: usize, b: i32, steps: i32, t: i32, bytes: usize): usize {
  return base + (<usize>b * <usize>steps + <usize>t) * bytes;
}

/** Where batch row `b`'s state at output step `s` goes in `seq`, 0 when no sequence is written. */
@inline
function seqAt(seq: usize, b: i32, steps: i32, s: i32, bytes: usize): usize {
  return seq == 0 ? 0 : stepAt(seq, b, steps, s, bytes);
}

/** Stores four lanes of a new state into `h` and, unless `o` is 0, into the output sequence. */
@inline
function putState4(hb: usize, o: usize, at: usize, v: v128): void {
  v128.store(hb + at, v);
  if (o != 0) v128.store(o + at, v);
}

/** {@link putState4} for one tail column. */
@inline
function putState1(hb: usize, o: usize, at: usize, v: f32): void {
  store<f32>(hb + at, v);
  if (o != 0) store<f32>(o + at, v);
}

/**
 * `z[j] = gate(x[j] + z[j])` for the `n` floats at `z` and `x`, in place: a
 * gate's columns of one row, activated before the state update reads them.
 * Each column on its own, so consecutive columns' exponentials overlap in
 * the processor; fused into the update, one column's five activations
 * formed one long chain of dependent operations per iteration.
 */
@inline
function gateRun(code: i32, x: usize, z: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const at: usize = <usize>j * 4;
    v128.store(z + at, gate4(code, f32x4.add(v128.load(x + at), v128.load(z + at))));
  }
  for (; j < n; j++) {
    const at: usize = <usize>j * 4;
    store<f32>(z + at, gate1(code, load<f32>(x + at) + load<f32>(z + at)));
  }
}

/**
 * A whole LSTM pass for batch rows [start, end), every step in one call.
 * `xw` `[batch, steps, 4 * units]` holds the input projections with the
 * bias (gates i, f, c, o); `rp` the recurrent kernel packed in panels.
 * Each step multiplies the rows' states by `rp` into `z` (the rows of a
 * `[batch, 4 * units]` block); per row, a sweep adds the projections and
 * evaluates the gates in place ({@link gateRun}: `rec`, `act` for the
 * candidate; sigmoid and tanh in float32, others by their float64 code),
 * then one over four columns at a time takes the cell's output (`act`)
 * and updates `c` and `h` (`[batch, units]`, the
 * initial states on entry) in place, writing `h` to `seq`
 * (`[batch, steps, units]`) unless 0. `back` walks the input from its last
 * step (output step `s` reads input step `steps - 1 - s`). `scratch` holds
 * `scratchFloats` floats and belongs to the calling thread.
 */
export function lstmSequence(
  xw: usize, steps: i32, units: i32, rp: usize, h: usize, c: usize, z: usize, act: i32, rec: i32,
  seq: usize, back: i32, start: i32, end: i32, scratch: usize,
): void {
  const width = 4 * units;
  const panels = (width + panelWidth() - 1) / panelWidth();
  const u: usize = <usize>units * 4;
  for (let s = 0; s < steps; s++) {
    const t = back != 0 ? steps - 1 - s : s;
    dense(h, units, width, rp, 0, z, ACT_LINEAR, 0, start, end, 0, panels, scratch);
    for (let b = start; b < end; b++) {
      const x = stepAt(xw, b, steps, t, <usize>width * 4);
      const zz: usize = z + <usize>b * <usize>width * 4;
      const cb: usize = c + <usize>b * u;
      const hb: usize = h + <usize>b * u;
      const o = seqAt(seq, b, steps, s, u);
      gateRun(rec, x, zz, 2 * units);
      gateRun(act, x + 2 * u, zz + 2 * u, units);
      gateRun(rec, x + 3 * u, zz + 3 * u, units);
      let j = 0;
      for (; j + 4 <= units; j += 4) {
        const at: usize = <usize>j * 4;
        const cn = f32x4.add(f32x4.mul(v128.load(zz + u + at), v128.load(cb + at)), f32x4.mul(v128.load(zz + at), v128.load(zz + 2 * u + at)));
        v128.store(cb + at, cn);
        const hn = f32x4.mul(v128.load(zz + 3 * u + at), gate4(act, cn));
        putState4(hb, o, at, hn);
      }
      for (; j < units; j++) {
        const at: usize = <usize>j * 4;
        const cn: f32 = load<f32>(zz + u + at) * load<f32>(cb + at) + load<f32>(zz + at) * load<f32>(zz + 2 * u + at);
        store<f32>(cb + at, cn);
        const hn: f32 = load<f32>(zz + 3 * u + at) * gate1(act, cn);
        putState1(hb, o, at, hn);
      }
    }
  }
}

/** `z * h + (1 - z) * hh` on four lanes: a GRU's new state. */
@inline
function blend4(z: v128, h: v128, hh: v128): v128 {
  return f32x4.add(f32x4.mul(z, h), f32x4.mul(f32x4.sub(f32x4.splat(1), z), hh));
}

/**
 * A whole GRU pass (Keras 3's `resetAfter`: the reset gate scales the
 * candidate's recurrent product) for batch rows [start, end), every step in
 * one call. `xw` `[batch, steps, 3 * units]` holds the input projections
 * with the input bias (gates z, r, h); `rp` the recurrent kernel packed in
 * panels and `rb` its bias padded to whole panels (0 for none). Each step
 * multiplies the rows' states by `rp` into `z` (rows of a
 * `[batch, 3 * units]` block); per row, a sweep takes
 * `z = rec(x_z + hw_z)` and `r = rec(x_r + hw_r)` in place
 * ({@link gateRun}), then one over four columns at a time
 * `hh = act(x_h + r * hw_h)` and `h = z * h + (1 - z) * hh` in place
 * (`[batch, units]`, the initial state on entry), writing `h` to `seq`
 * (`[batch, steps, units]`) unless 0. `back` walks the input from its last
 * step. `scratch` holds `scratchFloats` floats of the calling thread.
 */
export function gruSequence(
  xw: usize, steps: i32, units: i32, rp: usize, rb: usize, h: usize, z: usize, act: i32, rec: i32,
  seq: usize, back: i32, start: i32, end: i32, scratch: usize,
): void {
  const width = 3 * units;
  const panels = (width + panelWidth() - 1) / panelWidth();
  const u: usize = <usize>units * 4;
  for (let s = 0; s < steps; s++) {
    const t = back != 0 ? steps - 1 - s : s;
    dense(h, units, width, rp, rb, z, ACT_LINEAR, 0, start, end, 0, panels, scratch);
    for (let b = start; b < end; b++) {
      const x = stepAt(xw, b, steps, t, <usize>width * 4);
      const zz: usize = z + <usize>b * <usize>width * 4;
      const hb: usize = h + <usize>b * u;
      const o = seqAt(seq, b, steps, s, u);
      gateRun(rec, x, zz, 2 * units);
      let j = 0;
      for (; j + 4 <= units; j += 4) {
        const at: usize = <usize>j * 4;
        const zg = v128.load(zz + at);
        const rg = v128.load(zz + u + at);
        const hh = gate4(act, madd(rg, v128.load(zz + 2 * u + at), v128.load(x + 2 * u + at)));
        const hn = blend4(zg, v128.load(hb + at), hh);
        putState4(hb, o, at, hn);
      }
      for (; j < units; j++) {
        const at: usize = <usize>j * 4;
        const zg = load<f32>(zz + at);
        const rg = load<f32>(zz + u + at);
        const hh = f32x4.extract_lane(gate4(act, madd(f32x4.splat(rg), f32x4.splat(load<f32>(zz + 2 * u + at)), f32x4.splat(load<f32>(x + 2 * u + at)))), 0);
        const hn: f32 = zg * load<f32>(hb + at) + (1 - zg) * hh;
        putState1(hb, o, at, hn);
      }
    }
  }
}

/**
 * A whole GRU pass that resets before its recurrent product (Keras's
 * `reset_after=False`) for batch rows [start, end), every step in one call.
 * `xw` as for {@link gruSequence} (one bias, in the projections); `gp` the
 * update and reset columns of the recurrent kernel packed in panels
 * (`[units, 2 * units]`), `cp` its candidate columns (`[units, units]`).
 * Each step multiplies the rows' states by `gp` into `zr`
 * (`[batch, 2 * units]`), takes `z = rec(x_z + hw_z)` and
 * `r = rec(x_r + hw_r)` there in place ({@link gateRun}) and `r * h` into
 * `rh` (`[batch, units]`), multiplies that by `cp` into `hc`
 * (`[batch, units]`), then `hh = act(x_h + hc)` and
 * `h = z * h + (1 - z) * hh` in place, written to `seq` unless 0.
 */
export function gruResetSequence(
  xw: usize, steps: i32, units: i32, gp: usize, cp: usize, h: usize, zr: usize, rh: usize, hc: usize,
  act: i32, rec: i32, seq: usize, back: i32, start: i32, end: i32, scratch: usize,
): void {
  const width = 3 * units;
  const nr = panelWidth();
  const gatePanels = (2 * units + nr - 1) / nr;
  const candidatePanels = (units + nr - 1) / nr;
  const u: usize = <usize>units * 4;
  for (let s = 0; s < steps; s++) {
    const t = back != 0 ? steps - 1 - s : s;
    dense(h, units, 2 * units, gp, 0, zr, ACT_LINEAR, 0, start, end, 0, gatePanels, scratch);
    for (let b = start; b < end; b++) {
      const x = stepAt(xw, b, steps, t, <usize>width * 4);
      const zz: usize = zr + <usize>b * u * 2;
      const hb: usize = h + <usize>b * u;
      const rb: usize = rh + <usize>b * u;
      gateRun(rec, x, zz, 2 * units);
      let j = 0;
      for (; j + 4 <= units; j += 4) {
        const at: usize = <usize>j * 4;
        v128.store(rb + at, f32x4.mul(v128.load(zz + u + at), v128.load(hb + at)));
      }
      for (; j < units; j++) {
        const at: usize = <usize>j * 4;
        store<f32>(rb + at, load<f32>(zz + u + at) * load<f32>(hb + at));
      }
    }
    dense(rh, units, units, cp, 0, hc, ACT_LINEAR, 0, start, end, 0, candidatePanels, scratch);
    for (let b = start; b < end; b++) {
      const x = stepAt(xw, b, steps, t, <usize>width * 4);
      const zz: usize = zr + <usize>b * u * 2;
      const cb: usize = hc + <usize>b * u;
      const hb: usize = h + <usize>b * u;
      const o = seqAt(seq, b, steps, s, u);
      let j = 0;
      for (; j + 4 <= units; j += 4) {
        const at: usize = <usize>j * 4;
        const zg = v128.load(zz + at);
        const hh = gate4(act, f32x4.add(v128.load(x + 2 * u + at), v128.load(cb + at)));
        const hn = blend4(zg, v128.load(hb + at), hh);
        putState4(hb, o, at, hn);
      }
      for (; j < units; j++) {
        const at: usize = <usize>j * 4;
        const zg = load<f32>(zz + at);
        const hh = gate1(act, load<f32>(x + 2 * u + at) + load<f32>(cb + at));
        const hn: f32 = zg * load<f32>(hb + at) + (1 - zg) * hh;
        putState1(hb, o, at, hn);
      }
    }
  }
}

/**
 * A whole SimpleRNN pass for batch rows [start, end), every step in one
 * call: `h = act(x + h * rp)` per step, `xw` `[batch, steps, units]` the
 * input projections with the bias, `rp` the recurrent kernel packed in
 * panels, `z` the rows' products (`[batch, units]`), `h` the state in
 * place, written to `seq` (`[batch, steps, units]`) unless 0.
 */
export function rnnSequence(
  xw: usize, steps: i32, units: i32, rp: usize, h: usize, z: usize, act: i32,
  seq: usize, back: i32, start: i32, end: i32, scratch: usize,
): void {
  const panels = (units + panelWidth() - 1) / panelWidth();
  const u: usize = <usize>units * 4;
  for (let s = 0; s < steps; s++) {
    const t = back != 0 ? steps - 1 - s : s;
    dense(h, units, units, rp, 0, z, ACT_LINEAR, 0, start, end, 0, panels, scratch);
    for (let b = start; b < end; b++) {
      const x = stepAt(xw, b, steps, t, u);
      const zz: usize = z + <usize>b * u;
      const hb: usize = h + <usize>b * u;
      const o = seqAt(seq, b, steps, s, u);
      let j = 0;
      for (; j + 4 <= units; j += 4) {
        const at: usize = <usize>j * 4;
        const hn = gate4(act, f32x4.add(v128.load(x + at), v128.load(zz + at)));
        putState4(hb, o, at, hn);
      }
      for (; j < units; j++) {
        const at: usize = <usize>j * 4;
        const hn = gate1(act, load<f32>(x + at) + load<f32>(zz + at));
        putState1(hb, o, at, hn);
      }
    }
  }
}

/**
 * Whether rows [start, end) of `x` (`dim` floats each) are, bit for bit,
 * the rows of the `[rows, dim]` `table` that the float32 indices `idx` name
 * (each a whole number in [0, rows)): 1 if so, else 0. A recurrent layer
 * fed by an embedding checks this before it reads its input projections
 * from the embedding's table projected once, so a tensor changed since the
 * lookup is projected as it is.
 */
export function rowsOfTable(idx: usize, rows: i32, table: usize, dim: i32, x: usize, start: i32, end: i32): i32 {
  const bytes: usize = <usize>dim * 4;
  const d4 = dim & ~3;
  for (let i = start; i < end; i++) {
    const v = load<f32>(idx + <usize>i * 4);
    if (!(v >= 0 && v < <f32>rows) || v != Mathf.floor(v)) return 0;
    const a: usize = table + <usize><i32>v * bytes;
    const b: usize = x + <usize>i * bytes;
    let j = 0;
    for (; j < d4; j += 4) {
      if (v128.any_true(v128.xor(v128.load(a + <usize>j * 4), v128.load(b + <usize>j * 4)))) return 0;
    }
    for (; j < dim; j++) {
      if (load<u32>(a + <usize>j * 4) != load<u32>(b + <usize>j * 4)) return 0;
    }
  }
  return 1;
}
