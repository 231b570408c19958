/**
 * Every ```ts block of README.md, type-checked by TypeScript 5.9 and 7 as a
 * file of its own.
 *
 * A block is self-contained: it imports what it uses from `"shapewise"`
 * (checked against the sources, `src/index.ts`) or, for the repository's
 * examples, by a path from the repository's root (`"./examples/vgg16.js"`).
 * A block whose fence follows the line `<!-- continues the previous block -->`
 * is checked after the previous block's code, in one file.
 *
 * A block may show compile errors: each `"shapewise: ..."` sentence quoted in
 * one of its comments is an error the compiler must report, word for word,
 * once; and the compiler may report nothing else.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generatedProject, inFile } from "./support/generated-check.js";
import { checkProject, compilers, repoRoot } from "./support/tsc.js";

/** The marker, alone on the line before a fence, that joins a block to the previous one. */
const CONTINUES = "<!-- continues the previous block -->";

/** One ```ts block of the README: where it starts and its code. */
interface Block {
  readonly line: number;
  readonly code: string;
  readonly continues: boolean;
}

/**
 * The README's ```ts blocks in order, with their first line (1-based).
 *
 * @example
 * readmeBlocks("```ts\nconst a = 1;\n```\n"); // [{ line: 1, code: "const a = 1;\n", continues: false }]
 */
function readmeBlocks(text: string): Block[] {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trimEnd() !== "```ts") continue;
    const end = lines.findIndex((l, j) => j > i && l.trimEnd() === "```");
    expect(end, `README.md:${i + 1}: the block is closed`).toBeGreaterThan(i);
    const before = lines
      .slice(0, i)
      .reverse()
      .find((l) => l.trim() !== "");
    blocks.push({ line: i + 1, code: `${lines.slice(i + 1, end).join("\n")}\n`, continues: before?.trim() === CONTINUES });
    i = end;
  }
  return blocks;
}

/** The sentences a block's comments show as compile errors. */
function shownErrors(code: string): string[] {
  const sentences: string[] = [];
  for (const line of code.split("\n")) {
    const comment = line.indexOf("//");
    if (comment < 0) continue;
    for (const m of line.slice(comment).matchAll(/"(shapewise: [^"]*)"/g)) sentences.push(m[1]);
  }
  return sentences;
}

/** The block's code as a file of the scratch folder: package imports point at the sources. */
function asFile(code: string): string {
  const rewritten = code
    .replace(/from "shapewise"/g, 'from "../../src/index.js"')
    .replace(/from "shapewise\/node"/g, 'from "../../src/node/index.js"')
    .replace(/from "\.\/(examples\/[^"]+)"/g, 'from "../../$1"');
  return `${rewritten}\nexport {};\n`;
}

const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
const blocks = readmeBlocks(readme);
const workDir = join(repoRoot, ".vitest-tmp", "readme-blocks");
mkdirSync(workDir, { recursive: true });

const cases = blocks.map((b, i) => {
  const code = b.continues && i > 0 ? `${blocks[i - 1].code}${b.code}` : b.code;
  const name = `block-${b.line}.ts`;
  writeFileSync(join(workDir, name), asFile(code));
  return { ...b, name, code, errors: shownErrors(code) };
});
const tsconfig = generatedProject(
  workDir,
  cases.map((c) => c.name),
);

describe("the README's ts blocks", () => {
  it("are found, and the convention holds: a continued block follows another", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(9);
    expect(blocks[0]?.continues).toBe(false);
    expect(readmeBlocks(`text\n${CONTINUES}\n\`\`\`ts\nb;\n\`\`\`\n`)[0].continues).toBe(true);
    expect(shownErrors(`a; // '"shapewise: x is 1"'\nb; // "shapewise: y"\n// shapewise: not quoted`)).toEqual(["shapewise: x is 1", "shapewise: y"]);
  });

  for (const [label, tsc] of [
    ["TS 5.9", compilers.ts5],
    ["TS 7", compilers.ts7],
  ] as const) {
    it(`type-check on ${label}, each with exactly the errors it shows`, async () => {
      const result = await checkProject(tsc, tsconfig, repoRoot);
      const problems: string[] = [];
      for (const c of cases) {
        const diagnostics = result.diagnostics.filter((d) => inFile(d, c.name));
        const unmatched = [...c.errors];
        for (const d of diagnostics) {
          const at = unmatched.findIndex((sentence) => d.text.includes(`"${sentence}"`));
          if (at < 0) problems.push(`README.md:${c.line}: an error the block does not show: ${d.text}`);
          else unmatched.splice(at, 1);
        }
        for (const sentence of unmatched) problems.push(`README.md:${c.line}: shows "${sentence}", which the compiler does not report`);
      }
      const elsewhere = result.diagnostics.filter((d) => !cases.some((c) => inFile(d, c.name)));
      problems.push(...elsewhere.map((d) => d.text));
      expect(problems).toEqual([]);
      expect(cases.filter((c) => c.errors.length > 0).length, "blocks that show an error").toBeGreaterThanOrEqual(3);
    }, 300_000);
  }
});
