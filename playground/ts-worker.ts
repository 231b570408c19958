/**
 * The playground's language service: the repository's own TypeScript,
 * running in a Web Worker over a virtual file system that holds TypeScript's
 * lib files, shapewise's published declarations and the user's file. It
 * answers the page with diagnostics (the sentences VS Code shows, on the same
 * tokens), quick info for hover, inlay hints read off the checker's types,
 * and the file transpiled to JavaScript for the page to run.
 */
import ts from "typescript";
import type { Analysis, Hint, Marker, WorkerReply, WorkerRequest } from "./protocol.js";

const FILE = "/playground.ts";

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
  strict: true,
  skipLibCheck: true,
  noEmit: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
};

/** A file that reaches the layer methods' types, checked once before the user's file arrives. */
const WARM_UP = 'import { input } from "shapewise";\ninput({ shape: [4] }).dense({ units: 2 });\n';

let files = new Map<string, string>();
let code = "";
let version = 0;

const ready: Promise<ts.LanguageService> = (async () => {
  const response = await fetch(new URL("types.json", self.location.href));
  files = new Map(Object.entries((await response.json()) as Record<string, string>));
  const snapshots = new Map<string, ts.IScriptSnapshot>();
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => options,
    getScriptFileNames: () => [FILE],
    getScriptVersion: (name) => (name === FILE ? String(version) : "0"),
    getScriptSnapshot: (name) => {
      if (name === FILE) return ts.ScriptSnapshot.fromString(code);
      const text = files.get(name);
      if (text === undefined) return undefined;
      let snap = snapshots.get(name);
      if (snap === undefined) {
        snap = ts.ScriptSnapshot.fromString(text);
        snapshots.set(name, snap);
      }
      return snap;
    },
    getCurrentDirectory: () => "/",
    getDefaultLibFileName: () => "/lib/lib.d.ts",
    fileExists: (name) => name === FILE || files.has(name),
    readFile: (name) => (name === FILE ? code : files.get(name)),
    directoryExists: (dir) => {
      const prefix = dir.endsWith("/") ? dir : `${dir}/`;
      for (const name of files.keys()) if (name.startsWith(prefix)) return true;
      return false;
    },
    getDirectories: () => [],
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  // Parse and bind the lib files and the declarations now, while the page is still starting the editor:
  // the first real check then reuses them and only checks the user's file.
  if (version === 0) {
    code = WARM_UP;
    service.getSemanticDiagnostics(FILE);
  }
  return service;
})();

/** The error sentence an `ErrorTensor<M>` carries, or undefined for any other type. */
function errorOf(checker: ts.TypeChecker, type: ts.Type): string | undefined {
  const prop = checker.getPropertyOfType(type, "error");
  if (prop === undefined || checker.getPropertyOfType(type, "flatten") === undefined) return undefined;
  const t = checker.getTypeOfSymbol(prop);
  return t.isStringLiteral() ? t.value : undefined;
}

/** `[null, 14, 14, 32] · 320` for a `SymbolicTensor<[null, 14, 14, 32], 320, "14*14*288">` (its shape and parameter total). */
function tensorLabel(checker: ts.TypeChecker, type: ts.Type): string | undefined {
  if (type.getSymbol()?.getName() !== "SymbolicTensor" || !(type.flags & ts.TypeFlags.Object)) return undefined;
  const args = checker.getTypeArguments(type as ts.TypeReference);
  if (args.length < 2) return undefined;
  const params = args[1].isNumberLiteral() ? String(args[1].value) : checker.typeToString(args[1]);
  return `${checker.typeToString(args[0])} · ${params}`;
}

/** The expressions a call reads: its receiver and its arguments (array literals opened). */
function operands(call: ts.CallExpression): ts.Expression[] {
  const out: ts.Expression[] = [];
  if (ts.isPropertyAccessExpression(call.expression)) out.push(call.expression.expression);
  for (const arg of call.arguments) {
    if (ts.isArrayLiteralExpression(arg)) out.push(...arg.elements);
    else out.push(arg);
  }
  return out;
}

/**
 * One hint after every call whose result is a symbolic tensor: its shape and
 * running parameter total; after the call where an error starts, the error's
 * sentence (the calls after it, which carry the same error, get none).
 */
function hints(program: ts.Program): Hint[] {
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(FILE);
  if (file === undefined) return [];
  const out: Hint[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const type = checker.getTypeAtLocation(node);
      const label = tensorLabel(checker, type);
      if (label !== undefined) out.push({ offset: node.end, label, error: false });
      else {
        const error = errorOf(checker, type);
        if (error !== undefined && !operands(node).some((e) => errorOf(checker, checker.getTypeAtLocation(e)) !== undefined)) {
          out.push({ offset: node.end, label: error, error: true });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out.sort((a, b) => a.offset - b.offset);
}

function markers(service: ts.LanguageService): Marker[] {
  const all = [...service.getSyntacticDiagnostics(FILE), ...service.getSemanticDiagnostics(FILE)];
  return all.map((d) => ({
    start: d.start ?? 0,
    length: d.length ?? 0,
    message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
    code: d.code,
    severity: d.category === ts.DiagnosticCategory.Error ? "error" : d.category === ts.DiagnosticCategory.Warning ? "warning" : "info",
  }));
}

async function analyse(text: string): Promise<Analysis> {
  const service = await ready;
  code = text;
  version++;
  const t0 = performance.now();
  const diagnostics = markers(service);
  const program = service.getProgram();
  const inlay = program === undefined ? [] : hints(program);
  const js = ts.transpileModule(text, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext }, fileName: FILE }).outputText;
  return { version, markers: diagnostics, hints: inlay, js, ms: performance.now() - t0, typescript: ts.version };
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  let reply: WorkerReply;
  try {
    if (request.kind === "analyse") reply = { id: request.id, kind: "analysis", analysis: await analyse(request.code) };
    else {
      const service = await ready;
      if (request.code !== code) {
        code = request.code;
        version++;
      }
      const info = service.getQuickInfoAtPosition(FILE, request.offset);
      reply =
        info === undefined
          ? { id: request.id, kind: "hover", hover: undefined }
          : {
              id: request.id,
              kind: "hover",
              hover: {
                start: info.textSpan.start,
                length: info.textSpan.length,
                signature: ts.displayPartsToString(info.displayParts),
                documentation: ts.displayPartsToString(info.documentation),
              },
            };
    }
  } catch (error) {
    reply = { id: request.id, kind: "failure", message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  self.postMessage(reply);
};
