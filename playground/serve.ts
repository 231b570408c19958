/**
 * Serves the built playground on localhost, cross-origin isolated (so
 * `predict` may start its Web Workers over shared memory); any static host
 * serves the same files, on one thread when it sends no such headers.
 *
 * Run: npm run playground (builds, then serves on http://127.0.0.1:8080 or PORT)
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildPlayground } from "./build.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".ttf": "font/ttf",
};

/**
 * Serves `dir` on 127.0.0.1 (port 0: any free port) and gives the server and its base URL.
 *
 * @example
 * const { server, url } = await servePlayground("dist-playground", 0);
 */
export async function servePlayground(dir: string, port: number): Promise<{ server: Server; url: string }> {
  const root = path.resolve(dir);
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    const file = path.join(root, pathname.endsWith("/") ? `${pathname}index.html` : pathname);
    if (!file.startsWith(root + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, {
        "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-embedder-policy": "require-corp",
        "cross-origin-resource-policy": "same-origin",
      })
      .end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const site = await buildPlayground();
  const { url } = await servePlayground(site.outDir, Number(process.env.PORT ?? 8080));
  process.stdout.write(`shapewise playground: ${url} (Ctrl+C stops)\n`);
}
