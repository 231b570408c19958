/**
 * Keras 3's progress bar, as `fit` prints it: `Epoch 1/5`, then
 * `125/125 ━━━━━━━━━━━━━━━━━━━━ 3s 24ms/step - accuracy: 0.9512 - loss: 0.1731`.
 * On a terminal the line is redrawn in place (bold counts, a green bar, as
 * Keras draws them); elsewhere only the finished line of each epoch is
 * written, without escape sequences, so logs stay readable.
 */

/** How `fit` reports progress: 0 silent, 1 a bar (one line per epoch off a terminal), 2 one line per epoch. */
export type Verbosity = 0 | 1 | 2;

/** Where and how a progress bar writes. */
export interface ProgressOptions {
  /** Steps in the epoch, or `null` while unknown (a dataset without a length). */
  target: number | null;
  verbose: Verbosity;
  /** Redraw one line in place (a terminal) rather than writing finished lines. */
  dynamic: boolean;
  write: (text: string) => void;
  /** Seconds since some fixed time; `performance.now() / 1000` by default. */
  now?: () => number;
  /** The bar's width in characters (Keras's 20). */
  width?: number;
  /** Least time between two redraws, in seconds (Keras's 0.05). */
  interval?: number;
}

const BOLD = "\x1b[1m";
const GREEN = "\x1b[32m";
const GREY = "\x1b[37m";
const RESET = "\x1b[0m";
// Keras counts these escape characters out of the line's width when it pads over a longer previous line.
const ESCAPES = new RegExp(`${"\x1b"}\\[[0-9]+m`, "g");

/** Python's `round()`: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * A number as Keras's bar shows a metric: four decimals, or four significant
 * digits in exponent form (`1.2346e-04`) at and below 1e-3.
 *
 * @example
 * metricText(0.17312); // "0.1731"
 * metricText(0.0001234567); // "1.2346e-04"
 */
export function metricText(value: number, absolute = true): string {
  if ((absolute ? Math.abs(value) : value) > 1e-3) return value.toFixed(4);
  const [mantissa, exponent] = value.toExponential(4).split("e");
  const sign = exponent.startsWith("-") ? "-" : "+";
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, "").padStart(2, "0")}`;
}

/**
 * Time per step as Keras prints it: `3s/step`, `24ms/step`, `850us/step`.
 *
 * @example
 * stepTime(0.0241); // " 24ms/step"
 */
export function stepTime(seconds: number, unit = "step"): string {
  if (seconds >= 1 || seconds === 0) return ` ${roundHalfEven(seconds)}s/${unit}`;
  if (seconds >= 1e-3) return ` ${roundHalfEven(seconds * 1e3)}ms/${unit}`;
  return ` ${roundHalfEven(seconds * 1e6)}us/${unit}`;
}

function etaText(eta: number): string {
  if (eta > 3600) {
    return `${Math.floor(eta / 3600)}:${String(Math.floor((eta % 3600) / 60)).padStart(2, "0")}:${String(Math.floor(eta % 60)).padStart(2, "0")}`;
  }
  if (eta > 60) return `${Math.floor(eta / 60)}:${String(Math.floor(eta % 60)).padStart(2, "0")}`;
  return `${Math.floor(eta)}s`;
}

/**
 * One epoch's progress bar. `update(step, logs)` after each batch, then
 * `update(target, logs, true)` at the end of the epoch with the epoch's
 * values (validation ones included).
 *
 * @example
 * const bar = new ProgressBar({ target: 125, verbose: 1, dynamic: false, write: (s) => process.stdout.write(s) });
 * bar.update(125, [["accuracy", 0.95], ["loss", 0.17]], true);
 * // 125/125 ━━━━━━━━━━━━━━━━━━━━ 3s 24ms/step - accuracy: 0.9500 - loss: 0.1700
 */
export class ProgressBar {
  private readonly width: number;
  private readonly interval: number;
  private readonly now: () => number;
  private readonly start: number;
  private seen = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private afterFirstStep: number | null = null;
  private previousWidth = 0;
  private readonly sums = new Map<string, [number, number]>();

  constructor(private readonly options: ProgressOptions) {
    this.width = options.width ?? 20;
    this.interval = options.interval ?? 0.05;
    this.now = options.now ?? (() => performance.now() / 1000);
    this.start = this.now();
  }

  /** The steps of the epoch, settable once a dataset's length becomes known. */
  set target(value: number | null) {
    this.options.target = value;
  }

  update(current: number, values: readonly (readonly [string, number])[], finalize = false): void {
    for (const [name, value] of values) {
      // Keras 3's bar averages the running values it is given over the steps of the epoch,
      // until the final update, which shows the epoch's values as they are.
      const entry = this.sums.get(name);
      if (finalize || entry === undefined) {
        const base = finalize ? 1 : Math.max(current - this.seen, 1);
        this.sums.set(name, [value * base, base]);
      } else {
        const base = Math.max(current - this.seen, 1);
        entry[0] += value * base;
        entry[1] += base;
      }
    }
    this.seen = current;
    const now = this.now();
    const perStep = this.stepDuration(current, now);
    const { verbose, target, dynamic, write } = this.options;
    if (verbose === 1) {
      if (now - this.lastDraw < this.interval && !finalize) return;
      this.lastDraw = now;
      if (!dynamic && !finalize) return;
      let bar: string;
      if (target !== null && target > 0) {
        const digits = Math.floor(Math.log10(target)) + 1;
        bar = `${BOLD}${String(current).padStart(digits)}/${target}${RESET} `;
        const filled = Math.floor((this.width * current) / target);
        if (filled > 0) bar += `${GREEN}${"━".repeat(filled)}${RESET}`;
        bar += `${GREY}${"━".repeat(Math.max(0, this.width - filled))}${RESET}`;
      } else {
        bar = `${String(current).padStart(7)}/Unknown`;
      }
      let info =
        target !== null && target > 0 && !finalize
          ? ` ${BOLD}${etaText(perStep * (target - current))}${RESET}`
          : ` ${BOLD}${roundHalfEven(now - this.start)}s${RESET}`;
      info += stepTime(perStep);
      for (const [name, [sum, count]] of this.sums) info += ` - ${name}: ${metricText(sum / Math.max(1, count))}`;
      const line = bar + info;
      const visible = line.replace(ESCAPES, "").length;
      if (!dynamic) {
        write(`${line.replace(ESCAPES, "")}\n`);
        return;
      }
      let message = `${"\b".repeat(this.previousWidth)}\r${line}`;
      if (this.previousWidth > visible) message += " ".repeat(this.previousWidth - visible);
      if (finalize) message += "\n";
      this.previousWidth = visible;
      write(message);
    } else if (verbose === 2 && finalize && target !== null && target > 0) {
      const digits = Math.floor(Math.log10(target)) + 1;
      let info = `${String(current).padStart(digits)}/${target} - ${roundHalfEven(now - this.start)}s -${stepTime(perStep)}`;
      // Keras compares the signed value here, so a negative metric prints in exponent form.
      for (const [name, [sum, count]] of this.sums) info += ` - ${name}: ${metricText(sum / Math.max(1, count), false)}`;
      write(`${info}\n`);
    }
  }

  /** Keras's estimate: the first step (compilation, warm-up) is left out once there are others. */
  private stepDuration(current: number, now: number): number {
    if (current === 0) return 0;
    const perStep = this.afterFirstStep !== null && current > 1 ? (now - this.afterFirstStep) / (current - 1) : (now - this.start) / current;
    if (current === 1) this.afterFirstStep = now;
    return perStep;
  }
}
