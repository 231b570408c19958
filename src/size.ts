/**
 * Symbolic sizes at run time (type twin: `types/size/`): a dimension named
 * in `input({ shape })` (`"T"`, `"16*H"`) and everything the layer rules
 * compute from it, in the same canonical form and the same text as the
 * types. A size is a sum of terms (an integer coefficient times a product of
 * atoms: names, and floor nodes `floor(inner/k)` that could not be
 * simplified) plus a constant; a size with no term is a plain number. Terms
 * are ordered by the text of their product, atoms by their own text, so
 * equal forms print as the same text. Arithmetic whose coefficients leave
 * the exact range gives `null` (a size known only when data arrives).
 */
import { fail } from "./checks.js";

/** A size: a number, a symbolic size in canonical text, or `null` when unknown. */
export type Size = number | string | null;

/** One term: coefficient, ordered atoms (a name repeats for a power), and their text joined by `*`. */
interface Term {
  readonly coef: number;
  readonly atoms: readonly string[];
  readonly key: string;
}

/** A size in canonical form: terms ordered by key, no zero coefficient, and a constant. */
interface Form {
  readonly terms: readonly Term[];
  readonly constant: number;
}

/** An arithmetic result past 2^53 − 1: the size is then unknown. */
class Inexact extends Error {}

function exact(n: number): number {
  if (!Number.isSafeInteger(n)) throw new Inexact();
  return n === 0 ? 0 : n;
}

/** Splits a text at the separators outside parentheses; a `-` stays at the head of the next piece. */
function splitTop(text: string, seps: string): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let cur = "";
  for (const c of text) {
    if (c === "(") depth++;
    else if (c === ")") depth--;
    if (depth === 0 && seps.includes(c)) {
      if (cur !== "") pieces.push(cur);
      cur = c === "-" ? "-" : "";
    } else cur += c;
  }
  if (cur !== "") pieces.push(cur);
  return pieces;
}

function insertAtom(atom: string, atoms: readonly string[]): string[] {
  const i = atoms.findIndex((a) => !(a < atom));
  return i < 0 ? [...atoms, atom] : [...atoms.slice(0, i), atom, ...atoms.slice(i)];
}

const formCache = new Map<string, Form>();

/** The form of a number or of a canonical text (floor nodes stay opaque atoms). */
function formOf(size: number | string): Form {
  if (typeof size === "number") return { terms: [], constant: size };
  const cached = formCache.get(size);
  if (cached !== undefined) return cached;
  const terms: Term[] = [];
  let constant = 0;
  for (const piece of splitTop(size, "+-")) {
    let coef = piece.startsWith("-") ? -1 : 1;
    let atoms: string[] = [];
    for (const factor of splitTop(piece.startsWith("-") ? piece.slice(1) : piece, "*")) {
      if (/^[0-9]/.test(factor)) coef = exact(coef * Number(factor));
      else atoms = insertAtom(factor, atoms);
    }
    if (atoms.length === 0) constant = coef;
    else terms.push({ coef, atoms, key: atoms.join("*") });
  }
  const form = { terms, constant };
  if (formCache.size < 10_000) formCache.set(size, form);
  return form;
}

function termText(t: Term): string {
  return t.coef === 1 ? t.key : t.coef === -1 ? `-${t.key}` : `${t.coef}*${t.key}`;
}

/** The size a form denotes: its constant, or its canonical text. */
function sizeOfForm(f: Form): number | string {
  if (f.terms.length === 0) return f.constant;
  let text = "";
  for (const t of f.terms) {
    const s = termText(t);
    text = text === "" || s.startsWith("-") ? `${text}${s}` : `${text}+${s}`;
  }
  if (f.constant !== 0) text += f.constant < 0 ? `${f.constant}` : `+${f.constant}`;
  return text;
}

function mergeTerms(a: readonly Term[], b: readonly Term[]): Term[] {
  const out: Term[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Term;
    const y = b[j] as Term;
    if (x.key === y.key) {
      const coef = exact(x.coef + y.coef);
      if (coef !== 0) out.push({ coef, atoms: x.atoms, key: x.key });
      i++;
      j++;
    } else if (x.key < y.key) {
      out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return [...out, ...a.slice(i), ...b.slice(j)];
}

function sumForms(a: Form, b: Form): Form {
  return { terms: mergeTerms(a.terms, b.terms), constant: exact(a.constant + b.constant) };
}

function scaleForm(a: Form, k: number): Form {
  if (k === 0) return { terms: [], constant: 0 };
  return { terms: a.terms.map((t) => ({ ...t, coef: exact(t.coef * k) })), constant: exact(a.constant * k) };
}

function mergeAtoms(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if ((b[j] as string) < (a[i] as string)) out.push(b[j++] as string);
    else out.push(a[i++] as string);
  }
  return [...out, ...a.slice(i), ...b.slice(j)];
}

function multiplyForms(a: Form, b: Form): Form {
  let acc = scaleForm(b, a.constant);
  for (const t of a.terms) {
    const products: Term[] = b.terms.map((u) => {
      const atoms = mergeAtoms(t.atoms, u.atoms);
      return { coef: exact(t.coef * u.coef), atoms, key: atoms.join("*") };
    });
    if (b.constant !== 0) products.push({ ...t, coef: exact(t.coef * b.constant) });
    for (const p of products) acc = sumForms(acc, { terms: [p], constant: 0 });
  }
  return acc;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const floorDiv = (a: number, k: number): number => exact(Math.floor(a / k));
const mod = (a: number, k: number): number => ((a % k) + k) % k;

/** `floor(A / k)`: whole multiples of `k` leave the node, the rest stays in one floor node. */
function floorForm(a: Form, k: number): Form {
  if (k === 1) return a;
  const q: Term[] = [];
  const r: Term[] = [];
  for (const t of a.terms) {
    const tq = floorDiv(t.coef, k);
    const tr = mod(t.coef, k);
    if (tq !== 0) q.push({ ...t, coef: tq });
    if (tr !== 0) r.push({ ...t, coef: tr });
  }
  const whole: Form = { terms: q, constant: floorDiv(a.constant, k) };
  if (r.length === 0) return whole;
  const g = r.reduce((acc, t) => gcd(t.coef, acc), k);
  const inner: Form = { terms: r.map((t) => ({ ...t, coef: t.coef / g })), constant: Math.floor(mod(a.constant, k) / g) };
  const kk = k / g;
  const only = inner.terms.length === 1 ? (inner.terms[0] as Term) : undefined;
  if (only !== undefined && only.coef === 1 && only.atoms.length === 1 && (only.atoms[0] as string).startsWith("floor(")) {
    // floor((floor(X/a) + d) / k) is floor((X + a d) / (a k)): one node.
    const body = (only.atoms[0] as string).slice("floor(".length, -1);
    const slash = body.lastIndexOf("/");
    const x = body.slice(0, slash);
    const div = Number(body.slice(slash + 1));
    const nested = floorForm(sumForms(formOf(x.startsWith("(") ? x.slice(1, -1) : x), { terms: [], constant: exact(div * inner.constant) }), exact(div * kk));
    return sumForms(whole, nested);
  }
  const text = sizeOfForm(inner);
  const compound = inner.terms.length > 1 || inner.constant !== 0;
  const node = `floor(${compound ? `(${text})` : text}/${kk})`;
  return sumForms(whole, { terms: [{ coef: 1, atoms: [node], key: node }], constant: 0 });
}

/** Runs an operation on known sizes; `null` in or an inexact result gives `null`. */
function op(a: Size, b: Size, f: (x: Form, y: Form) => Form): Size {
  if (a === null || b === null) return null;
  try {
    return sizeOfForm(f(formOf(a), formOf(b)));
  } catch (e) {
    if (e instanceof Inexact) return null;
    throw e;
  }
}

/**
 * `a + b` on sizes.
 *
 * @example
 * sizeAdd("H", 1); // "H+1"
 */
export function sizeAdd(a: Size, b: Size): Size {
  return op(a, b, sumForms);
}

/**
 * `a - b` on sizes.
 *
 * @example
 * sizeSubtract("H", 2); // "H-2"
 */
export function sizeSubtract(a: Size, b: Size): Size {
  return op(a, b, (x, y) => sumForms(x, scaleForm(y, -1)));
}

/**
 * `a × b` on sizes.
 *
 * @example
 * sizeMultiply("8*H", "8*W"); // "64*H*W"
 */
export function sizeMultiply(a: Size, b: Size): Size {
  return op(a, b, (x, y) => (y.terms.length === 0 ? scaleForm(x, y.constant) : x.terms.length === 0 ? scaleForm(y, x.constant) : multiplyForms(x, y)));
}

/**
 * `floor(a / k)` on sizes, `k` a positive integer.
 *
 * @example
 * sizeDivFloor("16*H", 2); // "8*H"
 * sizeDivFloor("H", 2);    // "floor(H/2)"
 */
export function sizeDivFloor(a: Size, k: number): Size {
  return op(a, k, (x) => floorForm(x, k));
}

/**
 * `ceil(a / k)` on sizes: `floor((a + k - 1) / k)`.
 *
 * @example
 * sizeDivCeil("H", 2); // "floor((H+1)/2)"
 */
export function sizeDivCeil(a: Size, k: number): Size {
  return op(a, k, (x) => floorForm(sumForms(x, { terms: [], constant: k - 1 }), k));
}

/**
 * The value of a size for bound names (`H = 37`); `undefined` when a name is not bound.
 *
 * @example
 * evaluateSize("2*floor(H/2)+1", { H: 37 }); // 37
 */
export function evaluateSize(size: number | string, names: Readonly<Record<string, number>>): number | undefined {
  if (typeof size === "number") return size;
  const f = formOf(size);
  let total = f.constant;
  for (const t of f.terms) {
    let product = t.coef;
    for (const atom of t.atoms) {
      let v: number | undefined;
      if (atom.startsWith("floor(")) {
        const body = atom.slice("floor(".length, -1);
        const slash = body.lastIndexOf("/");
        const x = body.slice(0, slash);
        const inner = evaluateSize(x.startsWith("(") ? x.slice(1, -1) : x, names);
        v = inner === undefined ? undefined : Math.floor(inner / Number(body.slice(slash + 1)));
      } else v = Object.hasOwn(names, atom) ? names[atom] : undefined;
      if (v === undefined) return undefined;
      product *= v;
    }
    total += product;
  }
  return total;
}

/**
 * Whether a text is a name a shape may state, optionally with a factor:
 * `"T"`, `"16*H"` (the size is 16 times a positive integer `H`).
 *
 * @example
 * isSizeName("16*H"); // true
 * isSizeName("H+1");  // false
 */
export function isSizeName(text: string): boolean {
  const m = /^(?:([1-9][0-9]*)\*)?([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  return m !== null && m[2] !== "floor" && (m[1] === undefined || Number.isSafeInteger(Number(m[1])));
}

/**
 * The canonical size of a stated name: `"1*H"` is `"H"`.
 *
 * @example
 * statedSize("1*H"); // "H"
 */
export function statedSize(text: string): string {
  return sizeOfForm(formOf(text)) as string;
}

/** Every name a size mentions. */
export function sizeNames(size: Size): string[] {
  if (typeof size !== "string") return [];
  return [...new Set(size.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])].filter((n) => n !== "floor");
}

/**
 * The verdict on two sizes that must agree: `"same"`, `"unknown"` (the
 * algebra cannot decide: never an error), or `{ differ }` with the
 * condition under which they differ, proved by a binding of the names.
 *
 * @example
 * sizeAgreement("H", "2*floor(H/2)"); // { differ: "H is odd" }
 * sizeAgreement("S", "T");            // { differ: "S is not T" }
 */
export function sizeAgreement(x: Size, y: Size): "same" | "unknown" | { differ: string } {
  if (x === null || y === null) return "unknown";
  if (x === y) return "same";
  let d: Form;
  try {
    d = sumForms(formOf(x), scaleForm(formOf(y), -1));
  } catch (e) {
    if (e instanceof Inexact) return "unknown";
    throw e;
  }
  if (d.terms.length === 0) return d.constant === 0 ? "same" : { differ: "always" };
  if (d.constant === 0 && d.terms.length === 2) {
    const [a, b] = d.terms as [Term, Term];
    for (const [name, node] of [
      [b, a],
      [a, b],
    ] as const) {
      // The inner text ends at the first "/", as the types read it.
      const m = /^floor\(([^/]*)\/([0-9]+)\)$/.exec(node.key);
      if (m === null) continue;
      const k = Number(m[2]);
      const outer = name.key.startsWith(`floor(${m[1]}/`) ? /^floor\([^/]*\/([0-9]+)\)$/.exec(name.key) : null;
      const q = name.key === m[1] ? k : outer !== null && k % Number(outer[1]) === 0 ? k / Number(outer[1]) : 1;
      if (q > 1 && name.coef * -q === node.coef) {
        return { differ: q === 2 ? `${name.key} is odd` : `${name.key} is not a multiple of ${q}` };
      }
    }
  }
  // A non-zero polynomial in positive integers is non-zero somewhere; with floor nodes the algebra does not decide.
  if (d.terms.some((t) => t.key.includes("floor("))) return "unknown";
  // `P is not N` with each side a sum of positive terms (`H+W is not T`), the side of the first term first.
  const pos: Form = { terms: d.terms.filter((t) => t.coef > 0), constant: Math.max(d.constant, 0) };
  const neg: Form = { terms: d.terms.filter((t) => t.coef < 0).map((t) => ({ ...t, coef: -t.coef })), constant: Math.max(-d.constant, 0) };
  // One side empty: every name is at least 1, so the other side is positive.
  if ((pos.terms.length === 0 && pos.constant === 0) || (neg.terms.length === 0 && neg.constant === 0)) return { differ: "always" };
  const [first, second] = (d.terms[0] as Term).coef < 0 ? [neg, pos] : [pos, neg];
  return { differ: `${sizeOfForm(first)} is not ${sizeOfForm(second)}` };
}

/**
 * The clause a sentence ends with for a verdict.
 *
 * @example
 * differText({ differ: "H is odd" }); // "they differ when H is odd"
 */
export function differText(verdict: { differ: string }): string {
  return verdict.differ === "always" ? "they always differ" : `they differ when ${verdict.differ}`;
}

/**
 * One size a caller's data gives for an axis a model's input states
 * symbolically (`"T"`, `"16*H"`).
 */
export interface StatedAxis {
  /** The input's name, as sentences name it. */
  readonly input: string;
  /** The axis in the batch shape (1 is the first after the batch). */
  readonly axis: number;
  /** The stated size in canonical text: a name, or a factor times a name. */
  readonly stated: string;
  /** The size the data has on that axis. */
  readonly given: number;
}

/**
 * Binds each name an input states from the data, once: the size divided by
 * its stated factor. A size that is not a multiple of its factor, or a name
 * two axes bind to different values, is a sentence naming the input, the
 * axis, the name and the factor (or the axis that bound the name first).
 * Throws a `ShapeError` with the sentence.
 *
 * @example
 * bindStatedSizes("predict", [{ input: "x", axis: 1, stated: "16*H", given: 48 }]); // { H: 3 }
 */
export function bindStatedSizes(owner: string, axes: readonly StatedAxis[]): Record<string, number> {
  const bound: Record<string, number> = Object.create(null);
  const from: Record<string, StatedAxis> = Object.create(null);
  for (const a of axes) {
    const m = /^(?:([0-9]+)\*)?([A-Za-z_][A-Za-z0-9_]*)$/.exec(a.stated);
    if (m === null) continue;
    const factor = m[1] === undefined ? 1 : Number(m[1]);
    const name = m[2];
    const where = `${owner} input '${a.input}' has ${a.given} on axis ${a.axis}, stated as ${a.stated}`;
    if (a.given % factor !== 0) fail(`shapewise: ${where}: ${a.given} is not a multiple of ${factor}`);
    const value = a.given / factor;
    const first = from[name];
    if (first !== undefined && bound[name] !== value) {
      fail(`shapewise: ${where} (${name} = ${value}), but input '${first.input}' binds ${name} = ${bound[name]} on axis ${first.axis}`);
    }
    if (first === undefined) {
      bound[name] = value;
      from[name] = a;
    }
  }
  return bound;
}

/**
 * `true` when the length `value` may be the size `size` for some binding of
 * its names (each a positive integer), otherwise the clause saying why not.
 * Wherever the algebra cannot rule a length out (a negative coefficient, a
 * floor node) it is admitted: never a false error. Type-level twin:
 * `SizeAdmits` in `types/size/admits.ts`.
 *
 * @example
 * sizeAdmits("16*H", 37); // "37 is not a multiple of 16"
 * sizeAdmits("T+2", 2);   // "2 is not T+2 for any T"
 */
export function sizeAdmits(size: number | string, value: number): true | string {
  if (typeof size === "number") return size === value ? true : `${value} is not ${size}`;
  let f: Form;
  try {
    f = formOf(size);
  } catch (e) {
    if (e instanceof Inexact) return true;
    throw e;
  }
  if (f.terms.some((t) => t.coef < 0 || t.key.includes("floor("))) return true;
  const sum = f.terms.reduce((s, t) => s + t.coef, 0);
  const g = f.terms.reduce((acc, t) => gcd(t.coef, acc), 0);
  const d = value - f.constant;
  const names = [...new Set(f.terms.flatMap((t) => t.atoms))].join(", ");
  if (d < sum) return `${value} is not ${size} for any ${names}`;
  if (d % g === 0) return true;
  return f.constant === 0 && f.terms.length === 1 ? `${value} is not a multiple of ${g}` : `${value} is not ${size} for any ${names}`;
}
