/**
 * Hostile changes to a JSON file, shared by the generated loader tests: a
 * part of a valid file replaced by a wrong type, a huge, negative or
 * fractional size, a `__proto__` key, deep nesting, a shared sub-object or
 * a cycle.
 */
import fc from "fast-check";

export type Json = unknown;

/** Every path to a value in a JSON tree (bounded: these files are small). */
export function paths(value: Json, at: (string | number)[] = [], out: (string | number)[][] = [], seen = new Set<object>()): (string | number)[][] {
  out.push(at);
  if (value === null || typeof value !== "object") return out;
  // A cycle or a shared sub-object made by an earlier change is listed once: walking into a cycle
  // again would grow path lists without bound (4 GB before the stack overflowed, in a 120-case run).
  if (seen.has(value)) return out;
  seen.add(value);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out, seen));
  else for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out, seen);
  return out;
}

/** A copy of `value` with the value at `path` replaced by what `replace` makes of it. */
export function replaced(value: Json, path: (string | number)[], replace: (old: Json, parent: Json) => Json): Json {
  const copy = structuredClone(value);
  if (path.length === 0) return replace(copy, undefined);
  let parent = copy as Record<string | number, Json>;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, Json>;
  const last = path[path.length - 1];
  parent[last] = replace(parent[last], parent);
  return copy;
}

export function deep(levels: number, leaf: Json = 1): Json {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = i % 2 === 0 ? [v] : { a: v };
  return v;
}

/** What a part of a file may be replaced by. */
export const replacement: fc.Arbitrary<(old: Json, parent: Json) => Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => () => v),
  fc
    .constantFrom(
      -1,
      0,
      0.5,
      -(2 ** 31),
      2 ** 31,
      2 ** 53,
      2 ** 53 + 2,
      1e21,
      1e300,
      -1e300,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      536_870_912,
      "",
      "__proto__",
      "constructor",
      "toString",
      null,
      true,
      [],
      {},
      [null],
      [-1, -1],
      [2 ** 30, 2 ** 30, 2 ** 30],
    )
    .map((v) => () => v),
  fc.constant(() => JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}') as Json),
  fc.constant((old: Json) => (Array.isArray(old) ? [...old, ...old] : old)),
  fc.constant((old: Json) => (Array.isArray(old) ? [old[0]] : old)),
  fc.constant((old: Json) => (Array.isArray(old) ? new Array(2000).fill(old[0]) : old)),
  fc.constant((old: Json) => (typeof old === "string" ? `${old}\u001b[2J\n` : old)),
  fc.constant((old: Json) => (typeof old === "number" ? -old : old)),
  fc.constant((old: Json) => (typeof old === "number" ? old * 2 ** 40 : old)),
  fc.constant(() => deep(600)),
  fc.constant(() => deep(30)),
  // A shared sub-object (the same object twice) and a cycle: only in memory.
  fc.constant((old: Json) => ({ a: old, b: old })),
  fc.constant((_old: Json, parent: Json) => parent),
);

/** One or two parts of a file replaced: `pick` (and `twice[0]`) choose the parts by their position among every path. */
export interface Mutation {
  pick: number;
  replace: (old: Json, parent: Json) => Json;
  twice?: [number, (old: Json, parent: Json) => Json];
}

/** A draw of {@link Mutation}. */
export const mutationOf: fc.Arbitrary<Mutation> = fc.record({
  pick: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  replace: replacement,
  twice: fc.option(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), replacement), { nil: undefined }),
});

/** `base` with the parts a {@link Mutation} picks replaced. */
export function mutate(base: Json, m: Mutation): Json {
  const all = paths(base);
  let out = replaced(base, all[Math.floor(m.pick * all.length)], m.replace);
  if (m.twice !== undefined) {
    try {
      const again = paths(out);
      out = replaced(out, again[Math.floor(m.twice[0] * again.length)], m.twice[1]);
    } catch {
      // A cyclic or shared first change: keep it alone.
    }
  }
  return out;
}
