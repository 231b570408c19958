/**
 * The browser stores TensorFlow.js names by address: `indexeddb://` (its
 * IndexedDB schema: database `tensorflowjs` version 1, stores
 * `models_store` and `model_info_store` keyed by `modelPath`, as tfjs-core's
 * `io/indexed_db.ts` writes them) and `downloads://`, with the web
 * platform's parts the savers and loaders use, typed locally so the core
 * needs no DOM types.
 */
import { fail } from "../../checks.js";

export const INDEXEDDB = "indexeddb://";
export const DOWNLOADS = "downloads://";
export const DATABASE = "tensorflowjs";
export const MODELS_STORE = "models_store";
export const INFO_STORE = "model_info_store";

// ---------------------------------------------------------------------------
// The web platform's parts used here, typed locally so the core needs no DOM types
// ---------------------------------------------------------------------------

export interface IdbRequest<T> {
  readonly result: T;
  readonly error: { message?: string } | null;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
export interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: (() => void) | null;
}
export interface IdbStore {
  put(value: object): IdbRequest<unknown>;
  get(key: string): IdbRequest<unknown>;
}
export interface IdbTransaction {
  objectStore(name: string): IdbStore;
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  readonly error: { message?: string } | null;
}
export interface IdbDatabase {
  createObjectStore(name: string, options: { keyPath: string }): void;
  transaction(stores: string | string[], mode: "readonly" | "readwrite"): IdbTransaction;
  close(): void;
}
export interface FetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  readonly body: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> } } | null;
  arrayBuffer(): Promise<ArrayBuffer>;
}
export interface WebIo {
  readonly indexedDB?: { open(name: string, version: number): IdbOpenRequest };
  readonly fetch?: (url: string) => Promise<FetchResponse>;
  readonly location?: { readonly href: string };
  readonly document?: {
    createElement(tag: "a"): { href: string; download: string; click(): void };
  };
  readonly Blob?: new (parts: (ArrayBuffer | string)[], options: { type: string }) => object;
  readonly URL: { createObjectURL?(blob: object): string; revokeObjectURL?(url: string): void };
}

export const web = globalThis as unknown as WebIo;

// ---------------------------------------------------------------------------
// IndexedDB
// ---------------------------------------------------------------------------

export function request<T>(r: IdbRequest<T>, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(new Error(`shapewise: IndexedDB could not ${what}: ${r.error?.message ?? "unknown error"}`));
  });
}

export async function openDatabase(): Promise<IdbDatabase> {
  if (web.indexedDB === undefined) fail("shapewise: indexeddb:// needs a browser with IndexedDB");
  const open = web.indexedDB.open(DATABASE, 1);
  open.onupgradeneeded = () => {
    open.result.createObjectStore(MODELS_STORE, { keyPath: "modelPath" });
    open.result.createObjectStore(INFO_STORE, { keyPath: "modelPath" });
  };
  return request(open, `open the ${DATABASE} database`);
}

export function finished(tx: IdbTransaction, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(new Error(`shapewise: IndexedDB could not ${what}: ${tx.error?.message ?? "unknown error"}`));
  });
}
