/**
 * The playground page: Monaco as the editor, fed by the language-service
 * worker (diagnostics as markers, quick info as hover, shapes as inlay
 * hints), and beside it what the library makes of the user's model at run
 * time: the summary, the costs, the diagram and a forward pass.
 *
 * The user's file is run as a module of its own (a blob URL) after the worker
 * transpiles it; its `import ... from "shapewise"` resolves through the page's
 * import map to the same library module this page imports.
 */
import "monaco-editor/editor/editor.api.js";
import "monaco-editor/editor/browser/coreCommands.js";
import "monaco-editor/editor/browser/widget/codeEditor/codeEditorWidget.js";
import "monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching.js";
import "monaco-editor/editor/contrib/clipboard/browser/clipboard.js";
import "monaco-editor/editor/contrib/comment/browser/comment.js";
import "monaco-editor/editor/contrib/contextmenu/browser/contextmenu.js";
import "monaco-editor/editor/contrib/cursorUndo/browser/cursorUndo.js";
import "monaco-editor/editor/contrib/find/browser/findController.js";
import "monaco-editor/editor/contrib/folding/browser/folding.js";
import "monaco-editor/editor/contrib/gotoError/browser/gotoError.js";
import "monaco-editor/editor/contrib/hover/browser/hoverContribution.js";
import "monaco-editor/editor/contrib/indentation/browser/indentation.js";
import "monaco-editor/editor/contrib/inlayHints/browser/inlayHintsContribution.js";
import "monaco-editor/editor/contrib/linesOperations/browser/linesOperations.js";
import "monaco-editor/editor/contrib/multicursor/browser/multicursor.js";
import "monaco-editor/editor/contrib/toggleTabFocusMode/browser/toggleTabFocusMode.js";
import "monaco-editor/editor/contrib/wordOperations/browser/wordOperations.js";
import "monaco-editor/editor/common/standaloneStrings.js";
import "monaco-editor/languages/definitions/typescript/register.js";
import * as monaco from "monaco-editor/editor/editor.api.js";
import { Model, ShapeError, clearSession, failureSummary, loadKernels, plotModel, tensor } from "../src/index.js";
import type { KernelInfo, SummaryStyle } from "../src/index.js";
import { EXAMPLES, MODEL_B } from "./examples.js";
import type { Analysis, HoverInfo, WorkerQuery, WorkerReply, WorkerRequest } from "./protocol.js";
import { readShared, shareHash } from "./share.js";

(self as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
  getWorker: () => new Worker(new URL("editor-worker.js", location.href)),
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLSpanElement>("status");

// The language-service worker: one request at a time per kind is enough, the latest wins.
const worker = new Worker(new URL("ts-worker.js", location.href));
let nextId = 0;
const pending = new Map<number, (reply: WorkerReply) => void>();
worker.onmessage = (event: MessageEvent<WorkerReply>) => {
  pending.get(event.data.id)?.(event.data);
  pending.delete(event.data.id);
};
function ask(request: WorkerQuery): Promise<WorkerReply> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    const message: WorkerRequest = { ...request, id };
    worker.postMessage(message);
  });
}

const shared = await readShared(location.hash);
const initial = shared ?? MODEL_B;
/**
 * Whether the page may run the editor's code on its own. Code that arrived in
 * a link is someone else's: it is checked and shown, but runs only once the
 * reader presses Run (after that, edits run as they are typed).
 */
let trusted = shared === undefined;
const model = monaco.editor.createModel(initial, "typescript", monaco.Uri.parse("file:///playground.ts"));
const editor = monaco.editor.create($("editor"), {
  model,
  ariaLabel: "Model source in TypeScript. Problems are listed beside the editor.",
  automaticLayout: true,
  minimap: { enabled: false },
  fontSize: 13,
  scrollBeyondLastLine: false,
  inlayHints: { enabled: "on", maximumLength: 0 },
  hover: { enabled: "on", delay: 250 },
  accessibilitySupport: "auto",
  tabSize: 2,
  fixedOverflowWidgets: true,
});

/** The latest analysis and the text it is of; hints and markers always come from one analysis. */
let latest: { text: string; analysis: Analysis } | undefined;
let analysing: Promise<{ text: string; analysis: Analysis } | undefined> | undefined;
const hintsChanged = new monaco.Emitter<void>();
const firstDiagnostic = { at: 0 };

async function analyseNow(): Promise<{ text: string; analysis: Analysis } | undefined> {
  const text = model.getValue();
  const reply = await ask({ kind: "analyse", code: text });
  if (reply.kind !== "analysis") {
    status.textContent = `The type checker failed: ${reply.kind === "failure" ? reply.message : reply.kind}`;
    status.classList.add("bad");
    return undefined;
  }
  if (text !== model.getValue()) return undefined; // an edit came in meanwhile: its own analysis follows
  latest = { text, analysis: reply.analysis };
  if (firstDiagnostic.at === 0) firstDiagnostic.at = performance.now();
  show(reply.analysis, text);
  return latest;
}

function show(analysis: Analysis, text: string): void {
  monaco.editor.setModelMarkers(
    model,
    "shapewise",
    analysis.markers.map((m) => {
      const start = model.getPositionAt(m.start);
      const end = model.getPositionAt(m.start + m.length);
      return {
        startLineNumber: start.lineNumber,
        startColumn: start.column,
        endLineNumber: end.lineNumber,
        endColumn: end.column,
        message: m.message,
        code: `TS${m.code}`,
        source: "ts",
        severity: m.severity === "error" ? monaco.MarkerSeverity.Error : m.severity === "warning" ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Info,
      };
    }),
  );
  hintsChanged.fire();
  const problems = $<HTMLUListElement>("problems");
  problems.replaceChildren(
    ...analysis.markers.map((m) => {
      const li = document.createElement("li");
      const at = model.getPositionAt(m.start);
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = `Line ${at.lineNumber}, column ${at.column}`;
      button.setAttribute("aria-label", `Go to line ${at.lineNumber}, column ${at.column}`);
      button.onclick = () => {
        editor.setPosition(at);
        editor.revealPositionInCenter(at);
        editor.focus();
      };
      li.append(button, ` ${m.message}`);
      return li;
    }),
  );
  $("no-problems").hidden = analysis.markers.length > 0;
  $("shapes").textContent = analysis.hints.map((h) => `line ${model.getPositionAt(h.offset).lineNumber}: ${h.label}`).join("\n");
  const errors = analysis.markers.filter((m) => m.severity === "error").length;
  status.textContent = `TypeScript ${analysis.typescript}: ${errors === 0 ? "no problems" : `${errors} problem${errors > 1 ? "s" : ""}`} (checked in ${analysis.ms.toFixed(0)} ms)`;
  status.classList.toggle("bad", errors > 0);
  evaluated = evaluate(analysis, text);
  void shareHash(text).then((hash) => history.replaceState(null, "", hash));
}

let timer: ReturnType<typeof setTimeout> | undefined;
model.onDidChangeContent(() => {
  clearTimeout(timer);
  status.textContent = "Checking…";
  timer = setTimeout(() => {
    analysing = analyseNow();
  }, 150);
});

async function current(): Promise<{ text: string; analysis: Analysis } | undefined> {
  if (latest?.text === model.getValue()) return latest;
  return analysing;
}

monaco.languages.registerInlayHintsProvider("typescript", {
  onDidChangeInlayHints: hintsChanged.event,
  provideInlayHints: async (m) => {
    const now = await current();
    if (now === undefined || now.text !== m.getValue()) return { hints: [], dispose: () => undefined };
    return {
      hints: now.analysis.hints.map((h) => ({
        position: m.getPositionAt(h.offset),
        label: h.error ? ` ✗ ${h.label}` : ` ${h.label}`,
        kind: monaco.languages.InlayHintKind.Type,
        tooltip: h.error ? "The call where the error starts" : "Output shape · running parameter count",
        paddingLeft: true,
      })),
      dispose: () => undefined,
    };
  },
});

monaco.languages.registerHoverProvider("typescript", {
  provideHover: async (m, position) => {
    const reply = await ask({ kind: "hover", code: m.getValue(), offset: m.getOffsetAt(position) });
    if (reply.kind !== "hover" || reply.hover === undefined) return undefined;
    const h: HoverInfo = reply.hover;
    const start = m.getPositionAt(h.start);
    const end = m.getPositionAt(h.start + h.length);
    return {
      range: new monaco.Range(start.lineNumber, start.column, end.lineNumber, end.column),
      contents: [{ value: `\`\`\`typescript\n${h.signature}\n\`\`\`` }, ...(h.documentation === "" ? [] : [{ value: h.documentation }])],
    };
  },
});

// ---- The model at run time ----

const RUN_PROMPT = "Press Run to build the model and predict on random input.";
let built: Model | undefined;
let evaluation = 0;
/** The run of the latest analysed text: Run waits for it, so it never runs the model of an older text. */
let evaluated: Promise<void> = Promise.resolve();

/** Runs the transpiled file as a module and shows what its default export (or last exported model) is. */
async function evaluate(analysis: Analysis, text: string): Promise<void> {
  const mine = ++evaluation;
  if (analysis.markers.some((m) => m.code < 2000)) return; // a syntax error: nothing to run
  if (!trusted) {
    built = undefined;
    render("This code came from a link: it runs when you press Run.");
    return;
  }
  const url = URL.createObjectURL(new Blob([analysis.js, `\n//# sourceURL=playground.js`], { type: "text/javascript" }));
  let exported: Record<string, unknown>;
  try {
    clearSession();
    exported = (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
  } catch (error) {
    if (mine !== evaluation) return;
    built = undefined;
    $("run-result").textContent = RUN_PROMPT;
    const style = $<HTMLSelectElement>("style").value as SummaryStyle;
    $("summary").textContent = error instanceof ShapeError ? (failureSummary(error, { style }) ?? error.message) : `The file threw: ${String(error)}`;
    $("costs").replaceChildren();
    $("diagram").hidden = true;
    return;
  } finally {
    URL.revokeObjectURL(url);
  }
  if (mine !== evaluation || text !== model.getValue()) return;
  const models = Object.entries(exported).filter((e): e is [string, Model] => e[1] instanceof Model);
  built = (models.find(([k]) => k === "default") ?? models.at(-1))?.[1];
  $("run-result").textContent = RUN_PROMPT;
  render();
}

function render(untrusted?: string): void {
  const summary = $("summary");
  const costs = $("costs");
  const diagram = $<HTMLImageElement>("diagram");
  if (built === undefined) {
    summary.textContent = untrusted ?? "Export the model (export default model({ inputs, outputs })) to see its summary, costs and diagram.";
    costs.replaceChildren();
    diagram.hidden = true;
    return;
  }
  const style = $<HTMLSelectElement>("style").value as SummaryStyle;
  summary.textContent = built.summary({ style, printFn: () => undefined });
  const rows: [string, string][] = [];
  const n = (x: number) => x.toLocaleString("en-US");
  try {
    rows.push(["Multiply-accumulates", n(built.countFlops())]);
    const memory = built.memory();
    rows.push(["Parameter bytes", n(memory.parameterBytes)], ["Activation bytes (predict peak)", `${n(memory.activationBytes)} at ${memory.peakLayer}`]);
  } catch (error) {
    rows.push(["Not counted", error instanceof Error ? error.message : String(error)]);
  }
  costs.replaceChildren(
    ...rows.flatMap(([k, v]) => {
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.textContent = v;
      return [dt, dd];
    }),
  );
  const svg = plotModel(built, { showShapes: true });
  if (diagram.src !== "") URL.revokeObjectURL(diagram.src);
  diagram.src = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  diagram.hidden = false;
  diagram.alt = `Diagram of ${built.name}: ${built.layers.map((l) => l.name).join(", ")}`;
}

$<HTMLSelectElement>("style").onchange = () => {
  if (trusted) render();
};

// ---- Run: predict on random input ----

let kernels: Promise<KernelInfo> | undefined;

/** A batch of one with every unknown size 1: random floats, or id 0 for an int32 input. */
function randomInput(shape: readonly (number | null)[], int: boolean) {
  const sizes = shape.map((d) => d ?? 1);
  const data = new Float32Array(sizes.reduce((a, b) => a * b, 1));
  if (!int) for (let i = 0; i < data.length; i++) data[i] = Math.random();
  return tensor(sizes, data);
}

$("run").onclick = async () => {
  const out = $("run-result");
  clearTimeout(timer);
  if (latest?.text !== model.getValue()) analysing = analyseNow();
  await analysing;
  if (!trusted && latest !== undefined) {
    trusted = true;
    evaluated = evaluate(latest.analysis, latest.text);
  }
  await evaluated;
  const m = built;
  if (m === undefined) {
    out.textContent = "There is no model to run: fix the problems or export the model.";
    return;
  }
  out.textContent = "Running…";
  try {
    // Both builds are served: the loader fetches the relaxed SIMD one where this browser validates it.
    kernels ??= loadKernels({
      url: { simd: new URL("shapewise-kernels.wasm", location.href), "relaxed-simd": new URL("shapewise-kernels-relaxed.wasm", location.href) },
    });
    const info = await kernels;
    const ran = info.wasm ? `WebAssembly ${info.build} kernels` : "reference kernels";
    const inputLayers = m.layers.filter((l) => l.className === "InputLayer") as unknown as { dtype?: string; outputShape?: unknown }[];
    const shapes = (m.inputLayout === "single" ? [m.inputShape] : Object.values(m.inputShape as object)) as (number | null)[][];
    const xs = shapes.map((s, i) => randomInput(s, inputLayers[i]?.dtype === "int32"));
    const x = m.inputLayout === "single" ? xs[0] : m.inputLayout === "list" ? xs : Object.fromEntries(m.inputLayout.keys.map((k, i) => [k, xs[i]]));
    const t0 = performance.now();
    const y = (m.predict as (x: unknown) => unknown)(x);
    const ms = performance.now() - t0;
    const ys = (Array.isArray(y) ? y : typeof y === "object" && y !== null && !("shape" in y) ? Object.values(y) : [y]) as {
      shape: number[];
      data: Float32Array;
    }[];
    const shown = ys.map((t) => `[${t.shape.join(", ")}]`).join(", ");
    const first = Array.from(ys[0].data.slice(0, 4), (v) => v.toFixed(4)).join(", ");
    out.textContent = `predict on random input [${xs.map((t) => t.shape.join(", ")).join("], [")}] → output shape ${shown} in ${ms.toFixed(1)} ms on the ${ran} (first values ${first}${ys[0].data.length > 4 ? ", …" : ""})`;
  } catch (error) {
    out.textContent = `predict failed: ${error instanceof Error ? error.message : String(error)}`;
  }
};

// ---- Examples and sharing ----

const select = $<HTMLSelectElement>("examples");
const custom = new Option("(your code)", "", true, true);
select.append(custom, ...EXAMPLES.map((e) => new Option(e.title, e.id)));
select.onchange = () => {
  const example = EXAMPLES.find((e) => e.id === select.value);
  if (example !== undefined) {
    trusted = true;
    model.setValue(example.code);
  }
};

$("share").onclick = async () => {
  const link = location.origin + location.pathname + (await shareHash(model.getValue()));
  history.replaceState(null, "", link);
  try {
    await navigator.clipboard.writeText(link);
    status.textContent = "Link copied: it opens this code.";
  } catch {
    status.textContent = "The address bar holds the link to this code.";
  }
};

window.addEventListener("hashchange", async () => {
  const shared = await readShared(location.hash);
  if (shared !== undefined && shared !== model.getValue()) {
    trusted = false;
    model.setValue(shared);
  }
});

analysing = analyseNow();
/**
 * What the page's own test reads beside the DOM: the editor, its markers,
 * and when the first diagnostics were shown (milliseconds since navigation).
 */
(globalThis as unknown as { playground: unknown }).playground = {
  editor,
  markers: () => monaco.editor.getModelMarkers({ resource: model.uri }),
  firstDiagnosticMs: () => firstDiagnostic.at,
};
