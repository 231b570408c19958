/**
 * The messages between the playground's page and its language-service worker.
 * Offsets are UTF-16 offsets into the user's file, as TypeScript and Monaco
 * count them.
 */

/** A diagnostic of the user's file, as TypeScript reports it. */
export interface Marker {
  start: number;
  length: number;
  message: string;
  code: number;
  severity: "error" | "warning" | "info";
}

/** What to show after a layer call: `[null, 14, 14, 32] · 320`, or the sentence of the call where an error starts. */
export interface Hint {
  offset: number;
  label: string;
  error: boolean;
}

/** Everything the page needs after an edit. */
export interface Analysis {
  version: number;
  markers: Marker[];
  hints: Hint[];
  /** The file transpiled to JavaScript (types erased), for the page to run. */
  js: string;
  /** How long diagnostics and hints took in the worker. */
  ms: number;
  typescript: string;
}

/** Quick info at a position: the signature (the type) and its TSDoc. */
export interface HoverInfo {
  start: number;
  length: number;
  signature: string;
  documentation: string;
}

/** What the page asks: an analysis of the whole file, or quick info at an offset. */
export type WorkerQuery = { kind: "analyse"; code: string } | { kind: "hover"; code: string; offset: number };

export type WorkerRequest = WorkerQuery & { id: number };

export type WorkerReply =
  | { id: number; kind: "analysis"; analysis: Analysis }
  | { id: number; kind: "hover"; hover: HoverInfo | undefined }
  | { id: number; kind: "failure"; message: string };
