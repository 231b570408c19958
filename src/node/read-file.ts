/**
 * Reading a file a caller names, which may be anything: a FIFO that never
 * ends, a device such as `/dev/zero`, a symbolic link to one, a folder, or a
 * file far larger than a model. Every file shapewise reads (model.json,
 * weight files, the command line's argument) goes through here: it is
 * opened without blocking, checked through the open descriptor to be a
 * regular file within its limit, and read for at most `limit + 1` bytes.
 */
import { constants } from "node:fs";
import { open, stat } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { fail } from "../checks.js";
import { displayText } from "../display-text.js";

/**
 * What a file read is, for messages: how to name the file, and the option
 * that sets its limit.
 *
 * @example
 * const about: FileLimit = { limit: 256 * 2 ** 20, option: "maxJsonBytes" };
 */
export interface FileLimit {
  /** The most bytes the file may hold. */
  readonly limit: number;
  /** The option that sets the limit, named in the refusal. */
  readonly option: string;
  /**
   * The file as the caller named it (relative, unresolved), for sentences;
   * the path read otherwise. Shown with control and format characters escaped.
   */
  readonly shownAs?: string;
}

/** How sentences name a file: as the caller gave it, never resolved, with unsafe characters escaped. */
function shownName(file: string, about: FileLimit): string {
  return displayText(about.shownAs ?? file);
}

/** Opening never waits: a FIFO without a writer opens at once (and is then refused) instead of blocking a thread forever. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Opens a file for reading once it is known to be a regular file of at
 * most `limit` bytes: checked by `stat` before opening (so opening a device
 * has no side effect) and again through the descriptor (so a file swapped in
 * between is caught). Returns the handle and the size; the caller closes it.
 *
 * @example
 * const { handle, size } = await openRegularFile("model/weights.bin", { limit: 2 ** 31, option: "maxBytes" });
 */
export async function openRegularFile(file: string, about: FileLimit): Promise<{ handle: FileHandle; size: number }> {
  const name = shownName(file, about);
  const before = await stat(file).catch((error: NodeJS.ErrnoException) => fail(`shapewise: cannot read ${name}: ${reason(error)}`));
  checkRegular(before, name, about);
  const handle = await open(file, OPEN_FLAGS).catch((error: NodeJS.ErrnoException) => fail(`shapewise: cannot read ${name}: ${reason(error)}`));
  try {
    const info = await handle.stat();
    checkRegular(info, name, about);
    if (info.ino !== before.ino || info.dev !== before.dev) fail(`shapewise: ${name} was replaced while it was opened`);
    return { handle, size: info.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * The bytes of a regular file of at most `limit` bytes; anything else (a
 * FIFO, a device, a folder, a larger file, or one that grows past the limit
 * while it is read) is a `ShapeError` that says which, and no more than
 * `limit + 1` bytes are ever read.
 *
 * @example
 * const bytes = await readRegularFile("model/model.json", { limit: 256 * 2 ** 20, option: "maxJsonBytes" });
 */
export async function readRegularFile(file: string, about: FileLimit): Promise<Uint8Array> {
  const { handle, size } = await openRegularFile(file, about);
  try {
    // One byte more than the file said: a file that grows while it is read is caught, not followed.
    const buffer = new Uint8Array(size + 1);
    let done = 0;
    while (done < buffer.length) {
      const { bytesRead } = await handle.read(buffer, done, buffer.length - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    if (done > size) {
      const name = shownName(file, about);
      if (done > about.limit) fail(`shapewise: ${name} grew past the limit of ${about.limit} bytes while it was read (option ${about.option})`);
      fail(`shapewise: ${name} grew while it was read (from ${size} bytes)`);
    }
    return buffer.subarray(0, done);
  } finally {
    await handle.close();
  }
}

/**
 * The size of a regular file of at most `limit` bytes, found by `stat`
 * without opening it; anything else is a `ShapeError`. For measuring files
 * (weight shards) before any is read; {@link readExactly} checks again.
 *
 * @example
 * await regularFileSize("model/weights.bin", { limit: 2 ** 31, option: "maxBytes" }); // 92
 */
export async function regularFileSize(file: string, about: FileLimit): Promise<number> {
  const name = shownName(file, about);
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => fail(`shapewise: cannot read ${name}: ${reason(error)}`));
  checkRegular(info, name, about);
  return info.size;
}

/**
 * Reads exactly `size` bytes of a regular file into `into` at `at`, the
 * file checked as {@link openRegularFile} checks it; a file whose size is no
 * longer `size` is an error.
 *
 * @example
 * await readExactly("model/weights.bin", bytes, 0, 92, { limit: 2 ** 31, option: "maxBytes" });
 */
export async function readExactly(file: string, into: Uint8Array, at: number, size: number, about: FileLimit): Promise<void> {
  const { handle, size: now } = await openRegularFile(file, about);
  const name = shownName(file, about);
  try {
    if (now !== size) fail(`shapewise: ${name} changed size while the model was read (${size} bytes, then ${now})`);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await handle.read(into, at + done, size - done, done);
      if (bytesRead === 0) fail(`shapewise: ${name} became shorter while it was read`);
      done += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

function checkRegular(
  info: {
    isFile(): boolean;
    isDirectory(): boolean;
    isFIFO(): boolean;
    isCharacterDevice(): boolean;
    isBlockDevice(): boolean;
    isSocket(): boolean;
    size: number;
  },
  name: string,
  about: FileLimit,
): void {
  if (!info.isFile()) {
    const kind = info.isDirectory()
      ? "a folder"
      : info.isFIFO()
        ? "a FIFO (named pipe)"
        : info.isCharacterDevice() || info.isBlockDevice()
          ? "a device"
          : info.isSocket()
            ? "a socket"
            : "not a regular file";
    fail(`shapewise: ${name} is ${kind}; shapewise reads only regular files`);
  }
  if (info.size > about.limit) fail(`shapewise: ${name} is ${info.size} bytes, more than the limit of ${about.limit} bytes (option ${about.option})`);
}

function reason(error: NodeJS.ErrnoException): string {
  return error.message ?? String(error);
}
