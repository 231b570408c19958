/**
 * Files that are not what they claim: a model.json or weight file that is a
 * FIFO, a device or a folder, a symbolic link to /dev/zero, and files past
 * their limit are refused before they are read (by the library and by the
 * command line), and a weights manifest is compared with the topology before
 * any weight is allocated.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdir, mkdtemp, open, readdir, rm, stat, symlink, truncate, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ShapeError, clearSession, input, loadModel, model, modelFromTfjsArtifacts, saveModel } from "../../src/index.js";
import { repoRoot } from "../support/tsc.js";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "shapewise-files-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function savedModel(name: string): Promise<string> {
  clearSession();
  const x = input({ shape: [4], name: "features" });
  const dir = path.join(root, name);
  await saveModel(model({ inputs: x, outputs: x.dense({ units: 2, name: "logits" }), name: "small" }), dir);
  return dir;
}

/** The error a promise rejects with (or `undefined`), given at most `ms` to settle: a hang is a failure, not a stuck test. */
async function settled(promise: Promise<unknown>, ms = 15_000): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise((resolve) => (timer = setTimeout(() => resolve(new Error(`did not settle within ${ms} ms`)), ms)));
  const error = await Promise.race([
    promise.then(
      () => undefined,
      (e: unknown) => e,
    ),
    hang,
  ]);
  clearTimeout(timer);
  return error;
}

function expectRefusal(error: unknown, message: RegExp): void {
  expect(error, `expected a ShapeError matching ${message}`).toBeInstanceOf(ShapeError);
  expect((error as Error).message).toMatch(message);
}

describe("special files", () => {
  it("a model.json that is a FIFO is refused at once, and four such loads leave the thread pool free", async () => {
    const dir = await savedModel("fifo-json");
    await rm(path.join(dir, "model.json"));
    execFileSync("mkfifo", [path.join(dir, "model.json")]);
    const loads = [1, 2, 3, 4].map(() => settled(loadModel(dir)));
    // Reading a file needs the thread pool: it must still answer while the four loads are refused.
    const other = await settled(stat(path.join(dir, "weights.bin")).then(() => undefined));
    expect(other).toBeUndefined();
    for (const error of await Promise.all(loads)) expectRefusal(error, /model\.json is a FIFO \(named pipe\); shapewise reads only regular files/);
  });

  it("a weights file that is a FIFO, a folder or a link to /dev/zero is refused before any is read", async () => {
    const cases: [string, (file: string) => Promise<void>, RegExp][] = [
      ["fifo-weights", async (file) => void execFileSync("mkfifo", [file]), /weights\.bin is a FIFO/],
      ["folder-weights", async (file) => void (await mkdir(file)), /weights\.bin is a folder/],
      [
        "zero-weights",
        async (file) => void (await symlink("/dev/zero", file)),
        /is a device; shapewise reads only regular files|leads outside the model directory/,
      ],
    ];
    for (const [name, make, message] of cases) {
      const dir = await savedModel(name);
      const file = path.join(dir, "weights.bin");
      await rm(file);
      await make(file);
      expectRefusal(await settled(loadModel(dir)), message);
    }
  });

  it("a model.json that links to /dev/zero, or is larger than maxJsonBytes, is refused without reading it", async () => {
    const dir = await savedModel("zero-json");
    await rm(path.join(dir, "model.json"));
    await symlink("/dev/zero", path.join(dir, "model.json"));
    expectRefusal(await settled(loadModel(dir)), /model\.json is a device; shapewise reads only regular files/);
    // A sparse file of 300 MB: refused by its size, so nothing is read or allocated.
    const big = path.join(root, "big", "model.json");
    await mkdir(path.dirname(big));
    await writeFile(big, "{");
    await truncate(big, 300 * 2 ** 20);
    const before = process.memoryUsage().arrayBuffers;
    expectRefusal(await settled(loadModel(big)), /model\.json is 314572800 bytes, more than the limit of 268435456 bytes \(option maxJsonBytes\)/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
  });
});

describe("the command line's file argument", () => {
  function shapewise(...args: string[]): Promise<{ code: number; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [path.join(repoRoot, "bin/shapewise.mjs"), ...args],
        { cwd: repoRoot, encoding: "utf8", timeout: 60_000 },
        (error, _stdout, stderr) => {
          resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stderr });
        },
      );
    });
  }

  it("is read by the guarded reader: a FIFO, /dev/zero and a 300 MB file are one sentence each and a non-zero exit", async () => {
    const dir = path.join(root, "cli");
    await mkdir(dir);
    execFileSync("mkfifo", [path.join(dir, "fifo.json")]);
    await symlink("/dev/zero", path.join(dir, "zero.json"));
    await writeFile(path.join(dir, "big.json"), "{");
    await truncate(path.join(dir, "big.json"), 300 * 2 ** 20);
    const runs = await Promise.all(["fifo.json", "zero.json", "big.json"].map((f) => shapewise("summary", path.join(dir, f))));
    const [fifo, zero, big] = runs;
    for (const run of runs) {
      expect(run.code).not.toBe(0);
      // -1 would be the 60 s timeout or a crash: each is refused by a sentence instead.
      expect(run.code).toBeGreaterThan(0);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(fifo.stderr).toMatch(/fifo\.json is a FIFO \(named pipe\); shapewise reads only regular files/);
    expect(zero.stderr).toMatch(/zero\.json is a device; shapewise reads only regular files/);
    expect(big.stderr).toMatch(/big\.json is 314572800 bytes, more than the limit of 268435456 bytes/);
  }, 120_000);
});

describe("a weights manifest that disagrees with the topology", () => {
  /** A 500-byte model.json: Dense with 536,870,912 units (2 GiB of kernel) and an empty manifest. */
  const hugeDense = {
    format: "layers-model",
    modelTopology: {
      class_name: "Sequential",
      config: {
        name: "s",
        layers: [{ class_name: "Dense", config: { units: 536_870_912, use_bias: false, activation: "linear", name: "d", batch_input_shape: [null, 1] } }],
      },
    },
    weightsManifest: [{ paths: [], weights: [] }],
  };

  it("is refused before a weight is allocated (from memory and from a folder)", async () => {
    expect(JSON.stringify(hugeDense).length).toBeLessThan(500);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => modelFromTfjsArtifacts(hugeDense, new Uint8Array(0))).toThrow(
      /weights manifest has no weight 'd\/kernel' for layer 'd' \(shape \[1, 536870912\]\)/,
    );
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
    const dir = path.join(root, "huge-dense");
    await mkdir(dir);
    await writeFile(path.join(dir, "model.json"), JSON.stringify(hugeDense));
    expectRefusal(await settled(loadModel(dir)), /weights manifest has no weight 'd\/kernel'/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
  });

  it("names the weight whose shape or name is wrong, before any is allocated", async () => {
    const dir = await savedModel("manifest-shape");
    const json = JSON.parse(await (await open(path.join(dir, "model.json"))).readFile("utf8"));
    const kernel = json.weightsManifest[0].weights[0];
    kernel.shape = [2, 4];
    await writeFile(path.join(dir, "model.json"), JSON.stringify(json));
    expectRefusal(await settled(loadModel(dir)), /weight 'logits\/kernel' has shape \[2, 4\] in the file, but layer 'logits' needs \[4, 2\]/);
    kernel.shape = [4, 2];
    kernel.name = "other/kernel";
    await writeFile(path.join(dir, "model.json"), JSON.stringify(json));
    expectRefusal(await settled(loadModel(dir)), /weights manifest has no weight 'logits\/kernel' for layer 'logits'/);
    expect((await readdir(dir)).sort()).toEqual(["model.json", "weights.bin"]);
  });
});
