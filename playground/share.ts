/**
 * The code in the URL's hash: deflated (CompressionStream's `deflate-raw`)
 * and base64url-encoded as `#code=...`; where the browser has no
 * CompressionStream, the UTF-8 text itself, base64url-encoded, as `#text=...`.
 * Either form is read back by any browser that has the matching stream.
 */

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** A (de)compression stream, typed the same whether the DOM's or Node's declarations are in scope. */
type ByteStream = { readonly readable: ReadableStream; readonly writable: WritableStream };

async function pipe(bytes: Uint8Array, stream: ByteStream): Promise<Uint8Array> {
  const out = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream as unknown as TransformStream<Uint8Array, Uint8Array>);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

/**
 * The hash that reproduces `code`.
 *
 * @example
 * location.hash = await shareHash('import { input } from "shapewise";'); // "#code=y8wtyk..."
 */
export async function shareHash(code: string): Promise<string> {
  const bytes = new TextEncoder().encode(code);
  if (typeof CompressionStream === "function") return `#code=${toBase64Url(await pipe(bytes, new CompressionStream("deflate-raw")))}`;
  return `#text=${toBase64Url(bytes)}`;
}

/**
 * The code a hash holds, or undefined when it holds none (or is damaged).
 *
 * @example
 * await readShared(await shareHash("const x = 1;")); // "const x = 1;"
 */
export async function readShared(hash: string): Promise<string | undefined> {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  try {
    const deflated = params.get("code");
    if (deflated !== null && typeof DecompressionStream === "function") {
      return new TextDecoder().decode(await pipe(fromBase64Url(deflated), new DecompressionStream("deflate-raw")));
    }
    const text = params.get("text");
    if (text !== null) return new TextDecoder().decode(fromBase64Url(text));
  } catch {
    // A truncated or hand-edited link: open the default example instead.
  }
  return undefined;
}
