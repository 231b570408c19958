/**
 * The playground in a real browser: the static site is built (as
 * `npm run playground:build` builds it) into a temporary folder and served on
 * loopback; headless Chromium loads it, a person's keystrokes type seed
 * Model B, and the page must show what the type checker and the library say:
 * the summary's total, the last layer's inlay hint, exactly one marker with
 * the library's sentence on the property made wrong, the output shape of a
 * run, and the same model again from the share link (run only once the
 * reader presses Run: code from a link is someone else's). Screenshots of each
 * state are written to a folder the test prints (SHAPEWISE_PLAYGROUND_SHOTS
 * names another), with the site's size and the time to the first diagnostic.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPlayground } from "../../playground/build.js";
import type { PlaygroundBuild } from "../../playground/build.js";
import { EXAMPLES, MODEL_B } from "../../playground/examples.js";
import { servePlayground } from "../../playground/serve.js";
import { ShapeError, clearSession, input, model, plotModel } from "../../src/index.js";
import type { Model, SummaryStyle } from "../../src/index.js";
import { launchChromium } from "../support/chromium.js";
import { seedChain } from "../support/seed-models.js";

/** What the page exposes to its test beside the DOM. */
interface PlaygroundHandle {
  editor: {
    getValue(): string;
    getModel(): { getPositionAt(offset: number): { lineNumber: number; column: number } };
    setSelection(range: { startLineNumber: number; startColumn: number; endLineNumber: number; endColumn: number }): void;
    focus(): void;
  };
  markers(): { message: string; startLineNumber: number; startColumn: number; endLineNumber: number; endColumn: number }[];
  firstDiagnosticMs(): number;
}

let site: PlaygroundBuild;
let siteDir: string;
let shots: string;
let server: Server;
let base: string;
let browser: Browser;
const figures: string[] = [];

beforeAll(async () => {
  siteDir = mkdtempSync(path.join(os.tmpdir(), "shapewise-playground-site-"));
  const t0 = performance.now();
  site = await buildPlayground(siteDir);
  figures.push(
    `static build: ${(site.totalBytes / 1024 / 1024).toFixed(1)} MB in ${site.files.length} files, built in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  shots = process.env.SHAPEWISE_PLAYGROUND_SHOTS ?? mkdtempSync(path.join(os.tmpdir(), "shapewise-playground-shots-"));
  mkdirSync(shots, { recursive: true });
  ({ server, url: base } = await servePlayground(siteDir, 0));
  browser = await launchChromium();
}, 300_000); // room for the build to rerun tsc when the declarations are older than the sources

afterAll(async () => {
  process.stdout.write(`playground: ${figures.join("; ")}\nplayground screenshots: ${shots}\n`);
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(siteDir, { recursive: true, force: true });
});

const text = async (page: Page, selector: string) => (await page.locator(selector).textContent()) ?? "";

/** The inlay hints Monaco draws, in the order of the lines (its non-breaking spaces read as spaces). */
function inlayHints(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null; style: { top: string } }> } })
      .document;
    const lines = Array.from(doc.querySelectorAll(".view-lines .view-line")).sort((a, b) => Number.parseFloat(a.style.top) - Number.parseFloat(b.style.top));
    const out: string[] = [];
    // Monaco draws a long hint as several spans of one class, side by side.
    let last = "";
    let hint = "";
    for (const line of lines) {
      const spans = (line as unknown as { querySelectorAll(s: string): ArrayLike<{ className: string; textContent: string | null }> }).querySelectorAll(
        "span span",
      );
      for (const span of Array.from(spans)) {
        const inHint = /dyn-rule/.test(span.className);
        if (inHint && span.className === last) hint += span.textContent ?? "";
        else {
          if (hint.trim() !== "") out.push(hint.replace(/\s+/g, " ").trim());
          hint = inHint ? (span.textContent ?? "") : "";
        }
        last = inHint ? span.className : "";
      }
    }
    if (hint.trim() !== "") out.push(hint.replace(/\s+/g, " ").trim());
    return out;
  });
}

function handle(page: Page) {
  return {
    value: () => page.evaluate(() => (globalThis as unknown as { playground: PlaygroundHandle }).playground.editor.getValue()),
    markers: () => page.evaluate(() => (globalThis as unknown as { playground: PlaygroundHandle }).playground.markers()),
    firstDiagnosticMs: () => page.evaluate(() => (globalThis as unknown as { playground: PlaygroundHandle }).playground.firstDiagnosticMs()),
    /** Selects the characters [start, end) of the editor's text, as a mouse drag would. */
    select: (start: number, end: number) =>
      page.evaluate(
        ([s, e]) => {
          const { editor } = (globalThis as unknown as { playground: PlaygroundHandle }).playground;
          const a = editor.getModel().getPositionAt(s);
          const b = editor.getModel().getPositionAt(e);
          editor.setSelection({ startLineNumber: a.lineNumber, startColumn: a.column, endLineNumber: b.lineNumber, endColumn: b.column });
          editor.focus();
        },
        [start, end] as const,
      ),
  };
}

/** Waits until the page has checked the editor's current text (an edit sets the status to "Checking…"). */
async function settled(page: Page): Promise<void> {
  await page.waitForTimeout(200);
  await page.waitForFunction(
    () => {
      const doc = (globalThis as unknown as { document: { getElementById(id: string): { textContent: string | null } | null } }).document;
      return /^TypeScript [\d.]+: /.test(doc.getElementById("status")?.textContent ?? "");
    },
    undefined,
    { timeout: 60_000 },
  );
}

const squash = (s: string) => s.replace(/\s+/g, "");

describe("the playground in Chromium", () => {
  it("types Model B, shows its shapes and summary, marks one wrong kernelSize, runs it, and reopens from the share link", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const pw = handle(page);
    await page.goto(base);
    await settled(page);
    const coldMs = await pw.firstDiagnosticMs();
    figures.push(
      `first diagnostic ${(coldMs / 1000).toFixed(1)} s after navigation (cold cache, load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`,
    );

    // Empty the editor and type the model as a person would (Monaco indents and closes brackets itself).
    await page.locator("#editor .monaco-editor textarea").focus();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    for (const line of MODEL_B.split("\n")) {
      await page.keyboard.type(line.trim(), { delay: 0 });
      await page.keyboard.press("Enter");
    }
    await settled(page);
    expect(squash(await pw.value())).toBe(squash(MODEL_B));
    await page.locator("#summary").filter({ hasText: "113,162" }).waitFor({ timeout: 60_000 });
    expect(await text(page, "#summary")).toContain("Total params: 113,162");
    await expect.poll(() => inlayHints(page), { timeout: 30_000 }).toContain("[null, 10] · 113162");
    const hints = await inlayHints(page);
    expect(hints.at(-1)).toBe("[null, 10] · 113162");
    expect(hints[0]).toBe("[null, 28, 28, 1] · 0");
    expect(await pw.markers()).toEqual([]);
    await page.screenshot({ path: path.join(shots, "1-model-b.png") });

    // The panels are the library's own output for this model: Node builds it from a fresh session too.
    clearSession();
    const b = model({ ...seedChain("same"), seed: 42 });
    for (const style of ["keras3", "tfjs", "keras2"] as SummaryStyle[]) {
      await page.locator("#style").selectOption(style);
      expect(await text(page, "#summary")).toBe(b.summary({ style, printFn: () => undefined }));
    }
    const costs = await page.locator("#costs dd").allTextContents();
    const memory = b.memory();
    const n = (x: number) => x.toLocaleString("en-US");
    expect(costs).toEqual([n(b.countFlops()), n(memory.parameterBytes), `${n(memory.activationBytes)} at ${memory.peakLayer}`]);
    const svg = await page.evaluate(async () => {
      const img = (globalThis as unknown as { document: { getElementById(id: string): { src: string } } }).document.getElementById("diagram");
      return (await fetch(img.src)).text();
    });
    expect(svg).toBe(plotModel(b as unknown as Model, { showShapes: true }));

    // Hover from the keyboard (Ctrl+K Ctrl+I) shows the type of the tensor under the cursor.
    const at = (await pw.value()).lastIndexOf("outputs");
    await pw.select(at + 1, at + 1);
    await page.keyboard.press("Control+K");
    await page.keyboard.press("Control+I");
    await page.locator(".monaco-hover").filter({ hasText: 'SymbolicTensor<[null, 10], 113162, "28*28*288+' }).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(shots, "1b-hover.png") });
    await page.keyboard.press("Escape");

    // The third convolution sees 6x6 pixels: a 7x7 kernel no longer fits.
    const typed = await pw.value();
    const third = typed.indexOf("kernelSize: 3", typed.indexOf("kernelSize: 3", typed.indexOf("kernelSize: 3") + 1) + 1);
    const digit = third + "kernelSize: ".length;
    await pw.select(digit, digit + 1);
    await page.keyboard.type("7");
    let sentence = "";
    try {
      input({ shape: [6, 6, 64] }).conv2d({ filters: 128, kernelSize: 7 as number, activation: "relu" });
    } catch (error) {
      if (error instanceof ShapeError) sentence = error.message;
    }
    expect(sentence).toBe("shapewise: conv2d kernelSize 7 is larger than input height 6 with padding 'valid'");
    await expect.poll(() => pw.markers(), { timeout: 60_000 }).toHaveLength(1);
    await settled(page);
    const markers = await pw.markers();
    expect(markers).toHaveLength(1);
    expect(markers[0].message).toContain(sentence);
    const lines = (await pw.value()).split("\n");
    const marked = lines[markers[0].startLineNumber - 1].slice(markers[0].startColumn - 1, markers[0].endColumn - 1);
    expect(marked).toBe("kernelSize");
    expect(await page.locator("#problems li").count()).toBe(1);
    await expect.poll(() => inlayHints(page), { timeout: 30_000 }).toContain(`✗ ${sentence}`);
    await page.screenshot({ path: path.join(shots, "2-wrong-kernel-size.png") });

    // Fix it, then run it from the keyboard.
    await pw.select(digit, digit + 1);
    await page.keyboard.type("3");
    await expect.poll(() => pw.markers(), { timeout: 60_000 }).toEqual([]);
    await page.locator("#summary").filter({ hasText: "113,162" }).waitFor({ timeout: 60_000 });
    await page.locator("#run").focus();
    await page.keyboard.press("Enter");
    await page.locator("#run-result").filter({ hasText: "output shape [1, 10]" }).waitFor({ timeout: 60_000 });
    expect(await text(page, "#run-result")).toMatch(/^predict on random input \[1, 28, 28, 1\] → output shape \[1, 10\] in [\d.]+ ms on the WebAssembly /);
    // The site serves both builds; the page fetched one, and runs the relaxed SIMD one exactly where this browser validates that file.
    expect(site.files.map((f) => f.name)).toEqual(expect.arrayContaining(["shapewise-kernels.wasm", "shapewise-kernels-relaxed.wasm"]));
    const fetched = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .map((e) => e.name.split("/").pop()!)
        .filter((name) => name.endsWith(".wasm")),
    );
    const validated = await page.evaluate(async () => {
      const engine = (globalThis as unknown as { WebAssembly: { validate(bytes: ArrayBuffer): boolean } }).WebAssembly;
      return engine.validate(await (await fetch("shapewise-kernels-relaxed.wasm")).arrayBuffer());
    });
    const build = validated ? "relaxed-simd" : "simd";
    expect(await text(page, "#run-result")).toContain(`on the WebAssembly ${build} kernels`);
    expect(fetched).toEqual([validated ? "shapewise-kernels-relaxed.wasm" : "shapewise-kernels.wasm"]);
    figures.push(`kernels run in the browser: ${build}`);
    await page.screenshot({ path: path.join(shots, "3-fixed-and-run.png") });

    // The share link, opened in a new page, holds the same model.
    await page.locator("#share").focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => (globalThis as unknown as { location: { hash: string } }).location.hash.startsWith("#code="));
    const link = page.url();
    const code = await pw.value();
    expect(errors).toEqual([]);
    await page.close();

    const again = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    again.on("pageerror", (e) => errors.push(e.message));
    await again.goto(link);
    await settled(again);
    expect(await handle(again).value()).toBe(code);
    await expect.poll(() => inlayHints(again), { timeout: 30_000 }).toContain("[null, 10] · 113162");
    // Code from a link is checked but not run until the reader asks.
    expect(await text(again, "#summary")).toBe("This code came from a link: it runs when you press Run.");
    await again.locator("#run").focus();
    await again.keyboard.press("Enter");
    await again.locator("#run-result").filter({ hasText: "output shape [1, 10]" }).waitFor({ timeout: 60_000 });
    expect(await text(again, "#summary")).toContain("Total params: 113,162");
    await again.screenshot({ path: path.join(shots, "4-from-share-link.png") });

    // A phone-sized viewport: the editor stays usable above the panels.
    await again.setViewportSize({ width: 390, height: 844 });
    await again.waitForTimeout(500);
    const box = await again.locator("#editor").boundingBox();
    expect(box?.height ?? 0).toBeGreaterThan(300);
    expect(box?.width ?? 0).toBeGreaterThan(350);
    await again.screenshot({ path: path.join(shots, "5-phone.png") });

    // Every example loads from the menu; only the one with a mistake has a problem, and the text model runs.
    await again.setViewportSize({ width: 1280, height: 720 });
    const shows: Record<string, string> = {
      "model-b": "Total params: 113,162",
      "model-a": "Total params: 104,202",
      mnist: 'Model: "mnist_convnet"',
      residual: 'Model: "residual_block"',
      text: 'Model: "text_classifier"',
      mistake: "Failed at conv2d_2 (Conv2D)",
    };
    expect(Object.keys(shows)).toEqual(EXAMPLES.map((e) => e.id));
    for (const example of EXAMPLES) {
      await again.locator("#examples").selectOption(example.id);
      await expect.poll(() => handle(again).value(), { timeout: 30_000 }).toBe(example.code);
      await settled(again);
      const problems = await handle(again).markers();
      expect(
        problems.map((m) => m.message),
        example.id,
      ).toHaveLength(example.id === "mistake" ? 1 : 0);
      await expect.poll(() => text(again, "#summary"), { timeout: 30_000 }).toContain(shows[example.id]);
      if (example.id === "text") {
        await again.locator("#run").click();
        await again.locator("#run-result").filter({ hasText: "output shape [1, 1]" }).waitFor({ timeout: 60_000 });
        await again.screenshot({ path: path.join(shots, "6-text-model-run.png") });
      }
    }
    await again.screenshot({ path: path.join(shots, "7-example-with-a-mistake.png") });
    expect(errors).toEqual([]);
    await again.close();
  }, 240_000);
});
