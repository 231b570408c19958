/**
 * The guarded reader's refusals name the file as the caller gave it: the
 * relative path, not its base name alone and not the resolved absolute path,
 * with control characters escaped as every other shown name is.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ShapeError, clearSession, input, loadModel, model, saveModel } from "../../src/index.js";

let root: string;
let cwd: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "shapewise-names-"));
  cwd = process.cwd();
  process.chdir(root);
});

afterAll(async () => {
  process.chdir(cwd);
  await rm(root, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ShapeError);
  return (error as Error).message;
}

describe("file names in the guarded reader's sentences", () => {
  it("a FIFO model.json is named by the relative path given, folder included", async () => {
    await mkdir(path.join(root, "models/a"), { recursive: true });
    execFileSync("mkfifo", [path.join(root, "models/a/model.json")]);
    expect(await refusal(loadModel("models/a/model.json"))).toBe("shapewise: models/a/model.json is a FIFO (named pipe); shapewise reads only regular files");
    expect(await refusal(loadModel("models/a"))).toBe("shapewise: models/a/model.json is a FIFO (named pipe); shapewise reads only regular files");
  });

  it("a weights file that is a folder is named under the folder given", async () => {
    clearSession();
    const x = input({ shape: [4] });
    await saveModel(model({ inputs: x, outputs: x.dense({ units: 2 }) }), path.join(root, "saved"));
    await rm(path.join(root, "saved/weights.bin"));
    await mkdir(path.join(root, "saved/weights.bin"));
    expect(await refusal(loadModel("saved"))).toBe("shapewise: saved/weights.bin is a folder; shapewise reads only regular files");
  });

  it("control characters in the path given are shown escaped", async () => {
    const odd = "odd\u001b[2J\n";
    await mkdir(path.join(root, odd, "model.json"), { recursive: true });
    const message = await refusal(loadModel(odd));
    expect(message).toBe("shapewise: odd\\u001b[2J\\u000a/model.json is a folder; shapewise reads only regular files");
    expect([...message].some((ch) => ch.charCodeAt(0) < 0x20)).toBe(false);
  });
});
