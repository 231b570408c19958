// Rewrites the golden diagnostics of every invalid fixture (test-d/errors/<family>/<name>.ts) from the
// TypeScript 5.x compiler. Run after an intended change to an error sentence: `npm run golden:update`.
import { execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
let output = "";
try {
  output = execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "test-d/errors/tsconfig.json", "--noEmit", "--pretty", "false"], {
    cwd: root,
    encoding: "utf8",
  });
} catch (e) {
  output = e.stdout;
}
const families = readdirSync(here, { withFileTypes: true }).filter((d) => d.isDirectory());
for (const family of families) {
  for (const file of readdirSync(path.join(here, family.name)).filter((f) => f.endsWith(".ts"))) {
    const rel = `test-d/errors/${family.name}/${file}`;
    const lines = output.split("\n").filter((l) => l.startsWith(`${rel}(`));
    writeFileSync(path.join(here, family.name, file.replace(/\.ts$/, ".golden.txt")), `${lines.join("\n")}\n`);
    console.log(`${family.name}/${file}: ${lines.length} diagnostic(s)`);
  }
}
