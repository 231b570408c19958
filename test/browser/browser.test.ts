/**
 * shapewise in a real browser: headless Chromium (Debian's `chromium`,
 * driven by playwright-core) loads a page that esbuild bundles for the
 * browser from the core entry, served by a loopback HTTP server of this
 * test. The page builds the seed models, prints their summaries, predicts
 * (compared with Node's output to 1e-6), loads a model from a URL, saves to
 * IndexedDB and reads it back (and TensorFlow.js reads what it saved, and
 * the other way round), and draws the SVG plot, with one and with two
 * threads; a second page, served without cross-origin isolation, must say
 * it runs on one thread and give the same numbers.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearSession, model, plotModel, tensor } from "../../src/node/index.js";
import type { Model } from "../../src/node/index.js";
import { launchChromium } from "../support/chromium.js";
import { seedChain } from "../support/seed-models.js";
import { repoRoot } from "../support/tsc.js";
import { browserInput } from "./input.js";
import type { PageResult } from "./page.js";

const TOL = 1e-6;

let dir: string;
let server: Server;
let base: string;
let browser: Browser;
const files = new Map<string, { body: Buffer; type: string }>();
/** The browser's Model B timings next to Node's, for the README's figures. */
const timings: string[] = [];
const expected: { summaries: string[]; outputs: number[][]; svg: string; timing: { batch: number; medianMs: number }[] } = {
  summaries: [],
  outputs: [],
  svg: "",
  timing: [],
};

function maxDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "shapewise-browser-"));
  for (const [name, entry] of [
    ["app.js", "test/browser/page.ts"],
    ["tfjs.js", "test/browser/tfjs.ts"],
  ]) {
    await build({
      entryPoints: [path.join(repoRoot, entry)],
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      outfile: path.join(dir, name),
      logLevel: "error",
    });
    files.set(`/${name}`, { body: readFileSync(path.join(dir, name)), type: "text/javascript" });
  }
  // The page's bundle sits at the root, so the kernels' default URL (../../build/ beside it) is /build/.
  for (const file of ["shapewise-kernels.wasm", "shapewise-kernels-relaxed.wasm"])
    files.set(`/build/${file}`, { body: readFileSync(path.join(repoRoot, "build", file)), type: "application/wasm" });
  const html = Buffer.from('<!doctype html><meta charset="utf-8"><script src="/tfjs.js" type="module"></script><script src="/app.js" type="module"></script>');
  files.set("/index.html", { body: html, type: "text/html" });
  files.set("/plain/index.html", { body: html, type: "text/html" });

  // Node's side: the same models, inputs and seeds through the Node entry; model B saved for the page to fetch.
  clearSession();
  const a = model({ ...seedChain("valid"), seed: 1 });
  const b = model({ ...seedChain("same"), seed: 2 });
  expected.summaries = [a, b].map((m) => m.summary({ printFn: () => undefined }));
  expected.svg = plotModel(b as unknown as Model, { showShapes: true });
  const x = tensor([4, 28, 28, 1], browserInput(4));
  expected.outputs = [a, b].map((m) => Array.from(m.predict(x).data));
  await b.save(path.join(dir, "model-b"));
  files.set("/models/b/model.json", { body: readFileSync(path.join(dir, "model-b/model.json")), type: "application/json" });
  files.set("/models/b/weights.bin", { body: readFileSync(path.join(dir, "model-b/weights.bin")), type: "application/octet-stream" });
  for (const threads of [1, 2]) {
    const big = tensor([64, 28, 28, 1], browserInput(64));
    b.predict(big, { threads });
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      b.predict(big, { threads });
      times.push(performance.now() - t0);
    }
    times.sort((p, q) => p - q);
    expected.timing.push({ batch: 64, medianMs: times[2] });
  }

  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const file = files.get(url.pathname);
    if (file === undefined) {
      res.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = { "content-type": file.type, "cross-origin-resource-policy": "same-origin" };
    // Cross-origin isolation (SharedArrayBuffer for the workers) for every page but /plain/.
    if (!url.pathname.startsWith("/plain/")) {
      headers["cross-origin-opener-policy"] = "same-origin";
      headers["cross-origin-embedder-policy"] = "require-corp";
    }
    res.writeHead(200, headers).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  // SHAPEWISE_BROWSER_TIMINGS=1 prints the figures the README quotes.
  if (process.env.SHAPEWISE_BROWSER_TIMINGS !== undefined) process.stdout.write(`${timings.join("\n")}\n`);
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

async function runPage(pagePath: string, threads: number): Promise<PageResult> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    await page.goto(base + pagePath);
    await page.waitForFunction(() => "runShapewise" in globalThis && "tf" in globalThis, undefined, { timeout: 60_000 });
    const result = await page.evaluate(
      ([t, url]) =>
        (globalThis as unknown as { runShapewise: (t: number, url: string, batch: number, reps: number) => Promise<PageResult> }).runShapewise(t, url, 64, 5),
      [threads, "/models/b/model.json"] as const,
    );
    expect(errors).toEqual([]);
    return result;
  } finally {
    await page.close();
  }
}

describe("in Chromium", () => {
  for (const threads of [1, 2]) {
    it(`with ${threads} thread${threads > 1 ? "s" : ""}: summaries, predict, a model from a URL, IndexedDB both ways with TensorFlow.js, the plot`, async () => {
      const r = await runPage("/index.html", threads);
      // Chromium has relaxed SIMD: the page runs the fused multiply-add build.
      expect(r.info).toMatchObject({ backend: "fast", wasm: true, build: "relaxed-simd", threads: "web-workers" });
      expect(r.summaries).toEqual(expected.summaries);
      for (const [i, out] of r.outputs.entries()) expect(maxDiff(out, expected.outputs[i])).toBeLessThanOrEqual(TOL);
      expect(maxDiff(r.fromUrl, expected.outputs[1])).toBeLessThanOrEqual(TOL);
      expect(maxDiff(r.fromIndexedDB, expected.outputs[1])).toBeLessThanOrEqual(TOL);
      expect(maxDiff(r.tfjsReadsOurs ?? [], expected.outputs[1])).toBeLessThanOrEqual(1e-5);
      expect(maxDiff(r.oursReadsTfjs ?? [], expected.outputs[1])).toBeLessThanOrEqual(TOL);
      expect(r.svg).toBe(expected.svg);
      const node = expected.timing[threads - 1];
      timings.push(
        `Model B, batch ${r.timing.batch}, ${threads} thread(s): browser ${(r.timing.batch / (r.timing.medianMs / 1000)).toFixed(0)} img/s, Node ${(node.batch / (node.medianMs / 1000)).toFixed(0)} img/s`,
      );
    }, 180_000);
  }

  it("a page that is not cross-origin isolated runs one thread, says why, and computes the same", async () => {
    const r = await runPage("/plain/index.html", 2);
    expect(r.info).toMatchObject({ wasm: true, threads: "single" });
    expect(r.info.threadsReason).toMatch(/not cross-origin isolated/);
    for (const [i, out] of r.outputs.entries()) expect(maxDiff(out, expected.outputs[i])).toBeLessThanOrEqual(TOL);
  }, 180_000);
});
